<?xml version="1.0" encoding="UTF-8"?>
<!--
  SubscribeContact -> ListPost subscribe, with updateExisting.

  The canonical request carries everything ListPost needs, so no CRM step runs (compare
  SubscribeCustomer): email as it is, customerId -> externalId, name -> fullName when given.
  updateExisting=true makes an address already on the list take this externalId and fullName
  instead of keeping its own, and subscribes it again if it had unsubscribed: the same request
  twice leaves the list as once.
  Only the wrapper is qualified: no default namespace is declared.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:lp="http://api.listpost.example.com/soap/2011/"
                exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:SubscribeContact">
    <lp:subscribe>
      <listId><xsl:value-of select="normalize-space(cn:listId)"/></listId>
      <email><xsl:value-of select="normalize-space(cn:email)"/></email>
      <externalId><xsl:value-of select="normalize-space(cn:customerId)"/></externalId>
      <xsl:if test="cn:name">
        <fullName><xsl:value-of select="normalize-space(cn:name)"/></fullName>
      </xsl:if>
      <updateExisting>true</updateExisting>
    </lp:subscribe>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected cn:SubscribeContact, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>
</xsl:stylesheet>
