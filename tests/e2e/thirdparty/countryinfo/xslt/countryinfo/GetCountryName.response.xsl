<?xml version="1.0" encoding="UTF-8"?>
<!--
  CountryNameResponse (CountryInfoService) -> GetCountryNameResponse (canonical).
  The answer holds only the name; the code comes from the canonical request (a response
  stylesheet's xsl:param named after a request field). "Country not found in the database"
  never reaches this stylesheet: adapters/countryinfo.toml [[answers]] makes it NotFound.
  CountryNameResult is unqualified in the WSDL (elementFormDefault="unqualified"); the name is
  read qualified as well, as DataFlex answers are known to write it.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:ci="http://www.oorsprong.org/websamples.countryinfo"
                exclude-result-prefixes="ci">

  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:param name="countryCode"/>

  <xsl:template match="/ci:CountryNameResponse">
    <cn:GetCountryNameResponse>
      <cn:countryCode><xsl:value-of select="normalize-space($countryCode)"/></cn:countryCode>
      <cn:name><xsl:value-of select="normalize-space(CountryNameResult | ci:CountryNameResult)"/></cn:name>
    </cn:GetCountryNameResponse>
  </xsl:template>

</xsl:stylesheet>
