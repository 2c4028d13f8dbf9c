<?xml version="1.0" encoding="UTF-8"?>
<!--
  GetCustomerAccount: the context (request, crm customer, billing invoices) -> cn:GetCustomerAccountResponse.

  - openInvoice: every unpaid invoice (status open or overdue), as billing reported it.
  - balance: the sum of their outstanding amounts. XPath sums in binary floating point, so the
    sum is rounded to 4 decimals (the canonical Money scale) with format-number: exact for any
    realistic total of cent amounts (below 2^53 ten-thousandths). With no unpaid invoice it is 0.
  - currency: the unpaid invoices' currency. Several currencies cannot be summed into one
    balance: the stylesheet then stops with a message rather than invent an exchange rate.
    With no unpaid invoice, the currency of the customer's latest invoice, else none is given.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:ctx="urn:soapbridge:context"
                xmlns:cn="urn:soapbridge:canonical:v1"
                exclude-result-prefixes="ctx">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/ctx:context">
    <xsl:variable name="invoices" select="ctx:step[@name = 'invoices']/cn:ListInvoicesResponse/cn:invoice"/>
    <xsl:variable name="unpaid" select="$invoices[cn:status = 'open' or cn:status = 'overdue']"/>
    <xsl:variable name="currency" select="$unpaid[1]/cn:currency"/>
    <xsl:if test="$unpaid[cn:currency != $currency]">
      <xsl:message terminate="yes">the customer's unpaid invoices are in several currencies; no single balance exists</xsl:message>
    </xsl:if>
    <cn:GetCustomerAccountResponse>
      <cn:account>
        <xsl:copy-of select="ctx:step[@name = 'customer']/cn:GetCustomerResponse/cn:customer"/>
        <xsl:for-each select="$unpaid">
          <cn:openInvoice><xsl:copy-of select="*"/></cn:openInvoice>
        </xsl:for-each>
        <cn:balance><xsl:value-of select="format-number(sum($unpaid/cn:outstanding), '0.00##')"/></cn:balance>
        <xsl:choose>
          <xsl:when test="$currency"><cn:currency><xsl:value-of select="$currency"/></cn:currency></xsl:when>
          <xsl:when test="$invoices"><cn:currency><xsl:value-of select="$invoices[last()]/cn:currency"/></cn:currency></xsl:when>
        </xsl:choose>
      </cn:account>
    </cn:GetCustomerAccountResponse>
  </xsl:template>
</xsl:stylesheet>
