<?xml version="1.0"?>
<!-- One item: <item customer="1001" version="3" name="..."/>; poison="yes" is refused, broken="yes" fails to map. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:cn="urn:soapbridge:canonical:v1">
  <xsl:template match="/item">
    <xsl:if test="@poison = 'yes'">
      <xsl:message terminate="yes">item <xsl:value-of select="@customer"/> is poison</xsl:message>
    </xsl:if>
    <xsl:if test="@broken = 'yes'"><xsl:value-of select="no:such-function()" xmlns:no="urn:no"/></xsl:if>
    <cn:UpdateCustomer>
      <cn:customer>
        <cn:id><xsl:value-of select="@customer"/></cn:id>
        <cn:name><xsl:value-of select="@name"/></cn:name>
        <cn:email>flows-test@example.com</cn:email>
        <cn:status>active</cn:status>
        <cn:since>2020-01-01</cn:since>
        <cn:address>
          <cn:street>1 Test Street</cn:street>
          <cn:postalCode>12345</cn:postalCode>
          <cn:city>Testville</cn:city>
          <cn:country>GB</cn:country>
        </cn:address>
      </cn:customer>
    </cn:UpdateCustomer>
  </xsl:template>
</xsl:stylesheet>
