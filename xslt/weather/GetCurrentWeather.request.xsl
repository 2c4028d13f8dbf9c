<?xml version="1.0" encoding="UTF-8"?>
<!--
  GetCurrentWeather (canonical) -> GetCurrentObservation (AeroWx Data Feed 2.1, SOAP 1.2).
  The feed wants the ICAO code exactly as it files it: upper case, no blanks.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:wx="http://aerowx.example.net/WxFeed/2005/03/types"
                exclude-result-prefixes="cn">

  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <!-- The gateway's subscription key, from adapters/weather.toml [parameters] (a secret, from the environment). -->
  <xsl:param name="licence"/>

  <xsl:template match="/cn:GetCurrentWeather">
    <wx:GetCurrentObservation>
      <wx:LicenceKey><xsl:value-of select="$licence"/></wx:LicenceKey>
      <wx:StationICAO><xsl:value-of select="normalize-space(cn:stationId)"/></wx:StationICAO>
    </wx:GetCurrentObservation>
  </xsl:template>

</xsl:stylesheet>
