<?xml version="1.0" encoding="UTF-8"?>
<!--
  UnsubscribeCustomer -> ListPost unsubscribe.

  By email (one address), or by customerId, which ListPost keeps as the member's externalId
  (every address of that customer on the list). The canonical XSD makes both optional, so that
  the JSON form stays a flat object: a request with neither or both stops here with
  xsl:message, which the engine answers with InvalidRequest before ListPost is called.
  Only the wrapper is qualified: no default namespace is declared.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:lp="http://api.listpost.example.com/soap/2011/"
                exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:UnsubscribeCustomer">
    <xsl:if test="count(cn:email | cn:customerId) != 1">
      <xsl:message terminate="yes">UnsubscribeCustomer takes either an email or a customerId</xsl:message>
    </xsl:if>
    <lp:unsubscribe>
      <listId><xsl:value-of select="normalize-space(cn:listId)"/></listId>
      <xsl:if test="cn:email">
        <email><xsl:value-of select="normalize-space(cn:email)"/></email>
      </xsl:if>
      <xsl:if test="cn:customerId">
        <externalId><xsl:value-of select="normalize-space(cn:customerId)"/></externalId>
      </xsl:if>
    </lp:unsubscribe>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected cn:UnsubscribeCustomer, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>
</xsl:stylesheet>
