<?xml version="1.0" encoding="UTF-8"?>
<!--
  RecordPayment: billing postPaymentResponse -> canonical RecordPaymentResponse.

  - paymentId is billing's payment number (xsd:long) as text.
  - status: settled when billing marked the invoice paid (statusCode P, open balance 0),
    applied otherwise (O or D: a balance remains).
  - remainingBalance: billing's open balance in integer cents -> a decimal with exactly two
    fraction digits (7500 -> 75.00, 0 -> 0.00), by moving the decimal point in the string:
    exact, nothing to round.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:ns1="urn:example-billing:InvoiceService"
                exclude-result-prefixes="ns1">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/ns1:postPaymentResponse">
    <cn:RecordPaymentResponse>
      <xsl:apply-templates select="confirmation"/>
    </cn:RecordPaymentResponse>
  </xsl:template>

  <xsl:template match="confirmation">
    <cn:receipt>
      <cn:paymentId><xsl:value-of select="normalize-space(paymentNo)"/></cn:paymentId>
      <cn:invoiceId><xsl:value-of select="normalize-space(invoiceNo)"/></cn:invoiceId>
      <cn:status>
        <xsl:choose>
          <xsl:when test="normalize-space(statusCode) = 'P'">settled</xsl:when>
          <xsl:otherwise>applied</xsl:otherwise>
        </xsl:choose>
      </cn:status>
      <cn:remainingBalance><xsl:call-template name="decimal"><xsl:with-param name="cents" select="openCents"/></xsl:call-template></cn:remainingBalance>
      <cn:currency><xsl:value-of select="normalize-space(currency)"/></cn:currency>
    </cn:receipt>
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
</xsl:stylesheet>
