// What node-soap does with soapbridge's SOAP 1.2 WSDL without forceSoap12Headers, so the README can tell
// node users why they set it: it posts SOAP 1.1 whatever the WSDL's binding says. Prints one JSON line
// with the fault code the call gets.
// Usage: node without_soap12_switch.js <soap12-wsdl-url>
'use strict';

const soap = require('soap');

async function main() {
  const client = await soap.createClientAsync(process.argv[2]);
  try {
    await client.GetCustomerAsync({ customerId: '1001' });
    console.log(JSON.stringify({ code: null }));
  } catch (error) {
    // The answer is a SOAP 1.1 fault (faultcode) or a SOAP 1.2 one (Code/Value), as the gateway chooses.
    const fault = error.root.Envelope.Body.Fault;
    console.log(JSON.stringify({ code: fault.faultcode || fault.Code.Value }));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
