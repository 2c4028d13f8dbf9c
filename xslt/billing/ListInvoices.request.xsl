<?xml version="1.0" encoding="UTF-8"?>
<!--
  ListInvoices: canonical request -> billing getAccountInvoices (rpc/literal).

  Billing knows a customer by its account number: "ACC-" and the customer id left-padded
  with zeros to six digits (1001 -> ACC-001001; ids of seven to ten digits are kept whole,
  1234567 -> ACC-1234567). Billing has no status filter; the response stylesheet filters.
  The rpc wrapper is qualified, its part accessor (accountNo) is not.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:ns1="urn:example-billing:InvoiceService"
                exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:ListInvoices">
    <xsl:variable name="id" select="normalize-space(cn:customerId)"/>
    <ns1:getAccountInvoices>
      <accountNo><xsl:value-of select="concat('ACC-', substring('000000', string-length($id) + 1), $id)"/></accountNo>
    </ns1:getAccountInvoices>
  </xsl:template>
</xsl:stylesheet>
