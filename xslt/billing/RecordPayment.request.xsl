<?xml version="1.0" encoding="UTF-8"?>
<!--
  RecordPayment: canonical request -> billing postPayment (rpc/literal).

  Money: canonical amount (xs:decimal, up to four fraction digits, > 0) -> billing's integer
  cents, by moving the decimal point two places in the string: exact, no floating point and
  no rounding, ever. "+0175.5000" -> 17550, "0.05" -> 5, "100" -> 10000.
  Sub-cent amounts are refused, never rounded: an amount with non-zero digits beyond the
  cents (12.345) stops the transform with xsl:message terminate="yes", which the engine
  answers with InvalidRequest before anything reaches billing (a payment posting is not
  idempotent, so a bad one should not even be attempted). Trailing zeros are fine (12.3400).
  Dates: paidOn (xs:date YYYY-MM-DD, a timezone suffix is dropped: billing books calendar
  days) -> billing's value date DD.MM.YYYY.
  The reference is passed unchanged; billing refuses more than 140 characters
  (ValidationFault -> InvalidRequest).
  The rpc wrapper is qualified, its part accessors are not.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:ns1="urn:example-billing:InvoiceService"
                exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:RecordPayment">
    <xsl:variable name="paidOn" select="normalize-space(cn:paidOn)"/>
    <ns1:postPayment>
      <invoiceNo><xsl:value-of select="normalize-space(cn:invoiceId)"/></invoiceNo>
      <amountCents><xsl:call-template name="cents"><xsl:with-param name="amount" select="cn:amount"/></xsl:call-template></amountCents>
      <currency><xsl:value-of select="normalize-space(cn:currency)"/></currency>
      <valueDate><xsl:value-of select="concat(substring($paidOn, 9, 2), '.', substring($paidOn, 6, 2), '.', substring($paidOn, 1, 4))"/></valueDate>
      <reference><xsl:value-of select="cn:reference"/></reference>
    </ns1:postPayment>
  </xsl:template>

  <!-- Decimal -> cents by string surgery; refuses digits beyond the cents. -->
  <xsl:template name="cents">
    <xsl:param name="amount"/>
    <xsl:variable name="a" select="translate(normalize-space($amount), '+', '')"/>
    <xsl:variable name="fraction" select="substring-after($a, '.')"/>
    <xsl:variable name="subcents" select="substring($fraction, 3)"/>
    <xsl:if test="translate($subcents, '0', '') != ''">
      <xsl:message terminate="yes">amount <xsl:value-of select="$amount"/> has digits beyond the cents; billing books whole cents only</xsl:message>
    </xsl:if>
    <xsl:call-template name="without-leading-zeros">
      <xsl:with-param name="digits"
          select="concat(substring-before(concat($a, '.'), '.'), substring(concat($fraction, '00'), 1, 2))"/>
    </xsl:call-template>
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
