<?xml version="1.0"?>
<!-- One change of a customer: active ones are subscribed (or updated) under their current address, everyone
     else (blocked, inactive) is taken off the list. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:cn="urn:soapbridge:canonical:v1">
  <xsl:template match="/cn:change">
    <xsl:variable name="customer" select="cn:customer"/>
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
