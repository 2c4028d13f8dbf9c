<?php
// The soapbridge interop client for PHP's SoapClient (ext/soap), driven by the live WSDL at run time.
// Makes the calls listed in tests/interop/scenario.py and prints the JSON report as its last line.
// Usage: php client.php <wsdl-url> <1.1|1.2>

$client = new SoapClient($argv[1], [
    // ext/soap takes the envelope version from this option, not from the WSDL's binding; 1.1 if omitted.
    'soap_version' => $argv[2] === '1.2' ? SOAP_1_2 : SOAP_1_1,
    // Otherwise an element that may repeat but occurs once comes back as a scalar or object, not an array.
    'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
    'cache_wsdl' => WSDL_CACHE_NONE,
    'exceptions' => true,
]);

function search(SoapClient $client, string $city): array
{
    $found = $client->SearchCustomers(['city' => $city])->customer;
    return ['array' => is_array($found), 'names' => array_map(fn($c) => $c->name, (array) $found)];
}

function fault(SoapClient $client): array
{
    try {
        $client->GetCustomer(['customerId' => '9999']);
    } catch (SoapFault $fault) {
        $detail = $fault->detail->GatewayFault;
        return [
            'kind' => get_class($fault),
            'code' => localName($fault->faultcode),
            // ext/soap reads only Code/Value of a SOAP 1.2 fault: a SoapFault carries no subcode.
            'subcode' => null,
            'detail' => ['code' => $detail->code, 'system' => $detail->system],
            'message' => $fault->faultstring,
        ];
    }
    return [];
}

function localName(string $qname): string
{
    $colon = strrpos($qname, ':');
    return $colon === false ? $qname : substr($qname, $colon + 1);
}

$customer = $client->GetCustomer(['customerId' => '1001'])->customer;
$receipt = $client->RecordPayment([
    'invoiceId' => 'INV-2024-0242',
    'amount' => '1.25',
    'currency' => 'GBP',
    'paidOn' => '2026-11-20',
    'reference' => 'interop php',
])->receipt;
$forecast = $client->GetForecast(['stationId' => 'KJFK', 'days' => 3])->forecast;

echo json_encode([
    'getCustomer' => [
        'id' => $customer->id,
        'name' => $customer->name,
        'email' => $customer->email,
        'status' => $customer->status,
        'city' => $customer->address->city,
        'country' => $customer->address->country,
        'since' => $customer->since,
    ],
    'searchMany' => search($client, 'London'),
    'searchOne' => search($client, 'Arlington'),
    'recordPayment' => [
        'invoiceId' => $receipt->invoiceId,
        'currency' => $receipt->currency,
        'status' => $receipt->status,
        'remainingBalance' => $receipt->remainingBalance,
        'paymentId' => $receipt->paymentId,
    ],
    'forecast' => [
        'stationId' => $forecast->stationId,
        'array' => is_array($forecast->day),
        'days' => array_map(
            fn($d) => ['date' => $d->date, 'minC' => $d->minC, 'maxC' => $d->maxC],
            (array) $forecast->day
        ),
    ],
    'fault' => fault($client),
]), "\n";
