<?xml version="1.0" encoding="UTF-8"?>
<!--
  GetCountryName (canonical) -> CountryName (CountryInfoService).
  The WSDL's schema is elementFormDefault="unqualified": the wrapper is in the service's
  namespace, its field sCountryISOCode in none.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:ci="http://www.oorsprong.org/websamples.countryinfo"
                exclude-result-prefixes="cn">

  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:template match="/cn:GetCountryName">
    <ci:CountryName>
      <sCountryISOCode><xsl:value-of select="normalize-space(cn:countryCode)"/></sCountryISOCode>
    </ci:CountryName>
  </xsl:template>

</xsl:stylesheet>
