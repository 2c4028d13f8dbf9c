<?xml version="1.0"?>
<!-- Every CRM customer, whatever their status: reconcile judges each by reconcile.expect. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:cn="urn:soapbridge:canonical:v1">
  <xsl:template match="/"><cn:SearchCustomers/></xsl:template>
</xsl:stylesheet>
