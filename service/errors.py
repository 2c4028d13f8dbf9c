"""The one exception root of soapbridge, and its fields.

    SoapbridgeError
    ├── ConfigError(file, key)          a configuration file or value is wrong; found at start-up
    ├── XmlError(sourceline, reason)    a document is not acceptable XML (malformed, DTD, too large)
    │   └── WsdlError(location)         a WSDL or one of its schemas cannot be read or makes no sense
    ├── ValidationError(path, line)     a document breaks the schema it must follow
    ├── MappingError(stylesheet, line)  a stylesheet failed or produced nothing
    ├── RequestError(system)            the client's request is wrong (bad JSON), or a legacy system says so
    ├── AuthenticationError             no credentials, or credentials that do not authenticate
    ├── ThrottledError(retry_after)     too many failed sign-ins lately; nothing was checked
    ├── AuthorizationError(client)      an authenticated client called an operation it may not
    ├── UsageError                      a command was called wrongly (exit code 2)
    ├── StoreError                      a store (idempotency keys, nonces) cannot be read or written
    │   └── StoreReset                  the idempotency store lost its keys (a Redis server restarted empty)
    ├── NotFoundError(system)           the legacy system says the thing asked for does not exist
    ├── ConflictError(system)           the legacy system refuses the change as conflicting
    └── UpstreamError(system, sent)     the legacy system failed us
        ├── UpstreamTimeout
        ├── UpstreamUnavailable
        └── UpstreamFault(code, detail) the legacy system answered with a SOAP fault

Foreign exceptions (lxml, zeep, requests) are translated into these at one boundary each;
these are translated into SOAP faults and JSON errors at the gateway's edge, and nowhere else.
"""

from __future__ import annotations


class SoapbridgeError(Exception):
    """Root of every error soapbridge raises on purpose."""

    #: The canonical fault code (cn:FaultCode) this error maps to at the edge.
    fault_code = "InternalError"
    #: True when the client caused it (SOAP Client/Sender), False when we or upstream did.
    client_fault = False
    #: The adapter rule that made this error of a legacy answer, as `answers[i] (when ...) -> Code`; None otherwise.
    rule: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(SoapbridgeError, ValueError):
    """Raised when a configuration file or value is missing or wrong."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        where = ": ".join(part for part in (file, key) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.key = key


class XmlError(SoapbridgeError, ValueError):
    """Raised when a document is not XML we accept (malformed, a DTD, over a limit)."""

    fault_code = "InvalidRequest"
    client_fault = True

    def __init__(self, message: str, *, sourceline: int | None = None, reason: str = "malformed") -> None:
        super().__init__(message)
        self.sourceline = sourceline
        #: Why, in one word from a fixed few (metrics count refusals by it): malformed, empty, doctype,
        #: too_deep, too_many_attributes, name_too_long.
        self.reason = reason


class WsdlError(XmlError):
    """Raised when a WSDL, or a schema or WSDL it imports, cannot be read or is not a usable WSDL 1.1."""

    def __init__(self, message: str, *, location: str | None = None, sourceline: int | None = None) -> None:
        super().__init__(message, sourceline=sourceline)
        self.location = location


class ValidationError(SoapbridgeError, ValueError):
    """Raised when a document does not follow its schema."""

    fault_code = "InvalidRequest"
    client_fault = True

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


class MappingError(SoapbridgeError):
    """Raised when a stylesheet fails or its output is unusable.

    terminated is True when the stylesheet refused its input on purpose, with
    xsl:message terminate="yes"; the message is then the stylesheet's own words.
    """

    def __init__(self, message: str, *, stylesheet: str, line: int | None = None, terminated: bool = False) -> None:
        super().__init__(message)
        self.stylesheet = stylesheet
        self.line = line
        self.terminated = terminated


class RequestError(SoapbridgeError, ValueError):
    """Raised when a client request cannot be dispatched (unknown operation, bad JSON), or a legacy system
    refused it as invalid (system names it then)."""

    fault_code = "InvalidRequest"
    client_fault = True

    def __init__(self, message: str, *, system: str | None = None) -> None:
        super().__init__(message)
        self.system = system


class AuthenticationError(SoapbridgeError, PermissionError):
    """Raised when a request carries no credentials, or credentials that do not authenticate it.

    The message is what the client is told, and never says which part was wrong; reason says
    it for the log only, and never holds a secret.
    """

    fault_code = "Unauthenticated"
    client_fault = True

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ThrottledError(SoapbridgeError, PermissionError):
    """Raised when a client name or peer address failed to authenticate too often lately, or the worker's budget
    for password checks is spent; no credential was checked. retry_after is in seconds; reason is for the log."""

    fault_code = "TooManyRequests"
    client_fault = True

    def __init__(self, message: str, *, retry_after: int, reason: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.reason = reason


class AuthorizationError(SoapbridgeError, PermissionError):
    """Raised when an authenticated client calls an operation its clients-file entry does not list."""

    fault_code = "Forbidden"
    client_fault = True

    def __init__(self, message: str, *, client: str) -> None:
        super().__init__(message)
        self.client = client


class UsageError(SoapbridgeError, ValueError):
    """Raised when a command is called wrongly: a missing file, an unknown name, options that clash."""


class StoreError(SoapbridgeError):
    """Raised when a store (idempotency keys, nonces: a SQLite file or a Redis server) cannot be read or written.

    The message says what the client can rely on; it never names the store's file or server.
    """


class StoreReset(StoreError):
    """Raised when the idempotency store has lost its keys since this process last looked; the instance then
    writes back what it journaled, and the error never reaches a client on its own."""


class NotFoundError(SoapbridgeError, LookupError):
    """Raised when a legacy system reports that the requested entity does not exist."""

    fault_code = "NotFound"
    client_fault = True

    def __init__(self, message: str, *, system: str | None = None) -> None:
        super().__init__(message)
        self.system = system


class ConflictError(SoapbridgeError):
    """Raised when a legacy system refuses a change because it conflicts with its state."""

    fault_code = "Conflict"
    client_fault = True

    def __init__(self, message: str, *, system: str | None = None) -> None:
        super().__init__(message)
        self.system = system


class UpstreamError(SoapbridgeError):
    """Raised when a legacy system cannot give a usable answer.

    sent is False only when the request certainly had no effect on the legacy system: it never
    reached it (the connection was refused, the circuit was open, the bulkhead was full), or it
    was turned away unprocessed (an HTTP 503 that is not SOAP, RFC 9110 15.6.4). Only then may a
    write be tried again as if it had never been asked for. transient is True when another
    attempt may well succeed (a refused, reset or dropped connection, a 502/503/504 that is not SOAP).
    """

    fault_code = "UpstreamFault"

    def __init__(self, message: str, *, system: str, sent: bool = True, transient: bool = False) -> None:
        super().__init__(message)
        self.system = system
        self.sent = sent
        self.transient = transient


class UpstreamTimeout(UpstreamError, TimeoutError):
    """Raised when a legacy system does not answer within its timeout."""

    fault_code = "UpstreamTimeout"


class UpstreamUnavailable(UpstreamError, ConnectionError):
    """Raised when a legacy system cannot be reached or answers with something that is not SOAP."""

    fault_code = "UpstreamUnavailable"


class UpstreamFault(UpstreamError):
    """Raised when a legacy system answers with a SOAP fault that no adapter rule maps."""

    def __init__(self, message: str, *, system: str, code: str, detail: str | None = None) -> None:
        super().__init__(message, system=system, sent=True)
        self.code = code
        self.detail = detail
