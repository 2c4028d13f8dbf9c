<?xml version="1.0" encoding="UTF-8"?>
<!--
  UnsubscribeCustomer, response: ListPost unsubscribeResponse -> cn:UnsubscribeCustomerResponse.

  The subscriber's fields are unqualified. Mapped as in ListSubscribers.response.xsl (kept here
  too, so that a stylesheet stands alone): customerId from externalId only when it is a CRM
  customer id; name from fullName when there is one; status 1 -> subscribed, else unsubscribed.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:lp="http://api.listpost.example.com/soap/2011/"
                exclude-result-prefixes="lp">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/lp:unsubscribeResponse">
    <cn:UnsubscribeCustomerResponse>
      <xsl:apply-templates select="subscriber"/>
    </cn:UnsubscribeCustomerResponse>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected lp:unsubscribeResponse, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>

  <xsl:template match="subscriber">
    <xsl:variable name="id" select="normalize-space(externalId)"/>
    <xsl:variable name="name" select="normalize-space(fullName)"/>
    <cn:subscriber>
      <cn:email><xsl:value-of select="normalize-space(email)"/></cn:email>
      <xsl:if test="$id != '' and translate($id, '0123456789', '') = '' and not(starts-with($id, '0'))
                    and string-length($id) &lt;= 10">
        <cn:customerId><xsl:value-of select="$id"/></cn:customerId>
      </xsl:if>
      <xsl:if test="$name != ''">
        <cn:name><xsl:value-of select="substring($name, 1, 200)"/></cn:name>
      </xsl:if>
      <cn:status>
        <xsl:choose>
          <xsl:when test="normalize-space(status) = '1'">subscribed</xsl:when>
          <xsl:otherwise>unsubscribed</xsl:otherwise>
        </xsl:choose>
      </cn:status>
    </cn:subscriber>
  </xsl:template>
</xsl:stylesheet>
