<?xml version="1.0" encoding="UTF-8"?>
<!--
  GetCustomerAccount, step "invoices": the context's request -> cn:ListInvoices.
  No status filter: "open" in the account means unpaid, which is both open and overdue;
  the response stylesheet keeps those two.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:ctx="urn:soapbridge:context"
                xmlns:cn="urn:soapbridge:canonical:v1"
                exclude-result-prefixes="ctx">
  <xsl:output method="xml" encoding="UTF-8"/>
  <xsl:template match="/ctx:context">
    <cn:ListInvoices>
      <cn:customerId><xsl:value-of select="ctx:request/cn:GetCustomerAccount/cn:customerId"/></cn:customerId>
    </cn:ListInvoices>
  </xsl:template>
</xsl:stylesheet>
