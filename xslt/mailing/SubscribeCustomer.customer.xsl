<?xml version="1.0" encoding="UTF-8"?>
<!--
  SubscribeCustomer, step "customer": context -> cn:GetCustomer.

  Given the context document (ctx:context with the canonical cn:SubscribeCustomer request
  and no earlier steps), asks crm for the customer whose email address will be subscribed.
  No numbers are converted; the customer id is copied as text.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:ctx="urn:soapbridge:context"
                xmlns:cn="urn:soapbridge:canonical:v1"
                exclude-result-prefixes="ctx">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>

  <xsl:template match="/ctx:context">
    <cn:GetCustomer>
      <cn:customerId>
        <xsl:value-of select="normalize-space(ctx:request/cn:SubscribeCustomer/cn:customerId)"/>
      </cn:customerId>
    </cn:GetCustomer>
  </xsl:template>

</xsl:stylesheet>
