<?xml version="1.0" encoding="UTF-8"?>
<!--
  ListFinishedEncounters -> MediChart QueryFinishedEncounters_Request (ehr, SOAP 1.2).

  HL7 style: every element is qualified and carries its value in a value attribute.
  since -> cursor/@value, only when given (an absent cursor reads from the first publication);
  the tokens the gateway hands out are MediChart's cursors, passed back unchanged (MediChart
  refuses anything else with INVALID_CURSOR -> InvalidRequest).
  limit -> maxResults/@value; absent -> 100, said out loud rather than left to MediChart.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cn="urn:soapbridge:canonical:v1"
    xmlns:mc="urn:medichart:ehr:encounters:2"
    exclude-result-prefixes="cn">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/cn:ListFinishedEncounters">
    <mc:QueryFinishedEncounters_Request>
      <xsl:if test="cn:since">
        <mc:cursor value="{normalize-space(cn:since)}"/>
      </xsl:if>
      <xsl:choose>
        <xsl:when test="cn:limit"><mc:maxResults value="{normalize-space(cn:limit)}"/></xsl:when>
        <xsl:otherwise><mc:maxResults value="100"/></xsl:otherwise>
      </xsl:choose>
    </mc:QueryFinishedEncounters_Request>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected cn:ListFinishedEncounters, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>
</xsl:stylesheet>
