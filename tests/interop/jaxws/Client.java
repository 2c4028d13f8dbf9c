// The interop scenario (tests/interop/scenario.py) from Java: JAX-WS RI stubs that wsimport generated
// from the gateway's live WSDL, called like any Java application would call them.
//
// Usage: java Client <WSDL URL> <endpoint URL>; prints the JSON report as its last line.

import java.math.BigDecimal;
import java.net.URL;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.datatype.XMLGregorianCalendar;
import javax.xml.namespace.QName;
import javax.xml.soap.SOAPConstants;
import javax.xml.soap.SOAPException;
import javax.xml.soap.SOAPFault;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.handler.Handler;
import javax.xml.ws.handler.MessageContext;
import javax.xml.ws.handler.soap.SOAPHandler;
import javax.xml.ws.handler.soap.SOAPMessageContext;
import soapbridge.canonical.v1.Customer;
import soapbridge.canonical.v1.Forecast;
import soapbridge.canonical.v1.ForecastDay;
import soapbridge.canonical.v1.GatewayFault;
import soapbridge.canonical.v1.GatewayFaultDetail;
import soapbridge.canonical.v1.PaymentReceipt;
import soapbridge.canonical.v1.Soapbridge;
import soapbridge.canonical.v1.SoapbridgeService;

public class Client {
    public static void main(String[] args) throws Exception {
        Soapbridge port = new SoapbridgeService(new URL(args[0])).getSoapbridge();
        BindingProvider binding = (BindingProvider) port;
        binding.getRequestContext().put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, args[1]);
        // The generated GatewayFault carries only the detail; the fault code is on the SOAP message.
        FaultRecorder faults = new FaultRecorder();
        List<Handler> chain = new ArrayList<>(binding.getBinding().getHandlerChain());
        chain.add(faults);
        binding.getBinding().setHandlerChain(chain);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("getCustomer", customer(port.getCustomer("1001")));
        report.put("searchMany", names(port.searchCustomers(null, "London", null)));
        report.put("searchOne", names(port.searchCustomers(null, "Arlington", null)));
        XMLGregorianCalendar paidOn = DatatypeFactory.newInstance().newXMLGregorianCalendar("2026-11-20");
        report.put("recordPayment", receipt(port.recordPayment(
                "INV-2024-0242", new BigDecimal("1.25"), "GBP", paidOn, "interop jaxws")));
        report.put("forecast", forecast(port.getForecast("KJFK", 3)));
        report.put("fault", fault(port, faults));
        System.out.println(json(report));
    }

    static Map<String, Object> customer(Customer customer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", customer.getId());
        out.put("name", customer.getName());
        out.put("email", customer.getEmail());
        out.put("status", customer.getStatus().value());
        out.put("city", customer.getAddress().getCity());
        out.put("country", customer.getAddress().getCountry());
        out.put("since", date(customer.getSince()));
        return out;
    }

    static Map<String, Object> names(List<Customer> customers) {
        List<Object> names = new ArrayList<>();
        for (Customer customer : customers) {
            names.add(customer.getName());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("array", customers instanceof List);
        out.put("names", names);
        return out;
    }

    static Map<String, Object> receipt(PaymentReceipt receipt) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("invoiceId", receipt.getInvoiceId());
        out.put("currency", receipt.getCurrency());
        out.put("status", receipt.getStatus().value());
        out.put("remainingBalance", receipt.getRemainingBalance().toPlainString());
        out.put("paymentId", receipt.getPaymentId());
        return out;
    }

    static Map<String, Object> forecast(Forecast forecast) {
        List<Object> days = new ArrayList<>();
        for (ForecastDay day : forecast.getDay()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("date", date(day.getDate()));
            out.put("minC", day.getMinC().toPlainString());
            out.put("maxC", day.getMaxC().toPlainString());
            days.add(out);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stationId", forecast.getStationId());
        out.put("array", forecast.getDay() instanceof List);
        out.put("days", days);
        return out;
    }

    static Map<String, Object> fault(Soapbridge port, FaultRecorder faults) {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            port.getCustomer("9999");
        } catch (GatewayFault e) {
            GatewayFaultDetail detail = e.getFaultInfo();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("code", detail.getCode().value());
            fields.put("system", detail.getSystem());
            out.put("kind", e.getClass().getSimpleName());
            out.put("code", faults.code == null ? null : faults.code.getLocalPart());
            out.put("subcode", faults.subcode == null ? null : faults.subcode.getLocalPart());
            out.put("detail", fields);
            out.put("message", e.getMessage());
        }
        return out;
    }

    static String date(XMLGregorianCalendar date) {
        return String.format("%04d-%02d-%02d", date.getYear(), date.getMonth(), date.getDay());
    }

    /** Reads the fault code and first subcode of the last SOAP fault received, through SAAJ. */
    static class FaultRecorder implements SOAPHandler<SOAPMessageContext> {
        QName code;
        QName subcode;

        public boolean handleFault(SOAPMessageContext context) {
            try {
                SOAPFault fault = context.getMessage().getSOAPBody().getFault();
                code = fault.getFaultCodeAsQName();
                if (SOAPConstants.URI_NS_SOAP_1_2_ENVELOPE.equals(fault.getNamespaceURI())) {
                    Iterator<QName> subcodes = fault.getFaultSubcodes();
                    subcode = subcodes.hasNext() ? subcodes.next() : null;
                }
            } catch (SOAPException e) {
                throw new RuntimeException(e);
            }
            return true;
        }

        public boolean handleMessage(SOAPMessageContext context) {
            return true;
        }

        public void close(MessageContext context) {
        }

        public Set<QName> getHeaders() {
            return null;
        }
    }

    static String json(Object value) {
        if (value == null || value instanceof Boolean) {
            return String.valueOf(value);
        }
        if (value instanceof Map) {
            List<String> members = new ArrayList<>();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                members.add(json(entry.getKey()) + ": " + json(entry.getValue()));
            }
            return "{" + String.join(", ", members) + "}";
        }
        if (value instanceof List) {
            List<String> items = new ArrayList<>();
            for (Object item : (List<?>) value) {
                items.add(json(item));
            }
            return "[" + String.join(", ", items) + "]";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toString().toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
