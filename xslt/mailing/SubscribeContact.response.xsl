<?xml version="1.0" encoding="UTF-8"?>
<!--
  SubscribeContact, response: ListPost subscribeResponse -> cn:SubscribeContactResponse.

  The subscriber's fields are unqualified.
  - subscriptionId: ListPost's numeric subscriberId, as text.
  - listId: the list ListPost echoes; the request's listId (param) if it echoes none.
  - customerId: the request's customerId (param); ListPost's externalId only when no param is
    given (with updateExisting they are the same).
  - email: ListPost's, as it stored it.
  - status: 1 -> subscribed, anything else -> unsubscribed.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:lp="http://api.listpost.example.com/soap/2011/"
                exclude-result-prefixes="lp">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="customerId" select="''"/>
  <xsl:param name="listId" select="''"/>

  <xsl:template match="/lp:subscribeResponse">
    <cn:SubscribeContactResponse>
      <xsl:apply-templates select="subscriber"/>
    </cn:SubscribeContactResponse>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected lp:subscribeResponse, got <xsl:value-of select="name()"/></xsl:message>
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
