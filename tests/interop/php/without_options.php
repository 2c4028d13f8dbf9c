<?php
// What ext/soap does with soapbridge's WSDLs when client.php's two options are left out, so the README
// can tell PHP users why they set them. Prints one JSON line:
//   many, one: the PHP type of SearchCustomers' result for two matches and for one, without
//              SOAP_SINGLE_ELEMENT_ARRAYS (an element that may repeat but occurs once is not an array);
//   soap12:    the fault code a call through the SOAP 1.2 WSDL gets without soap_version (ext/soap
//              posts SOAP 1.1 whatever the WSDL's binding says).
// Usage: php without_options.php <soap11-wsdl-url> <soap12-wsdl-url>

$client = new SoapClient($argv[1], ['cache_wsdl' => WSDL_CACHE_NONE]);
$report = [
    'many' => gettype($client->SearchCustomers(['city' => 'London'])->customer),
    'one' => gettype($client->SearchCustomers(['city' => 'Arlington'])->customer),
];
try {
    (new SoapClient($argv[2], ['cache_wsdl' => WSDL_CACHE_NONE]))->GetCustomer(['customerId' => '1001']);
    $report['soap12'] = null;
} catch (SoapFault $fault) {
    $report['soap12'] = $fault->faultcode;
}
echo json_encode($report), "\n";
