<?xml version="1.0" encoding="UTF-8"?>
<!-- GetCustomerAccount, step "customer": the context's request -> cn:GetCustomer. -->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:ctx="urn:soapbridge:context"
                xmlns:cn="urn:soapbridge:canonical:v1"
                exclude-result-prefixes="ctx">
  <xsl:output method="xml" encoding="UTF-8"/>
  <xsl:template match="/ctx:context">
    <cn:GetCustomer>
      <cn:customerId><xsl:value-of select="ctx:request/cn:GetCustomerAccount/cn:customerId"/></cn:customerId>
    </cn:GetCustomer>
  </xsl:template>
</xsl:stylesheet>
