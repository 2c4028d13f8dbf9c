<?xml version="1.0" encoding="UTF-8"?>
<!--
  ListSubscribers, response: ListPost listMembersResponse -> cn:ListSubscribersResponse.

  The fields inside lp:listMembersResponse are unqualified, hence the unprefixed paths.
  - subscriber: each member; email as it is; customerId from externalId, only when it is a CRM
    customer id (digits, no leading zero, at most 10): ListPost's externalId is free text, and an
    id that is not a customer's is left out rather than breaking the page; name from fullName
    when there is one (at most 200 characters kept); status 1 -> subscribed, anything else ->
    unsubscribed (ListPost documents 0 and 1 only).
  - total: ListPost's total (the members with the status asked for).
  - more: whether members lie beyond this page: (page - 1) * pageSize + the members on it
    < total, with page and pageSize the request's (params), 1 and 100 when absent, as in the
    request stylesheet. The answer does not repeat the page number: a response field named like
    a request field of another type breaks JAX-WS's wrapper-style signatures.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:lp="http://api.listpost.example.com/soap/2011/"
                exclude-result-prefixes="lp">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="page" select="''"/>
  <xsl:param name="pageSize" select="''"/>

  <xsl:template match="/lp:listMembersResponse">
    <xsl:variable name="p">
      <xsl:choose>
        <xsl:when test="normalize-space($page) != ''"><xsl:value-of select="number($page)"/></xsl:when>
        <xsl:otherwise>1</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="size">
      <xsl:choose>
        <xsl:when test="normalize-space($pageSize) != ''"><xsl:value-of select="number($pageSize)"/></xsl:when>
        <xsl:otherwise>100</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <cn:ListSubscribersResponse>
      <xsl:apply-templates select="member"/>
      <cn:total><xsl:value-of select="normalize-space(total)"/></cn:total>
      <cn:more><xsl:value-of select="($p - 1) * $size + count(member) &lt; number(total)"/></cn:more>
    </cn:ListSubscribersResponse>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected lp:listMembersResponse, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>

  <xsl:template match="member">
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
