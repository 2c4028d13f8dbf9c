// The .NET interop client: calls soapbridge through the SoapHttpClientProtocol proxy that Mono's
// `wsdl` tool generated from the live WSDL (class SoapbridgeService), and prints the JSON report
// described in tests/interop/scenario.py as its last line.
//
// Usage: mono Client.exe <endpoint url>

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Web.Script.Serialization;
using System.Web.Services.Protocols;
using System.Xml;

public static class Client
{
    const string Canonical = "urn:soapbridge:canonical:v1";

    public static void Main(string[] args)
    {
        var service = new SoapbridgeService { Url = args[0] };

        Customer customer = service.GetCustomer("1001");
        Customer[] many = service.SearchCustomers(null, "London", default(CustomerStatus), false);
        Customer[] one = service.SearchCustomers(null, "Arlington", default(CustomerStatus), false);
        PaymentReceipt receipt = service.RecordPayment(
            "INV-2024-0242", 1.25m, "GBP", new DateTime(2026, 11, 20), "interop mono");
        Forecast forecast = service.GetForecast("KJFK", 3);

        var report = new Dictionary<string, object> {
            ["getCustomer"] = new Dictionary<string, object> {
                ["id"] = customer.id,
                ["name"] = customer.name,
                ["email"] = customer.email,
                ["status"] = customer.status.ToString(),
                ["city"] = customer.address.city,
                ["country"] = customer.address.country,
                ["since"] = Date(customer.since),
            },
            ["searchMany"] = Search(many),
            ["searchOne"] = Search(one),
            ["recordPayment"] = new Dictionary<string, object> {
                ["invoiceId"] = receipt.invoiceId,
                ["currency"] = receipt.currency,
                ["status"] = receipt.status.ToString(),
                ["remainingBalance"] = Number(receipt.remainingBalance),
                ["paymentId"] = receipt.paymentId,
            },
            ["forecast"] = new Dictionary<string, object> {
                ["stationId"] = forecast.stationId,
                ["array"] = forecast.day.GetType().IsArray,
                ["days"] = forecast.day.Select(d => new Dictionary<string, object> {
                    ["date"] = Date(d.date),
                    ["minC"] = Number(d.minC),
                    ["maxC"] = Number(d.maxC),
                }).ToArray(),
            },
            ["fault"] = Fault(service),
        };
        Console.WriteLine(new JavaScriptSerializer().Serialize(report));
    }

    static Dictionary<string, object> Search(Customer[] found)
    {
        return new Dictionary<string, object> {
            ["array"] = found.GetType().IsArray,
            ["names"] = found.Select(c => c.name).ToArray(),
        };
    }

    // The unknown customer must come back as a SoapException carrying the GatewayFault detail.
    static Dictionary<string, object> Fault(SoapbridgeService service)
    {
        try {
            service.GetCustomer("9999");
        } catch (SoapException e) {
            var names = new XmlNamespaceManager(new NameTable());
            names.AddNamespace("cn", Canonical);
            XmlNode detail = e.Detail?.SelectSingleNode("cn:GatewayFault", names);
            return new Dictionary<string, object> {
                ["kind"] = e.GetType().Name,
                ["code"] = e.Code.Name,
                ["subcode"] = e.SubCode?.Code.Name,
                ["detail"] = new Dictionary<string, object> {
                    ["code"] = detail?.SelectSingleNode("cn:code", names)?.InnerText,
                    ["system"] = detail?.SelectSingleNode("cn:system", names)?.InnerText,
                },
                ["message"] = e.Message,
            };
        }
        return new Dictionary<string, object>();
    }

    static string Date(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
