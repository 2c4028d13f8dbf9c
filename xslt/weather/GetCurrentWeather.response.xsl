<?xml version="1.0" encoding="UTF-8"?>
<!--
  GetCurrentObservationResponse (AeroWx Data Feed 2.1) -> GetCurrentWeatherResponse (canonical).

  Conversions (the gateway's tests recompute them in Python with the same double arithmetic,
  so the order of the operations below is part of the contract):
    temperatureC = round(((t div 10) - 32) * 5 div 9 * 10) div 10      t: TempF10, tenths of F
    windKph      = round(knots * 1.852 * 10) div 10                      knots: WindSpeedKt
  Rounding: XPath round(), i.e. floor(x + 0.5): halves go up, towards +infinity. Both are
  printed with format-number(..., '0.0'). "0 + " turns the negative zero that round() gives
  for -0.5 <= x < 0 into zero, so "-0.0" is never printed.
  observedAt: ObsTime yyyyMMddTHHmmZ -> yyyy-MM-ddTHH:mm:00Z (UTC either way).
  condition: METAR code -> canonical enum; the most significant phenomenon wins (TS, SN, DZ,
  RA, fog/mist, then sky cover). An unknown code is copied unchanged so that canonical
  validation rejects it loudly instead of guessing.
  Not mapped: ReportNo, WindDirDeg, WindGustKt, AltimeterInHg100.
  The two weather response stylesheets carry the same named templates (celsius, condition);
  they are copied, not included, so each stylesheet stands alone.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:wx="http://aerowx.example.net/WxFeed/2005/03/types"
                exclude-result-prefixes="wx">

  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:template match="/wx:GetCurrentObservationResponse">
    <cn:GetCurrentWeatherResponse>
      <xsl:apply-templates select="wx:Observation"/>
    </cn:GetCurrentWeatherResponse>
  </xsl:template>

  <xsl:template match="wx:Observation">
    <cn:observation>
      <cn:stationId><xsl:value-of select="wx:StationICAO"/></cn:stationId>
      <cn:observedAt>
        <xsl:variable name="t" select="wx:ObsTime"/>
        <xsl:value-of select="concat(substring($t, 1, 4), '-', substring($t, 5, 2), '-', substring($t, 7, 2),
                                     'T', substring($t, 10, 2), ':', substring($t, 12, 2), ':00Z')"/>
      </cn:observedAt>
      <cn:temperatureC>
        <xsl:call-template name="celsius"><xsl:with-param name="tenthsF" select="wx:TempF10"/></xsl:call-template>
      </cn:temperatureC>
      <cn:humidityPercent><xsl:value-of select="number(wx:RelHumPct)"/></cn:humidityPercent>
      <cn:windKph><xsl:value-of select="format-number(round(wx:WindSpeedKt * 1.852 * 10) div 10, '0.0')"/></cn:windKph>
      <cn:condition>
        <xsl:call-template name="condition"><xsl:with-param name="code" select="wx:WxCode"/></xsl:call-template>
      </cn:condition>
    </cn:observation>
  </xsl:template>

  <xsl:template name="celsius">
    <xsl:param name="tenthsF"/>
    <xsl:value-of select="format-number(0 + round((($tenthsF div 10) - 32) * 5 div 9 * 10) div 10, '0.0')"/>
  </xsl:template>

  <xsl:template name="condition">
    <xsl:param name="code"/>
    <xsl:variable name="c" select="normalize-space($code)"/>
    <xsl:choose>
      <xsl:when test="contains($c, 'TS')">thunderstorm</xsl:when>
      <xsl:when test="contains($c, 'SN')">snow</xsl:when>
      <xsl:when test="contains($c, 'DZ')">drizzle</xsl:when>
      <xsl:when test="contains($c, 'RA')">rain</xsl:when>
      <xsl:when test="contains($c, 'FG') or $c = 'BR'">fog</xsl:when>
      <xsl:when test="$c = 'SKC' or $c = 'CLR' or $c = 'CAVOK'">clear</xsl:when>
      <xsl:when test="$c = 'FEW' or $c = 'SCT'">partly-cloudy</xsl:when>
      <xsl:when test="$c = 'BKN' or $c = 'OVC'">cloudy</xsl:when>
      <xsl:otherwise><xsl:value-of select="$c"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
