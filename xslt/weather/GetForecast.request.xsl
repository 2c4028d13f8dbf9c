<?xml version="1.0" encoding="UTF-8"?>
<!--
  GetForecast (canonical) -> GetDailyForecast (AeroWx Data Feed 2.1, SOAP 1.2).
  days is an xs:int, so it may arrive as "03" or "+3"; the feed only accepts plain digits,
  so it is re-printed as a whole number (XPath 1.0 number() refuses a leading "+").
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:wx="http://aerowx.example.net/WxFeed/2005/03/types"
                exclude-result-prefixes="cn">

  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <!-- The gateway's subscription key, from adapters/weather.toml [parameters] (a secret, from the environment). -->
  <xsl:param name="licence"/>

  <xsl:template match="/cn:GetForecast">
    <wx:GetDailyForecast>
      <wx:LicenceKey><xsl:value-of select="$licence"/></wx:LicenceKey>
      <wx:StationICAO><xsl:value-of select="normalize-space(cn:stationId)"/></wx:StationICAO>
      <wx:NumDays><xsl:value-of select="number(translate(normalize-space(cn:days), '+', ''))"/></wx:NumDays>
    </wx:GetDailyForecast>
  </xsl:template>

</xsl:stylesheet>
