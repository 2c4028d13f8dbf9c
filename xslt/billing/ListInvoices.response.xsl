<?xml version="1.0" encoding="UTF-8"?>
<!--
  ListInvoices: billing getAccountInvoicesResponse -> canonical ListInvoicesResponse.

  - customerId comes from the answer's accountNo: "ACC-" and leading zeros dropped
    (ACC-001001 -> 1001), with string operations only.
  - Dates: billing's DD.MM.YYYY -> xs:date YYYY-MM-DD, by rearranging the digits.
  - Money: billing's integer cents (xsd:long, may be negative, e.g. a discount line) ->
    a decimal with exactly two fraction digits (104500 -> 1045.00, 5 -> 0.05, -2500 -> -25.00),
    by moving the decimal point in the string: exact, nothing to round.
  - total is the invoice's gross total (totalCents); outstanding is its open balance (openCents).
  - quantity is billing's xsd:decimal, passed through unchanged.
  - Status codes: O -> open, P -> paid, D (dunned) -> overdue. An unknown code stops the
    transform with a message rather than producing an invalid canonical answer.
  - Billing cannot filter by status: the optional canonical status arrives as $status and
    only invoices with that status are kept (all of them when it is empty).
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:ns1="urn:example-billing:InvoiceService"
                exclude-result-prefixes="ns1">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="status" select="''"/>

  <xsl:template match="/ns1:getAccountInvoicesResponse">
    <xsl:variable name="customerId">
      <xsl:call-template name="without-leading-zeros">
        <xsl:with-param name="digits" select="substring-after(normalize-space(accountNo), 'ACC-')"/>
      </xsl:call-template>
    </xsl:variable>
    <cn:ListInvoicesResponse>
      <xsl:apply-templates select="invoices/item[$status = ''
          or ($status = 'open' and statusCode = 'O')
          or ($status = 'paid' and statusCode = 'P')
          or ($status = 'overdue' and statusCode = 'D')]">
        <xsl:with-param name="customerId" select="$customerId"/>
      </xsl:apply-templates>
    </cn:ListInvoicesResponse>
  </xsl:template>

  <xsl:template match="invoices/item">
    <xsl:param name="customerId"/>
    <cn:invoice>
      <cn:id><xsl:value-of select="normalize-space(invoiceNo)"/></cn:id>
      <cn:customerId><xsl:value-of select="$customerId"/></cn:customerId>
      <cn:issuedOn><xsl:call-template name="iso-date"><xsl:with-param name="ledger" select="issueDate"/></xsl:call-template></cn:issuedOn>
      <cn:dueOn><xsl:call-template name="iso-date"><xsl:with-param name="ledger" select="dueDate"/></xsl:call-template></cn:dueOn>
      <cn:currency><xsl:value-of select="normalize-space(currency)"/></cn:currency>
      <cn:total><xsl:call-template name="decimal"><xsl:with-param name="cents" select="totalCents"/></xsl:call-template></cn:total>
      <cn:outstanding><xsl:call-template name="decimal"><xsl:with-param name="cents" select="openCents"/></xsl:call-template></cn:outstanding>
      <cn:status><xsl:apply-templates select="statusCode"/></cn:status>
      <xsl:apply-templates select="lines/item"/>
    </cn:invoice>
  </xsl:template>

  <xsl:template match="lines/item">
    <cn:line>
      <cn:description><xsl:value-of select="normalize-space(text)"/></cn:description>
      <cn:quantity><xsl:value-of select="normalize-space(quantity)"/></cn:quantity>
      <cn:unitPrice><xsl:call-template name="decimal"><xsl:with-param name="cents" select="unitPriceCents"/></xsl:call-template></cn:unitPrice>
      <cn:amount><xsl:call-template name="decimal"><xsl:with-param name="cents" select="amountCents"/></xsl:call-template></cn:amount>
    </cn:line>
  </xsl:template>

  <xsl:template match="statusCode[. = 'O']">open</xsl:template>
  <xsl:template match="statusCode[. = 'P']">paid</xsl:template>
  <xsl:template match="statusCode[. = 'D']">overdue</xsl:template>
  <xsl:template match="statusCode">
    <xsl:message terminate="yes">billing sent an unknown invoice status code '<xsl:value-of select="."/>'</xsl:message>
  </xsl:template>

  <!-- DD.MM.YYYY -> YYYY-MM-DD -->
  <xsl:template name="iso-date">
    <xsl:param name="ledger"/>
    <xsl:variable name="d" select="normalize-space($ledger)"/>
    <xsl:value-of select="concat(substring($d, 7, 4), '-', substring($d, 4, 2), '-', substring($d, 1, 2))"/>
  </xsl:template>

  <!-- Integer cents -> decimal with two fraction digits, by string surgery (no floating point). -->
  <xsl:template name="decimal">
    <xsl:param name="cents"/>
    <xsl:variable name="c" select="normalize-space($cents)"/>
    <xsl:variable name="digits" select="translate($c, '+-', '')"/>
    <xsl:variable name="padded" select="concat(substring('00', string-length($digits)), $digits)"/>
    <xsl:variable name="length" select="string-length($padded)"/>
    <xsl:if test="starts-with($c, '-')">-</xsl:if>
    <xsl:value-of select="concat(substring($padded, 1, $length - 2), '.', substring($padded, $length - 1))"/>
  </xsl:template>

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
