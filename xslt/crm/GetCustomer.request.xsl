<?xml version="1.0" encoding="UTF-8"?>
<!--
  GetCustomer -> Z_CRM_CUSTOMER_READ (crm).

  customerId -> IV_KUNNR: the CRM keys customers by the external KUNNR format, the number
  left-padded with zeros to exactly 10 digits ("1001" -> "0000001001"). An unpadded number
  finds nothing there. Padding is string concatenation; the canonical pattern allows at most
  10 digits, so nothing is ever cut off and no rounding is involved.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cn="urn:soapbridge:canonical:v1"
    xmlns:n0="urn:example-erp:crm:customer:v3"
    exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:GetCustomer">
    <n0:Z_CRM_CUSTOMER_READ>
      <IV_KUNNR>
        <xsl:call-template name="kunnr">
          <xsl:with-param name="id" select="cn:customerId"/>
        </xsl:call-template>
      </IV_KUNNR>
    </n0:Z_CRM_CUSTOMER_READ>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected cn:GetCustomer, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>

  <xsl:template name="kunnr">
    <xsl:param name="id"/>
    <xsl:variable name="digits" select="normalize-space($id)"/>
    <xsl:value-of select="substring(concat('0000000000', $digits), string-length($digits) + 1)"/>
  </xsl:template>
</xsl:stylesheet>
