<?xml version="1.0"?>
<!-- The finished encounters published since the stored token (none before the first poll: from the beginning). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:cn="urn:soapbridge:canonical:v1">
  <xsl:param name="watermark"/>
  <xsl:param name="limit"/>
  <xsl:template match="/">
    <cn:ListFinishedEncounters>
      <xsl:if test="$watermark != ''"><cn:since><xsl:value-of select="$watermark"/></cn:since></xsl:if>
      <cn:limit><xsl:value-of select="$limit"/></cn:limit>
    </cn:ListFinishedEncounters>
  </xsl:template>
</xsl:stylesheet>
