// The soapbridge interop client for node-soap (npm `soap`), driven by the live WSDL at run time.
// Makes the calls listed in tests/interop/scenario.py and prints the JSON report as its last line.
// Usage: node client.js <wsdl-url> <1.1|1.2>
'use strict';

const soap = require('soap');

const [wsdlUrl, version] = process.argv.slice(2);

// node-soap reads xs:date into a Date at midnight UTC.
const isoDate = (date) => date.toISOString().slice(0, 10);
const localName = (qname) => qname.slice(qname.lastIndexOf(':') + 1);

async function search(client, city) {
  const [result] = await client.SearchCustomersAsync({ city });
  return { array: Array.isArray(result.customer), names: result.customer.map((c) => c.name) };
}

async function fault(client) {
  try {
    await client.GetCustomerAsync({ customerId: '9999' });
  } catch (error) {
    // node-soap rejects with a plain Error and hangs the parsed envelope on it.
    const parsed = error.root && error.root.Envelope && error.root.Envelope.Body.Fault;
    if (!parsed) throw error;
    const soap12 = parsed.Code !== undefined;
    const detail = (soap12 ? parsed.Detail : parsed.detail).GatewayFault;
    return {
      kind: `${error.constructor.name} with root.Envelope.Body.Fault`,
      code: localName(soap12 ? parsed.Code.Value : parsed.faultcode),
      subcode: soap12 && parsed.Code.Subcode ? localName(parsed.Code.Subcode.Value) : null,
      detail: { code: detail.code, system: detail.system },
      message: soap12 ? parsed.Reason.Text.$value : parsed.faultstring,
    };
  }
  return {};
}

async function main() {
  // node-soap does not read the envelope version from the WSDL binding: this is its switch for SOAP 1.2.
  const client = await soap.createClientAsync(wsdlUrl, { forceSoap12Headers: version === '1.2' });
  const [{ customer }] = await client.GetCustomerAsync({ customerId: '1001' });
  const [{ receipt }] = await client.RecordPaymentAsync({
    invoiceId: 'INV-2024-0242',
    amount: '1.25',
    currency: 'GBP',
    paidOn: '2026-11-20',
    reference: 'interop node',
  });
  const [{ forecast }] = await client.GetForecastAsync({ stationId: 'KJFK', days: 3 });
  const report = {
    getCustomer: {
      id: customer.id,
      name: customer.name,
      email: customer.email,
      status: customer.status,
      city: customer.address.city,
      country: customer.address.country,
      since: isoDate(customer.since),
    },
    searchMany: await search(client, 'London'),
    searchOne: await search(client, 'Arlington'),
    recordPayment: {
      invoiceId: receipt.invoiceId,
      currency: receipt.currency,
      status: receipt.status,
      remainingBalance: receipt.remainingBalance,
      paymentId: receipt.paymentId,
    },
    forecast: {
      stationId: forecast.stationId,
      array: Array.isArray(forecast.day),
      days: forecast.day.map((d) => ({ date: isoDate(d.date), minC: d.minC, maxC: d.maxC })),
    },
    fault: await fault(client),
  };
  console.log(JSON.stringify(report));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
