<?xml version="1.0" encoding="UTF-8"?>
<!--
  FindServices (canonical) -> GetServicesforPincode (ServiceFinderQuery, WCF).
  Every element is qualified: the wrapper and its fields in http://tempuri.org/, the UserProfile's
  fields in the Admin data contract's namespace, in the data contract's (alphabetical) order.
  The profile's values are the adapter's [parameters]; the licence key is a secret from the environment.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:t="http://tempuri.org/"
                xmlns:a="http://schemas.datacontract.org/2004/07/SAPI.Entities.Admin"
                exclude-result-prefixes="cn">

  <xsl:output method="xml" encoding="UTF-8" indent="no"/>

  <xsl:param name="login"/>
  <xsl:param name="licence"/>
  <xsl:param name="api_type"/>
  <xsl:param name="api_version"/>

  <xsl:template match="/cn:FindServices">
    <t:GetServicesforPincode>
      <t:pinCode><xsl:value-of select="normalize-space(cn:pinCode)"/></t:pinCode>
      <t:profile>
        <a:Api_type><xsl:value-of select="$api_type"/></a:Api_type>
        <a:LicenceKey><xsl:value-of select="$licence"/></a:LicenceKey>
        <a:LoginID><xsl:value-of select="$login"/></a:LoginID>
        <a:Version><xsl:value-of select="$api_version"/></a:Version>
      </t:profile>
    </t:GetServicesforPincode>
  </xsl:template>

</xsl:stylesheet>
