<?xml version="1.0" encoding="UTF-8"?>
<!--
  SubscribeCustomer, upstream request: context -> ListPost subscribe.

  Given the context document (the canonical cn:SubscribeCustomer request and the result of
  the "customer" step, a cn:GetCustomerResponse from crm), subscribes the customer's email
  address to the list and records the customer id as ListPost's externalId.

  ListPost's schema has elementFormDefault="unqualified": only the wrapper lp:subscribe is
  in the API namespace; listId, email and externalId must be in NO namespace. This
  stylesheet therefore declares no default namespace, so unprefixed literal result
  elements stay unqualified.
  No numbers are converted; ids are copied as text.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:ctx="urn:soapbridge:context"
                xmlns:cn="urn:soapbridge:canonical:v1"
                xmlns:lp="http://api.listpost.example.com/soap/2011/"
                exclude-result-prefixes="ctx cn">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>

  <xsl:template match="/ctx:context">
    <xsl:variable name="request" select="ctx:request/cn:SubscribeCustomer"/>
    <xsl:variable name="customer" select="ctx:step[@name = 'customer']/cn:GetCustomerResponse/cn:customer"/>
    <lp:subscribe>
      <listId><xsl:value-of select="normalize-space($request/cn:listId)"/></listId>
      <email><xsl:value-of select="normalize-space($customer/cn:email)"/></email>
      <externalId><xsl:value-of select="normalize-space($request/cn:customerId)"/></externalId>
    </lp:subscribe>
  </xsl:template>

</xsl:stylesheet>
