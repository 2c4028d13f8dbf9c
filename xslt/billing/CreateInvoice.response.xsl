<?xml version="1.0" encoding="UTF-8"?>
<!--
  CreateInvoice: billing createInvoiceResponse -> canonical CreateInvoiceResponse.

  The invoice as billing stored it, by the rules of ListInvoices.response.xsl (kept here too,
  so that a stylesheet stands alone):
  - customerId from the answer's accountNo: "ACC-" and leading zeros dropped (ACC-001001 -> 1001).
  - Dates: billing's DD.MM.YYYY -> xs:date YYYY-MM-DD, by rearranging the digits.
  - Money: integer cents -> a decimal with exactly two fraction digits, by moving the decimal
    point in the string: exact, nothing to round (the line amounts are billing's, rounded half up).
  - total is totalCents; outstanding is openCents (all of it, for a new invoice).
  - Status codes: O -> open, P -> paid, D -> overdue; an unknown code stops the transform.
  The externalRef billing echoes is the request's own and has no place in the canonical Invoice.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:ns1="urn:example-billing:InvoiceService"
                exclude-result-prefixes="ns1">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/ns1:createInvoiceResponse">
    <cn:CreateInvoiceResponse>
      <xsl:apply-templates select="invoice"/>
    </cn:CreateInvoiceResponse>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected ns1:createInvoiceResponse, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>

  <xsl:template match="invoice">
    <cn:invoice>
      <cn:id><xsl:value-of select="normalize-space(invoiceNo)"/></cn:id>
      <cn:customerId>
        <xsl:call-template name="without-leading-zeros">
          <xsl:with-param name="digits" select="substring-after(normalize-space(../accountNo), 'ACC-')"/>
        </xsl:call-template>
      </cn:customerId>
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
