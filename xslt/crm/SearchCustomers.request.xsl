<?xml version="1.0" encoding="UTF-8"?>
<!--
  SearchCustomers -> Z_CRM_CUSTOMER_SEARCH (crm).

  name -> IV_NAME1 and city -> IV_ORT01, each only when given (an absent parameter does not
  restrict the search). Both are passed as they are: the CRM compares case-insensitively,
  matches a name without * as a substring, and treats * as "any characters".
  status has no legacy parameter: SearchCustomers.response.xsl filters on it.
  No numbers are converted here.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cn="urn:soapbridge:canonical:v1"
    xmlns:n0="urn:example-erp:crm:customer:v3"
    exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:SearchCustomers">
    <n0:Z_CRM_CUSTOMER_SEARCH>
      <xsl:if test="cn:name">
        <IV_NAME1><xsl:value-of select="cn:name"/></IV_NAME1>
      </xsl:if>
      <xsl:if test="cn:city">
        <IV_ORT01><xsl:value-of select="cn:city"/></IV_ORT01>
      </xsl:if>
    </n0:Z_CRM_CUSTOMER_SEARCH>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected cn:SearchCustomers, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>
</xsl:stylesheet>
