"""GET /openapi.json: the JSON endpoints described in OpenAPI 3.1, from the canonical XSD.

The schemas are read from the same Shapes the JSON form is written and read with (jsonform.py),
so the document says what the wire does: repeated elements are arrays (always present in an
answer, even empty), decimals and integers are numbers, dates are strings with a format, and
the XSD's facets carry over where JSON Schema can say them. Errors are RFC 9457 problem details.
Built once, when the gateway starts; every request gets the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .. import __version__
from ..contract import KEY_ELEMENT, Operation
from ..jsonform import Shape
from ..telemetry import correlation
from .http import Response
from .idempotency import KEY_HEADER, REPLAYED

Schema = dict[str, Any]

PROBLEM = "application/problem+json"
#: Answers change only when the gateway is redeployed.
CACHE_CONTROL = "public, max-age=300"
#: A JSON string's format for each XSD primitive that JSON Schema knows.
FORMATS = {"date": "date", "dateTime": "date-time", "time": "time", "duration": "duration", "anyURI": "uri-reference"}
#: XSD regular-expression syntax that ECMA-262 lacks: a pattern using it is left to the gateway's own check.
XSD_ONLY_REGEX = ("\\i", "\\I", "\\c", "\\C", "\\p{Is", "\\P{Is", "-[")
#: The error statuses of every operation, with the reason given, by fault code.
ERRORS = {
    400: "InvalidRequest: the body is not JSON, not this operation's object, or breaks the canonical XSD; "
    "or the path names no operation of this gateway; or an idempotency key is malformed or reused",
    401: "Unauthenticated: no HTTP Basic credentials, or credentials that do not authenticate",
    403: "Forbidden: this client may not call this operation",
    404: "NotFound: the legacy system has no such thing",
    409: "Conflict: the legacy system refuses the change as conflicting with its state",
    413: "InvalidRequest: the body is larger than the gateway accepts",
    415: "InvalidRequest: the body is not declared as application/json, or is compressed",
    429: "TooManyRequests: this client name or address failed to authenticate too often lately, or the gateway "
    "is rationing password checks; nothing was checked, and Retry-After says when to try again",
    500: "InternalError: the gateway failed to process the request",
    502: "UpstreamFault or UpstreamUnavailable: the legacy system failed, could not be reached, "
    "or its circuit breaker is open",
    504: "UpstreamTimeout: the legacy system did not answer in time",
}
AUTH_ERRORS = (401, 403, 429)
#: Retry-After as the gateway writes it: whole seconds (RFC 9110 10.2.3 also allows a date; we never send one).
RETRY_AFTER: Schema = {"type": "integer", "minimum": 1}


class OpenApiPage:
    """The document, serialized once, and the page that answers it."""

    def __init__(self, document: Schema) -> None:
        self.body = json.dumps(document, indent=1).encode()

    def __call__(self, environ: dict[str, Any]) -> Response:
        return Response(200, "application/json", self.body, [("Cache-Control", CACHE_CONTROL)])


def build_document(
    shapes: dict[str, Shape], operations: Iterable[Operation], authenticated: bool, server: str = "/"
) -> Schema:
    """The OpenAPI 3.1 document of POST /json/<operation> for each served operation.

    server: the operator's public URL (SOAPBRIDGE_PUBLIC_URL), else "/", which a reader resolves against the
    document's own address, so no request header ever writes into it."""
    served = sorted(operations, key=lambda operation: operation.name)
    schemas = SchemaSet()
    for operation in served:  # answers first, so that a shared type's name goes to the form the gateway writes
        schemas.top(shapes[f"{operation.name}Response"], answer=True)
    for operation in served:
        schemas.top(shapes[operation.name], answer=False)
    schemas.components["Problem"] = _problem(schemas, shapes["GatewayFault"])
    document: Schema = {
        "openapi": "3.1.0",
        "info": {
            "title": "soapbridge JSON API",
            "version": __version__,
            "description": "The canonical operations as JSON: POST /json/<Operation> with the request's fields. "
            "The same operations are served as SOAP 1.1 (/soap11?wsdl) and SOAP 1.2 (/soap12?wsdl).",
        },
        "servers": [{"url": server}],
        "paths": {f"/json/{op.name}": {"post": _operation(op, shapes, authenticated)} for op in served},
        "components": {
            "schemas": schemas.components,
            "responses": _error_responses(authenticated),
            "headers": {correlation.HEADER: _correlation_header()},
            "parameters": {
                correlation.HEADER: {"name": correlation.HEADER, "in": "header"} | _correlation_header(),
                KEY_HEADER: _key_parameter(shapes[KEY_ELEMENT]),
            },
        },
    }
    if authenticated:
        document["components"]["securitySchemes"] = {"basic": _basic_auth()}
        document["security"] = [{"basic": []}]
    return document


