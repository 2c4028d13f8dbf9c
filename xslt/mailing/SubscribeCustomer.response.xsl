<?xml version="1.0" encoding="UTF-8"?>
<!--
  SubscribeCustomer, response: ListPost subscribeResponse -> cn:SubscribeCustomerResponse.

  The legacy fields inside lp:subscribeResponse are unqualified (no namespace), hence the
  unprefixed paths below.
  - subscriptionId: ListPost's numeric subscriberId, as text (an Identifier).
  - customerId: the canonical request's customerId (param). ListPost keeps the externalId
    of the FIRST subscription of an address, which may belong to someone else or be absent,
    so the subscriber's externalId is only a fallback when the param is not given.
  - listId: the list ListPost echoes; the request's listId (param) if it echoes none.
  - status: ListPost's integer code; 1 -> subscribed. 0 -> unsubscribed; ListPost documents
    no other code, and anything that is not 1 is not an active subscription.
  No decimal or money conversion happens here.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:lp="http://api.listpost.example.com/soap/2011/"
                exclude-result-prefixes="lp">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>

  <xsl:param name="customerId"/>
  <xsl:param name="listId"/>

  <xsl:template match="/lp:subscribeResponse">
    <cn:SubscribeCustomerResponse>
      <xsl:apply-templates select="subscriber"/>
    </cn:SubscribeCustomerResponse>
  </xsl:template>

  <xsl:template match="subscriber">
    <cn:subscription>
      <cn:subscriptionId><xsl:value-of select="normalize-space(subscriberId)"/></cn:subscriptionId>
      <cn:listId>
        <xsl:call-template name="first-of">
          <xsl:with-param name="preferred" select="listId"/>
          <xsl:with-param name="fallback" select="$listId"/>
        </xsl:call-template>
      </cn:listId>
      <cn:customerId>
        <xsl:call-template name="first-of">
          <xsl:with-param name="preferred" select="$customerId"/>
          <xsl:with-param name="fallback" select="externalId"/>
        </xsl:call-template>
      </cn:customerId>
      <cn:email><xsl:value-of select="normalize-space(email)"/></cn:email>
      <cn:status>
        <xsl:choose>
          <xsl:when test="normalize-space(status) = '1'">subscribed</xsl:when>
          <xsl:otherwise>unsubscribed</xsl:otherwise>
        </xsl:choose>
      </cn:status>
    </cn:subscription>
  </xsl:template>

  <!-- The preferred value when it is not blank, else the fallback; both trimmed. -->
  <xsl:template name="first-of">
    <xsl:param name="preferred"/>
    <xsl:param name="fallback"/>
    <xsl:choose>
      <xsl:when test="normalize-space($preferred) != ''"><xsl:value-of select="normalize-space($preferred)"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="normalize-space($fallback)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
