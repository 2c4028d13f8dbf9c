<?xml version="1.0"?>
<!-- The newsletter's subscribed members, a page at a time. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:cn="urn:soapbridge:canonical:v1">
  <xsl:param name="page"/>
  <xsl:template match="/">
    <cn:ListSubscribers>
      <cn:listId>newsletter</cn:listId>
      <cn:status>subscribed</cn:status>
      <cn:page><xsl:value-of select="$page"/></cn:page>
      <cn:pageSize>1000</cn:pageSize>
    </cn:ListSubscribers>
  </xsl:template>
</xsl:stylesheet>
