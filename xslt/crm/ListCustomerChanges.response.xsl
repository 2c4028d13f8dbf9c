<?xml version="1.0" encoding="UTF-8"?>
<!--
  Z_CRM_CUSTOMER_CHANGES_READResponse (crm) -> ListCustomerChangesResponse: each ET_CHANGES item
  -> change, in the CRM's order (by each customer's latest change pointer).

  - customer: the item's CUSTOMER structure, by the field rules of the crm response stylesheets
    (kept in each, so that a stylesheet stands alone): KUNNR -> id without its leading zeros;
    ERDAT YYYYMMDD -> since YYYY-MM-DD; STATUS A/I/B -> active/inactive/blocked; an empty TELF1
    -> no phone; T_TAGS rows -> tag elements, empty rows skipped; text whitespace-normalised.
  - version: CDCHGNO, the customer's change number, without its leading zeros (string
    operations: nothing rounded).
  - changedAt: CRETIME, a UTC timestamp YYYYMMDDhhmmss -> YYYY-MM-DDThh:mm:ssZ.
  - nextToken: EV_POINTER as it is (20 digits), the IV_POINTER of the next read.
  - more: EV_MORE, ABAP's boolean: X -> true, initial -> false.
  CHNGIND (created or changed) has no canonical field: a consumer wants the state, not the event.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cn="urn:soapbridge:canonical:v1"
    xmlns:n0="urn:example-erp:crm:customer:v3"
    exclude-result-prefixes="n0">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/n0:Z_CRM_CUSTOMER_CHANGES_READResponse">
    <cn:ListCustomerChangesResponse>
      <xsl:apply-templates select="ET_CHANGES/item"/>
      <cn:nextToken><xsl:value-of select="normalize-space(EV_POINTER)"/></cn:nextToken>
      <cn:more><xsl:value-of select="normalize-space(EV_MORE) = 'X'"/></cn:more>
    </cn:ListCustomerChangesResponse>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected n0:Z_CRM_CUSTOMER_CHANGES_READResponse, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>

  <xsl:template match="ET_CHANGES/item">
    <xsl:variable name="t" select="normalize-space(CRETIME)"/>
    <cn:change>
      <xsl:apply-templates select="CUSTOMER"/>
      <cn:version>
        <xsl:call-template name="without-leading-zeros">
          <xsl:with-param name="digits" select="normalize-space(CDCHGNO)"/>
        </xsl:call-template>
      </cn:version>
      <cn:changedAt>
        <xsl:value-of select="concat(substring($t, 1, 4), '-', substring($t, 5, 2), '-', substring($t, 7, 2), 'T',
                                     substring($t, 9, 2), ':', substring($t, 11, 2), ':', substring($t, 13, 2), 'Z')"/>
      </cn:changedAt>
    </cn:change>
  </xsl:template>

  <!-- One ZCRM_S_CUSTOMER structure -> cn:customer. -->
  <xsl:template match="CUSTOMER">
    <cn:customer>
      <cn:id>
        <xsl:call-template name="without-leading-zeros">
          <xsl:with-param name="digits" select="normalize-space(KUNNR)"/>
        </xsl:call-template>
      </cn:id>
      <cn:name><xsl:value-of select="normalize-space(NAME1)"/></cn:name>
      <cn:email><xsl:value-of select="normalize-space(SMTP_ADDR)"/></cn:email>
      <xsl:if test="normalize-space(TELF1) != ''">
        <cn:phone><xsl:value-of select="normalize-space(TELF1)"/></cn:phone>
      </xsl:if>
      <cn:status>
        <xsl:choose>
          <xsl:when test="normalize-space(STATUS) = 'A'">active</xsl:when>
          <xsl:when test="normalize-space(STATUS) = 'I'">inactive</xsl:when>
          <xsl:when test="normalize-space(STATUS) = 'B'">blocked</xsl:when>
          <!-- anything else fails canonical validation, naming the field -->
          <xsl:otherwise><xsl:value-of select="STATUS"/></xsl:otherwise>
        </xsl:choose>
      </cn:status>
      <cn:since>
        <xsl:value-of select="concat(substring(ERDAT, 1, 4), '-', substring(ERDAT, 5, 2), '-', substring(ERDAT, 7, 2))"/>
      </cn:since>
      <cn:address>
        <cn:street><xsl:value-of select="normalize-space(STRAS)"/></cn:street>
        <cn:postalCode><xsl:value-of select="normalize-space(PSTLZ)"/></cn:postalCode>
        <cn:city><xsl:value-of select="normalize-space(ORT01)"/></cn:city>
        <cn:country><xsl:value-of select="normalize-space(LAND1)"/></cn:country>
      </cn:address>
      <xsl:for-each select="T_TAGS/item/TAG[normalize-space(.) != '']">
        <cn:tag><xsl:value-of select="normalize-space(.)"/></cn:tag>
      </xsl:for-each>
    </cn:customer>
  </xsl:template>

  <!-- "0000001001" -> "1001", by string operations only. -->
  <xsl:template name="without-leading-zeros">
    <xsl:param name="digits"/>
    <xsl:choose>
      <xsl:when test="starts-with($digits, '0') and string-length($digits) &gt; 1">
        <xsl:call-template name="without-leading-zeros">
          <xsl:with-param name="digits" select="substring($digits, 2)"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$digits"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
