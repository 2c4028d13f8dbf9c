<?xml version="1.0"?>
<!-- A drifting customer as the flow's items come: a change of it, now, delivered again. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:cn="urn:soapbridge:canonical:v1">
  <xsl:param name="now"/>
  <xsl:template match="/cn:customer">
    <cn:change>
      <cn:customer><xsl:copy-of select="*"/></cn:customer>
      <cn:version>1</cn:version>
      <cn:changedAt><xsl:value-of select="$now"/></cn:changedAt>
    </cn:change>
  </xsl:template>
</xsl:stylesheet>
