"""soapbridge: canonical SOAP 1.1/1.2 and JSON endpoints in front of legacy SOAP systems.

The flow, one way: gateway (HTTP edge) -> engine (pipeline: XSLT, canonical XSD)
-> upstream (zeep WSDL and transport) -> the legacy system.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
