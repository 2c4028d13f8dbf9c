// gSOAP (C++) interop client for soapbridge: the scenario of tests/interop/scenario.py, made with the
// SoapbridgeProxy class and the ns1__ types that wsdl2h + soapcpp2 -j generate from the live WSDL.
// Usage: client <endpoint URL>. Prints one JSON report as its last line; exits 1 if a call that
// should succeed does not.

#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "Soapbridge.nsmap"
#include "soapSoapbridgeProxy.h"

// "array" in the report: is this member, as generated, a std::vector?
template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};

// The fault detail must be the struct wsdl2h generated from wsdl:fault, not a DOM or a string.
static_assert(std::is_same<decltype(SOAP_ENV__Detail::ns1__GatewayFault), ns1__GatewayFaultDetail *>::value,
              "wsdl2h did not type the GatewayFault detail");
static const char *const FAULT_KIND = "ns1__GatewayFaultDetail";

static std::string quoted(const char *text) {
    if (text == nullptr) return "null";
    std::ostringstream out;
    out << '"';
    for (const char *c = text; *c; ++c) {
        switch (*c) {
        case '"': out << "\\\""; break;
        case '\\': out << "\\\\"; break;
        case '\n': out << "\\n"; break;
        case '\r': out << "\\r"; break;
        case '\t': out << "\\t"; break;
        default:
            if (static_cast<unsigned char>(*c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", *c);
                out << escaped;
            } else {
                out << *c;
            }
        }
    }
    out << '"';
    return out.str();
}

static std::string quoted(const std::string &text) { return quoted(text.c_str()); }

// The local part of a QName as gSOAP hands it over ("SOAP-ENV:Client", "ns1:NotFound").
static const char *local_part(const char *qname) {
    if (qname == nullptr) return nullptr;
    const char *colon = std::strrchr(qname, ':');
    return colon ? colon + 1 : qname;
}

static void check(SoapbridgeProxy &proxy, int status, const char *operation) {
    if (status == SOAP_OK) return;
    std::cerr << operation << " failed: ";
    proxy.soap_stream_fault(std::cerr);
    std::exit(1);
}

static std::string get_customer(SoapbridgeProxy &proxy) {
    _ns1__GetCustomer request;
    request.customerId = "1001";
    _ns1__GetCustomerResponse response;
    check(proxy, proxy.GetCustomer(&request, response), "GetCustomer");
    const ns1__Customer &customer = *response.customer;
    return "{\"id\": " + quoted(customer.id) + ", \"name\": " + quoted(customer.name) +
           ", \"email\": " + quoted(customer.email) +
           ", \"status\": " + quoted(soap_ns1__CustomerStatus2s(proxy.soap, customer.status)) +
           ", \"city\": " + quoted(customer.address->city) + ", \"country\": " + quoted(customer.address->country) +
           ", \"since\": " + quoted(customer.since) + "}";
}

static std::string search_customers(SoapbridgeProxy &proxy, std::string city) {
    _ns1__SearchCustomers request;
    request.city = &city;
    _ns1__SearchCustomersResponse response;
    check(proxy, proxy.SearchCustomers(&request, response), "SearchCustomers");
    std::string names;
    for (const ns1__Customer *customer : response.customer)
        names += (names.empty() ? "" : ", ") + quoted(customer->name);
    bool array = is_vector<decltype(response.customer)>::value;
    return std::string("{\"array\": ") + (array ? "true" : "false") + ", \"names\": [" + names + "]}";
}

static std::string record_payment(SoapbridgeProxy &proxy) {
    _ns1__RecordPayment request;
    request.invoiceId = "INV-2024-0242";
    request.amount = "1.25";  // xsd:decimal is a std::string in gSOAP: no binary rounding
    request.currency = "GBP";
    request.paidOn = "2026-11-20";
    request.reference = "interop gsoap";
    _ns1__RecordPaymentResponse response;
    check(proxy, proxy.RecordPayment(&request, response), "RecordPayment");
    const ns1__PaymentReceipt &receipt = *response.receipt;
    return "{\"invoiceId\": " + quoted(receipt.invoiceId) + ", \"currency\": " + quoted(receipt.currency) +
           ", \"status\": " + quoted(soap_ns1__PaymentStatus2s(proxy.soap, receipt.status)) +
           ", \"remainingBalance\": " + quoted(receipt.remainingBalance) +
           ", \"paymentId\": " + quoted(receipt.paymentId) + "}";
}

static std::string get_forecast(SoapbridgeProxy &proxy) {
    _ns1__GetForecast request;
    request.stationId = "KJFK";
    request.days = 3;
    _ns1__GetForecastResponse response;
    check(proxy, proxy.GetForecast(&request, response), "GetForecast");
    const ns1__Forecast &forecast = *response.forecast;
    std::string days;
    for (const ns1__ForecastDay *day : forecast.day)
        days += std::string(days.empty() ? "" : ", ") + "{\"date\": " + quoted(day->date) +
                ", \"minC\": " + quoted(day->minC) + ", \"maxC\": " + quoted(day->maxC) + "}";
    bool array = is_vector<decltype(forecast.day)>::value;
    return "{\"stationId\": " + quoted(forecast.stationId) + ", \"array\": " + (array ? "true" : "false") +
           ", \"days\": [" + days + "]}";
}

// SOAP 1.1 puts the detail in fault->detail, SOAP 1.2 in fault->SOAP_ENV__Detail.
static const ns1__GatewayFaultDetail *gateway_fault(const struct soap *soap) {
    const SOAP_ENV__Detail *detail = soap->version == 2 ? soap->fault->SOAP_ENV__Detail : soap->fault->detail;
    return detail ? detail->ns1__GatewayFault : nullptr;
}

static std::string unknown_customer(SoapbridgeProxy &proxy) {
    _ns1__GetCustomer request;
    request.customerId = "9999";
    _ns1__GetCustomerResponse response;
    if (proxy.GetCustomer(&request, response) != SOAP_FAULT) {
        std::cerr << "GetCustomer(9999) did not fail with a SOAP fault: error " << proxy.soap->error << "\n";
        return "{}";
    }
    const ns1__GatewayFaultDetail *detail = gateway_fault(proxy.soap);
    std::string typed = detail == nullptr
                            ? "null"
                            : "{\"code\": " + quoted(soap_ns1__FaultCode2s(proxy.soap, detail->code)) +
                                  ", \"system\": " + (detail->system ? quoted(*detail->system) : "null") + "}";
    // soap_fault_subcode gives the 1.1 faultcode again: a subcode only exists in SOAP 1.2.
    const char *subcode = proxy.soap->version == 2 ? proxy.soap_fault_subcode() : nullptr;
    return std::string("{\"kind\": ") + (detail ? quoted(FAULT_KIND) : "null") +
           ", \"code\": " + quoted(local_part(*soap_faultcode(proxy.soap))) +
           ", \"subcode\": " + quoted(local_part(subcode)) + ", \"subcodeQName\": " + quoted(subcode) +
           ", \"detail\": " + typed + ", \"message\": " + quoted(proxy.soap_fault_string()) + "}";
}

int main(int argc, char **argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " <endpoint URL>\n";
        return 2;
    }
    SoapbridgeProxy proxy(argv[1]);
    // One statement per call, so they run in the scenario's order (operands of + are unsequenced).
    std::string report = "{\"getCustomer\": " + get_customer(proxy);
    report += ", \"searchMany\": " + search_customers(proxy, "London");
    report += ", \"searchOne\": " + search_customers(proxy, "Arlington");
    report += ", \"recordPayment\": " + record_payment(proxy);
    report += ", \"forecast\": " + get_forecast(proxy);
    report += ", \"fault\": " + unknown_customer(proxy) + "}";
    std::cout << report << std::endl;
    proxy.destroy();
    return 0;
}
