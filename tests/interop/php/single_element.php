<?php
// Why PHP users of soapbridge set SOAP_SINGLE_ELEMENT_ARRAYS: without it, ext/soap decodes an element
// that may repeat (maxOccurs > 1) but occurs once as the item itself, not as an array of one.
// Prints, as JSON, the PHP type of SearchCustomers' result for two matches and for one.
// Usage: php single_element.php <wsdl-url>

$client = new SoapClient($argv[1], ['cache_wsdl' => WSDL_CACHE_NONE]);
echo json_encode([
    'many' => gettype($client->SearchCustomers(['city' => 'London'])->customer),
    'one' => gettype($client->SearchCustomers(['city' => 'Arlington'])->customer),
]), "\n";
