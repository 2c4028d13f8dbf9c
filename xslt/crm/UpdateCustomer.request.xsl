<?xml version="1.0" encoding="UTF-8"?>
<!--
  UpdateCustomer -> Z_CRM_CUSTOMER_UPDATE (crm): the whole record, as IS_CUSTOMER.

  id -> KUNNR, left-padded with zeros to 10 digits by string concatenation (at most 10 digits
  canonically, so nothing is cut). since (xs:date, optionally with a time zone, which the CRM
  cannot hold and is dropped) -> ERDAT as YYYYMMDD: the first ten characters without the
  hyphens; years outside 0001-9999 are not supported. status -> STATUS flag (A active,
  I inactive, B blocked). Every character field is sent, an absent phone as an empty TELF1
  (initial, which clears it); tags -> T_TAGS rows. Nothing numeric is rounded.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cn="urn:soapbridge:canonical:v1"
    xmlns:n0="urn:example-erp:crm:customer:v3"
    exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:UpdateCustomer">
    <n0:Z_CRM_CUSTOMER_UPDATE>
      <xsl:apply-templates select="cn:customer"/>
    </n0:Z_CRM_CUSTOMER_UPDATE>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected cn:UpdateCustomer, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>

  <xsl:template match="cn:customer">
    <IS_CUSTOMER>
      <KUNNR>
        <xsl:call-template name="kunnr">
          <xsl:with-param name="id" select="cn:id"/>
        </xsl:call-template>
      </KUNNR>
      <NAME1><xsl:value-of select="cn:name"/></NAME1>
      <SMTP_ADDR><xsl:value-of select="cn:email"/></SMTP_ADDR>
      <TELF1><xsl:value-of select="cn:phone"/></TELF1>
      <STRAS><xsl:value-of select="cn:address/cn:street"/></STRAS>
      <PSTLZ><xsl:value-of select="cn:address/cn:postalCode"/></PSTLZ>
      <ORT01><xsl:value-of select="cn:address/cn:city"/></ORT01>
      <LAND1><xsl:value-of select="cn:address/cn:country"/></LAND1>
      <ERDAT><xsl:value-of select="translate(substring(normalize-space(cn:since), 1, 10), '-', '')"/></ERDAT>
      <STATUS>
        <xsl:choose>
          <xsl:when test="cn:status = 'active'">A</xsl:when>
          <xsl:when test="cn:status = 'inactive'">I</xsl:when>
          <xsl:when test="cn:status = 'blocked'">B</xsl:when>
        </xsl:choose>
      </STATUS>
      <T_TAGS>
        <xsl:for-each select="cn:tag">
          <item><TAG><xsl:value-of select="."/></TAG></item>
        </xsl:for-each>
      </T_TAGS>
    </IS_CUSTOMER>
  </xsl:template>

  <xsl:template name="kunnr">
    <xsl:param name="id"/>
    <xsl:variable name="digits" select="normalize-space($id)"/>
    <xsl:value-of select="substring(concat('0000000000', $digits), string-length($digits) + 1)"/>
  </xsl:template>
</xsl:stylesheet>
