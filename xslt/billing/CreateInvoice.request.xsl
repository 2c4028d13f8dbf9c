<?xml version="1.0" encoding="UTF-8"?>
<!--
  CreateInvoice: canonical request -> billing createInvoice (rpc/literal).

  - customerId -> accountNo: "ACC-" and the number zero-padded to six digits (1001 -> ACC-001001,
    1234567 -> ACC-1234567), as billing numbers its accounts after the CRM's customers.
  - externalRef and currency: unchanged.
  - issuedOn (xs:date YYYY-MM-DD; a timezone suffix is dropped: billing books calendar days)
    -> issueDate DD.MM.YYYY.
  - each line -> lines/item: description -> text; quantity -> quantity in plain notation
    (a leading + dropped, ".5" -> "0.5", "2." -> "2"); unitPrice -> unitPriceCents by moving the
    decimal point two places in the string: exact, no floating point, the sign kept
    ("-25.00" -> -2500, "0.05" -> 5). A unit price with non-zero digits beyond the cents stops the
    transform with xsl:message (InvalidRequest before billing is called): billing keeps cents.
  The rpc wrapper is qualified, its part accessors and everything in them are not.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:ns1="urn:example-billing:InvoiceService"
                exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:CreateInvoice">
    <xsl:variable name="id" select="normalize-space(cn:customerId)"/>
    <xsl:variable name="issued" select="normalize-space(cn:issuedOn)"/>
    <ns1:createInvoice>
      <accountNo><xsl:value-of select="concat('ACC-', substring('000000', string-length($id) + 1), $id)"/></accountNo>
      <externalRef><xsl:value-of select="normalize-space(cn:externalRef)"/></externalRef>
      <currency><xsl:value-of select="normalize-space(cn:currency)"/></currency>
      <issueDate><xsl:value-of select="concat(substring($issued, 9, 2), '.', substring($issued, 6, 2), '.', substring($issued, 1, 4))"/></issueDate>
      <lines>
        <xsl:apply-templates select="cn:line"/>
      </lines>
    </ns1:createInvoice>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected cn:CreateInvoice, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>

  <xsl:template match="cn:line">
    <item>
      <text><xsl:value-of select="normalize-space(cn:description)"/></text>
      <quantity><xsl:call-template name="plain"><xsl:with-param name="number" select="cn:quantity"/></xsl:call-template></quantity>
      <unitPriceCents><xsl:call-template name="cents"><xsl:with-param name="amount" select="cn:unitPrice"/></xsl:call-template></unitPriceCents>
    </item>
  </xsl:template>

  <!-- An unsigned xs:decimal in the plain form billing reads: no +, a digit before the point, no bare point. -->
  <xsl:template name="plain">
    <xsl:param name="number"/>
    <xsl:variable name="n" select="translate(normalize-space($number), '+', '')"/>
    <xsl:variable name="whole" select="substring-before(concat($n, '.'), '.')"/>
    <xsl:variable name="fraction" select="substring-after($n, '.')"/>
    <xsl:value-of select="concat(substring('0', 1, number($whole = '')), $whole)"/>
    <xsl:if test="$fraction != ''"><xsl:value-of select="concat('.', $fraction)"/></xsl:if>
  </xsl:template>

  <!-- A signed decimal -> whole cents by string surgery; refuses digits beyond the cents. -->
  <xsl:template name="cents">
    <xsl:param name="amount"/>
    <xsl:variable name="signed" select="normalize-space($amount)"/>
    <xsl:variable name="a" select="translate($signed, '+-', '')"/>
    <xsl:variable name="fraction" select="substring-after($a, '.')"/>
    <xsl:if test="translate(substring($fraction, 3), '0', '') != ''">
      <xsl:message terminate="yes">unit price <xsl:value-of select="$signed"/> has digits beyond the cents; billing books whole cents only</xsl:message>
    </xsl:if>
    <xsl:variable name="digits">
      <xsl:call-template name="without-leading-zeros">
        <xsl:with-param name="digits"
            select="concat(substring-before(concat($a, '.'), '.'), substring(concat($fraction, '00'), 1, 2))"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="starts-with($signed, '-') and $digits != '0'">-</xsl:if>
    <xsl:value-of select="$digits"/>
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
