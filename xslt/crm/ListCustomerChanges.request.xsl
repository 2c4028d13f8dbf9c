<?xml version="1.0" encoding="UTF-8"?>
<!--
  ListCustomerChanges -> Z_CRM_CUSTOMER_CHANGES_READ (crm).

  since -> IV_POINTER, the last change pointer read, only when given (an absent pointer reads
  from the first). It is passed as it is: the tokens the gateway hands out are the CRM's own
  20-digit pointers, and the CRM refuses anything else with INVALID_DATA (-> InvalidRequest).
  limit -> IV_MAX_ROWS; absent -> 100, which is also what the CRM reads when it is initial, but
  said out loud so that the canonical default does not hang on the CRM's.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cn="urn:soapbridge:canonical:v1"
    xmlns:n0="urn:example-erp:crm:customer:v3"
    exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:ListCustomerChanges">
    <n0:Z_CRM_CUSTOMER_CHANGES_READ>
      <xsl:if test="cn:since">
        <IV_POINTER><xsl:value-of select="normalize-space(cn:since)"/></IV_POINTER>
      </xsl:if>
      <IV_MAX_ROWS>
        <xsl:choose>
          <xsl:when test="cn:limit"><xsl:value-of select="normalize-space(cn:limit)"/></xsl:when>
          <xsl:otherwise>100</xsl:otherwise>
        </xsl:choose>
      </IV_MAX_ROWS>
    </n0:Z_CRM_CUSTOMER_CHANGES_READ>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected cn:ListCustomerChanges, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>
</xsl:stylesheet>