def _operation(operation: Operation, shapes: dict[str, Shape], authenticated: bool) -> Schema:
    name = operation.name
    parameters = [{"$ref": f"#/components/parameters/{correlation.HEADER}"}]
    answer_headers: Schema = {correlation.HEADER: {"$ref": f"#/components/headers/{correlation.HEADER}"}}
    if not operation.read_only:
        parameters.append({"$ref": f"#/components/parameters/{KEY_HEADER}"})
        answer_headers[REPLAYED[0]] = {
            "description": "true when this is the stored outcome of an earlier request with the same key",
            "schema": {"const": REPLAYED[1]},
        }
    errors = (status for status in ERRORS if authenticated or status not in AUTH_ERRORS)
    return {
        "operationId": name,
        "summary": _first_sentence(shapes[name].declared.documentation) or name,
        "description": shapes[name].declared.documentation,
        "tags": ["read" if operation.read_only else "write"],
        "parameters": parameters,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(name)}}},
        "responses": {
            "200": {
                "description": f"{name}Response",
                "headers": answer_headers,
                "content": {"application/json": {"schema": _ref(f"{name}Response")}},
            },
            **{str(status): {"$ref": f"#/components/responses/{status}"} for status in errors},
        },
    }


class SchemaSet:
    """JSON Schemas of XSD shapes, a named XSD type once as a component however often it is used."""

    def __init__(self) -> None:
        self.components: dict[str, Schema] = {}

    def top(self, shape: Shape, answer: bool) -> None:
        """A top-level element's schema, as the component named after it."""
        self.components[shape.key] = self._object(shape, answer)

    def value(self, shape: Shape, answer: bool) -> Schema:
        """The schema of one occurrence of the element: a reference when its type is named."""
        schema = self._object(shape, answer) if shape.kind == "complex" else _simple(shape)
        declared = shape.declared
        if not declared.type_name:
            return schema
        return self._named(declared.type_name, _described(declared.type_documentation, schema))

    def _object(self, shape: Shape, answer: bool) -> Schema:
        required = [c.key for c in shape.children if c.declared.min_occurs > 0 or (answer and c.repeated)]
        schema: Schema = {"type": "object", "properties": {c.key: self._property(c, answer) for c in shape.children}}
        if required:
            schema["required"] = required
        return schema | {"additionalProperties": False}  # the gateway refuses a field the XSD does not know

    def _property(self, shape: Shape, answer: bool) -> Schema:
        schema = self.value(shape, answer)
        declared = shape.declared
        if shape.repeated:
            schema = {"type": "array", "items": schema}
            if declared.min_occurs:
                schema["minItems"] = declared.min_occurs
            if declared.max_occurs is not None:
                schema["maxItems"] = declared.max_occurs
        return _described(declared.documentation, schema)

    def _named(self, name: str, schema: Schema) -> Schema:
        """A reference to the component name; a different schema of the same type (a request's) gets a new name."""
        taken = self.components.setdefault(name, schema)
        if taken == schema:
            return _ref(name)
        return self._named(f"{name}Input", schema)


def _simple(shape: Shape) -> Schema:
    facets = shape.declared.facets
    if shape.kind == "boolean":
        return {"type": "boolean"}
    if shape.kind in ("float", "double"):
        return {"anyOf": [{"type": "number"}, {"enum": ["INF", "-INF", "NaN"]}]}
    if shape.kind in ("integer", "decimal"):
        return {"type": "integer" if shape.kind == "integer" else "number"} | _number_facets(facets)
    schema: Schema = {"type": "string"}
    if shape.declared.primitive in FORMATS:
        schema["format"] = FORMATS[shape.declared.primitive]
    if "enumeration" in facets:
        schema["enum"] = list(facets["enumeration"])
    length = facets.get("length")
    for keyword, facet in (("minLength", "minLength"), ("maxLength", "maxLength")):
        bound = facets.get(facet, length)
        if bound is not None:
            schema[keyword] = bound
    return schema | _patterns(facets.get("pattern", ()))


