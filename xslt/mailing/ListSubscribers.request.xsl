<?xml version="1.0" encoding="UTF-8"?>
<!--
  ListSubscribers -> ListPost listMembers.

  ListPost pages by offset: page (from 1, default 1) and pageSize (default 100) become
  start = (page - 1) * pageSize and limit = pageSize. Both are canonical xs:int values within
  bounds, so the product is an exact integer (XPath numbers hold integers up to 2^53 exactly),
  written without a fraction or an exponent.
  status: subscribed -> 1, unsubscribed -> 0; absent -> no filter.
  Only the wrapper lp:listMembers is in ListPost's namespace; its fields are unqualified, so
  this stylesheet declares no default namespace.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:lp="http://api.listpost.example.com/soap/2011/"
                exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:ListSubscribers">
    <xsl:variable name="page">
      <xsl:choose>
        <xsl:when test="cn:page"><xsl:value-of select="number(cn:page)"/></xsl:when>
        <xsl:otherwise>1</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="size">
      <xsl:choose>
        <xsl:when test="cn:pageSize"><xsl:value-of select="number(cn:pageSize)"/></xsl:when>
        <xsl:otherwise>100</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <lp:listMembers>
      <listId><xsl:value-of select="normalize-space(cn:listId)"/></listId>
      <xsl:if test="cn:status">
        <status><xsl:value-of select="number(normalize-space(cn:status) = 'subscribed')"/></status>
      </xsl:if>
      <start><xsl:value-of select="($page - 1) * $size"/></start>
      <limit><xsl:value-of select="$size"/></limit>
    </lp:listMembers>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected cn:ListSubscribers, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>
</xsl:stylesheet>
