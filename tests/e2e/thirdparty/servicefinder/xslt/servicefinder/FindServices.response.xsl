<?xml version="1.0" encoding="UTF-8"?>
<!--
  GetServicesforPincodeResponse (ServiceFinderQuery, WCF) -> FindServicesResponse (canonical).
  An answer with IsError never reaches this stylesheet: adapters/servicefinder.toml [[answers]] makes it a fault.
  HolidayDate is an xs:dateTime at local midnight; the canonical holiday is its date.
  Not mapped: the per-product inbound/outbound flags and value limits.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:t="http://tempuri.org/"
                xmlns:f="http://schemas.datacontract.org/2004/07/SAPI.Entities.Finder"
                exclude-result-prefixes="t f">

  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:template match="/t:GetServicesforPincodeResponse">
    <xsl:variable name="result" select="t:GetServicesforPincodeResult"/>
    <cn:FindServicesResponse>
      <cn:pinCode><xsl:value-of select="normalize-space($result/f:PinCode)"/></cn:pinCode>
      <cn:description><xsl:value-of select="normalize-space($result/f:PincodeDescription)"/></cn:description>
      <cn:areaCode><xsl:value-of select="normalize-space($result/f:AreaCode)"/></cn:areaCode>
      <cn:serviceCenter><xsl:value-of select="normalize-space($result/f:ServiceCenterCode)"/></cn:serviceCenter>
      <xsl:apply-templates select="$result/f:BlueDartHolidays/f:Holiday"/>
    </cn:FindServicesResponse>
  </xsl:template>

  <xsl:template match="f:Holiday">
    <cn:holiday>
      <cn:date><xsl:value-of select="substring(normalize-space(f:HolidayDate), 1, 10)"/></cn:date>
      <cn:description><xsl:value-of select="normalize-space(f:Description)"/></cn:description>
    </cn:holiday>
  </xsl:template>

</xsl:stylesheet>