def _number_facets(facets: dict[str, Any]) -> Schema:
    schema: Schema = {}
    for keyword, facet in (
        ("minimum", "minInclusive"),
        ("maximum", "maxInclusive"),
        ("exclusiveMinimum", "minExclusive"),
        ("exclusiveMaximum", "maxExclusive"),
    ):
        if facet in facets:
            schema[keyword] = _number(facets[facet])
    if "enumeration" in facets:
        schema["enum"] = [_number(Decimal(value)) for value in facets["enumeration"]]
    digits = facets.get("totalDigits")
    if digits is not None:  # at most totalDigits digits: a bound, unless the value has one already
        if "maximum" not in schema:
            schema.setdefault("exclusiveMaximum", 10**digits)
        if "minimum" not in schema:
            schema.setdefault("exclusiveMinimum", -(10**digits))
    if "fractionDigits" in facets:  # not multipleOf: validators check that with binary floating point
        schema["description"] = f"At most {facets['fractionDigits']} digits after the decimal point."
    return schema


def _patterns(patterns: Iterable[str]) -> Schema:
    """XSD patterns as ECMA-262 ones: XSD anchors a pattern at both ends implicitly; all of them must match."""
    usable = [f"^(?:{pattern})$" for pattern in patterns if not any(part in pattern for part in XSD_ONLY_REGEX)]
    if len(usable) == 1:
        return {"pattern": usable[0]}
    return {"allOf": [{"pattern": pattern} for pattern in usable]} if usable else {}


def _number(value: Any) -> int | float:
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def _problem(schemas: SchemaSet, fault: Shape) -> Schema:
    """RFC 9457 problem details, with the canonical GatewayFault's code and system as extension members."""
    return {
        "type": "object",
        "description": "RFC 9457 problem details; code and system are the canonical GatewayFault's.",
        "properties": {
            "type": {"type": "string", "format": "uri-reference"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "code": schemas.value(fault.by_key["code"], answer=True),
            "system": schemas.value(fault.by_key["system"], answer=True),
        },
        "required": ["type", "title", "status", "detail", "code"],
    }


def _error_responses(authenticated: bool) -> dict[str, Schema]:
    responses: dict[str, Schema] = {}
    for status, description in ERRORS.items():
        if status in AUTH_ERRORS and not authenticated:
            continue
        headers: Schema = {correlation.HEADER: {"$ref": f"#/components/headers/{correlation.HEADER}"}}
        if status == 401:
            headers["WWW-Authenticate"] = {"description": "The HTTP Basic challenge", "schema": {"type": "string"}}
        if status == 429:
            headers["Retry-After"] = {"description": "Seconds to wait before trying again", "schema": RETRY_AFTER}
        responses[str(status)] = {
            "description": description,
            "headers": headers,
            "content": {PROBLEM: {"schema": _ref("Problem")}},
        }
    return responses


def _correlation_header() -> Schema:
    return {
        "description": "Follows one request through the gateway's log lines and into the legacy systems. "
        "The client's own id when it sends a usable one (1 to 128 of A-Z a-z 0-9 . _ : @ / + = -, "
        "starting with a letter or digit), else a new UUID; always in the answer.",
        "schema": {"type": "string", "maxLength": 128},
    }


def _key_parameter(key: Shape) -> Schema:
    return {
        "name": KEY_HEADER,
        "in": "header",
        "description": key.declared.documentation,
        "schema": _simple(key),
    }


def _basic_auth() -> Schema:
    return {
        "type": "http",
        "scheme": "basic",
        "description": "A client of the gateway's clients file. Clear-text, so accepted only over TLS "
        "or from a loopback peer.",
    }


def _described(text: str, schema: Schema) -> Schema:
    """schema with text before the description it may have of its own."""
    description = " ".join(part for part in (text, schema.get("description", "")) if part)
    return {"description": description} | schema | {"description": description} if description else schema


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _first_sentence(text: str) -> str:
    return text.split(". ", 1)[0].rstrip(".")
