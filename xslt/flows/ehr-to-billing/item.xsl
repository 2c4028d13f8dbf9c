<?xml version="1.0"?>
<!-- One finished encounter -> CreateInvoice on the patient's CRM customer (billing's account is the CRM id).
     The patient is found through the cross-reference: linked before, or matched now by email (lower-cased)
     among the CRM addresses crm-to-mailing has seen, and then linked for good. Nothing billable: no invoice. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:cn="urn:soapbridge:canonical:v1"
    xmlns:xref="urn:soapbridge:flows:xref" xmlns:flow="urn:soapbridge:flows" exclude-result-prefixes="xref">
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>
  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>

  <xsl:template match="/cn:encounter">
    <xsl:variable name="email" select="translate(cn:patientEmail, $upper, $lower)"/>
    <xsl:variable name="linked" select="xref:lookup('ehr-patient', cn:patientId, 'crm-customer')"/>
    <xsl:variable name="matched" select="xref:lookup('crm-email', $email, 'crm-customer')"/>
    <xsl:choose>
      <xsl:when test="not(cn:item)"><flow:skip/></xsl:when>
      <xsl:when test="$linked != ''"><xsl:apply-templates select="." mode="invoice"><xsl:with-param name="customer" select="$linked"/></xsl:apply-templates></xsl:when>
      <xsl:when test="$email = ''">
        <xsl:message terminate="yes">patient <xsl:value-of select="cn:patientId"/> (<xsl:value-of select="cn:patientName"/>) has no email in the EHR and is linked to no CRM customer: link them, then replay</xsl:message>
      </xsl:when>
      <xsl:when test="$matched = ''">
        <flow:retry reason="no CRM customer has the email of patient {cn:patientId} ({$email}) yet"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:apply-templates select="." mode="invoice">
          <xsl:with-param name="customer" select="xref:link('ehr-patient', cn:patientId, 'crm-customer', $matched)"/>
        </xsl:apply-templates>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="cn:encounter" mode="invoice">
    <xsl:param name="customer"/>
    <cn:CreateInvoice>
      <cn:customerId><xsl:value-of select="$customer"/></cn:customerId>
      <cn:externalRef><xsl:value-of select="cn:encounterId"/></cn:externalRef>
      <cn:issuedOn><xsl:value-of select="substring(cn:finishedAt, 1, 10)"/></cn:issuedOn>
      <cn:currency><xsl:value-of select="cn:item[1]/cn:currency"/></cn:currency>
      <xsl:for-each select="cn:item">
        <cn:line>
          <cn:description><xsl:value-of select="cn:description"/></cn:description>
          <cn:quantity><xsl:value-of select="cn:quantity"/></cn:quantity>
          <cn:unitPrice><xsl:value-of select="cn:unitPrice"/></cn:unitPrice>
        </cn:line>
      </xsl:for-each>
    </cn:CreateInvoice>
  </xsl:template>
</xsl:stylesheet>
