<?xml version="1.0" encoding="UTF-8"?>
<!--
  MediChart QueryFinishedEncounters_Response (ehr) -> ListFinishedEncountersResponse.

  Every MediChart element is qualified (mc:); values are read from their attributes.
  - encounterId: id/@extension (the root OID only says which id space; it is the EHR's).
  - patientId: subject/patient/id/@extension; patientName: the given names then the family
    name, separated by single spaces.
  - patientEmail: the first telecom whose value is a mailto: URL, without "mailto:"; absent when
    the patient has none (a phone number, say, is not an email address).
  - finishedAt: effectiveTime/high, HL7 TS YYYYMMDDHHMMSS+ZZZZ -> YYYY-MM-DDThh:mm:ssZ. MediChart
    keeps UTC (+0000, or -0000); any other offset stops the transform with a message rather
    than being converted with XSLT 1.0 date arithmetic.
  - version: versionNumber/@value, unchanged.
  - item: each component/billableItem: code/@code, code/@displayName (the code itself when there
    is no display name), quantity/@value and unitPrice/@value as the decimals they are (no
    conversion: both are already in canonical units), unitPrice/@currency.
  - nextToken: the answer's cursor/@value; more: moreResults/@value (true or false, or 1 or 0).
  statusCode is always "completed" here: only finished encounters are published.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cn="urn:soapbridge:canonical:v1"
    xmlns:mc="urn:medichart:ehr:encounters:2"
    exclude-result-prefixes="mc">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/mc:QueryFinishedEncounters_Response">
    <xsl:variable name="more" select="normalize-space(mc:moreResults/@value)"/>
    <cn:ListFinishedEncountersResponse>
      <xsl:apply-templates select="mc:encounter"/>
      <cn:nextToken><xsl:value-of select="normalize-space(mc:cursor/@value)"/></cn:nextToken>
      <cn:more><xsl:value-of select="$more = 'true' or $more = '1'"/></cn:more>
    </cn:ListFinishedEncountersResponse>
  </xsl:template>

  <xsl:template match="/*" priority="-1">
    <xsl:message terminate="yes">expected mc:QueryFinishedEncounters_Response, got <xsl:value-of select="name()"/></xsl:message>
  </xsl:template>

  <xsl:template match="mc:encounter">
    <xsl:variable name="patient" select="mc:subject/mc:patient"/>
    <xsl:variable name="mail" select="$patient/mc:telecom[starts-with(normalize-space(@value), 'mailto:')][1]"/>
    <cn:encounter>
      <cn:encounterId><xsl:value-of select="normalize-space(mc:id/@extension)"/></cn:encounterId>
      <cn:patientId><xsl:value-of select="normalize-space($patient/mc:id/@extension)"/></cn:patientId>
      <cn:patientName>
        <xsl:for-each select="$patient/mc:name/mc:given[normalize-space(.) != '']">
          <xsl:value-of select="concat(normalize-space(.), ' ')"/>
        </xsl:for-each>
        <xsl:value-of select="normalize-space($patient/mc:name/mc:family)"/>
      </cn:patientName>
      <xsl:if test="$mail">
        <cn:patientEmail><xsl:value-of select="substring-after(normalize-space($mail/@value), 'mailto:')"/></cn:patientEmail>
      </xsl:if>
      <cn:finishedAt>
        <xsl:call-template name="utc">
          <xsl:with-param name="ts" select="normalize-space(mc:effectiveTime/mc:high/@value)"/>
        </xsl:call-template>
      </cn:finishedAt>
      <cn:version><xsl:value-of select="normalize-space(mc:versionNumber/@value)"/></cn:version>
      <xsl:apply-templates select="mc:component/mc:billableItem"/>
    </cn:encounter>
  </xsl:template>

  <xsl:template match="mc:billableItem">
    <cn:item>
      <cn:code><xsl:value-of select="normalize-space(mc:code/@code)"/></cn:code>
      <cn:description>
        <xsl:choose>
          <xsl:when test="normalize-space(mc:code/@displayName) != ''"><xsl:value-of select="normalize-space(mc:code/@displayName)"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="normalize-space(mc:code/@code)"/></xsl:otherwise>
        </xsl:choose>
      </cn:description>
      <cn:quantity><xsl:value-of select="normalize-space(mc:quantity/@value)"/></cn:quantity>
      <cn:unitPrice><xsl:value-of select="normalize-space(mc:unitPrice/@value)"/></cn:unitPrice>
      <cn:currency><xsl:value-of select="normalize-space(mc:unitPrice/@currency)"/></cn:currency>
    </cn:item>
  </xsl:template>

  <!-- HL7 TS in UTC, YYYYMMDDHHMMSS+0000 -> xs:dateTime with Z. -->
  <xsl:template name="utc">
    <xsl:param name="ts"/>
    <xsl:variable name="offset" select="substring($ts, 15)"/>
    <xsl:if test="$offset != '+0000' and $offset != '-0000'">
      <xsl:message terminate="yes">the EHR sent the time <xsl:value-of select="$ts"/>, which is not in UTC (+0000)</xsl:message>
    </xsl:if>
    <xsl:value-of select="concat(substring($ts, 1, 4), '-', substring($ts, 5, 2), '-', substring($ts, 7, 2), 'T',
                                 substring($ts, 9, 2), ':', substring($ts, 11, 2), ':', substring($ts, 13, 2), 'Z')"/>
  </xsl:template>
</xsl:stylesheet>
