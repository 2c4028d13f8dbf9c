<?xml version="1.0"?>
<!-- One change of a customer: active ones are subscribed (or updated) under their current address, everyone
     else (blocked, inactive) is taken off the list. On the way, the customer's address (lower-cased) is linked to
     their id in the cross-reference, where ehr-to-billing finds the customer a patient is. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:cn="urn:soapbridge:canonical:v1"
    xmlns:xref="urn:soapbridge:flows:xref" exclude-result-prefixes="xref">
  <xsl:template match="/cn:change">
    <xsl:variable name="customer" select="cn:customer"/>
    <xsl:variable name="email" select="translate($customer/cn:email, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"/>
    <xsl:if test="xref:link('crm-email', $email, 'crm-customer', $customer/cn:id) = ''"/>
    <xsl:choose>
      <xsl:when test="$customer/cn:status = 'active'">
        <cn:SubscribeContact>
          <cn:listId>newsletter</cn:listId>
          <cn:customerId><xsl:value-of select="$customer/cn:id"/></cn:customerId>
          <cn:email><xsl:value-of select="$customer/cn:email"/></cn:email>
          <cn:name><xsl:value-of select="$customer/cn:name"/></cn:name>
        </cn:SubscribeContact>
      </xsl:when>
      <xsl:otherwise>
        <cn:UnsubscribeCustomer>
          <cn:listId>newsletter</cn:listId>
          <cn:customerId><xsl:value-of select="$customer/cn:id"/></cn:customerId>
        </cn:UnsubscribeCustomer>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
