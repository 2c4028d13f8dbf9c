"""The scaffold's golden inputs: a legacy answer and a canonical request for each operation, schema-valid.

Both come from the toolkit's sample generator (sample.py), which honours the legacy schemas' facets. The
legacy answer is its sample of the output message. The canonical request is its sample of the legacy input,
renamed field by field into the canonical mirror (scaffoldfields.py): the mirror keeps the structure and the
built-in type each legacy value derives from, so the values stay valid, and the request stylesheet then
gives back a legacy request the WSDL accepts.
"""

from __future__ import annotations

from lxml import etree

from ..wsdlmodel import Message, Wsdl
from .sample import sample_body
from .scaffoldfields import Field


def legacy_sample(wsdl: Wsdl, message: Message) -> etree._Element:
    """A sample of the one element the message puts in the Body."""
    children, _ = sample_body(wsdl, message)  # a sample check finds wrong is check's to report, on the golden pair
    return children[0]


def canonical_sample(canonical: Field, legacy: Field, sample: etree._Element, prefix: str) -> etree._Element:
    """The canonical element canonical (whose fields mirror legacy's), holding what sample holds."""
    root = etree.Element(_tag(canonical), nsmap={prefix: canonical.namespace})
    _fill(root, canonical, sample, legacy)
    return root


def _fill(target: etree._Element, canonical: Field, sample: etree._Element, legacy: Field) -> None:
    for member in canonical.members():
        origin = member.origin
        assert origin is not None, "every canonical field mirrors a legacy one"
        for value in _values(sample, origin, legacy):
            child = etree.SubElement(target, _tag(member))
            if isinstance(value, str):
                child.text = value
            else:
                _fill(child, member, value, origin)


def _values(sample: etree._Element, origin: Field, legacy: Field) -> list[str | etree._Element]:
    """What the sample holds of the legacy field origin: texts for a leaf, elements for a complex element."""
    if origin is legacy or origin.kind == "text":
        return [sample.text or ""]
    tag = f"{{{origin.namespace}}}{origin.name}" if origin.namespace else origin.name
    if origin.kind == "attribute":
        value = sample.get(tag)
        return [] if value is None else [value]
    found = sample.findall(tag)
    return [element.text or "" for element in found] if origin.leaf else list(found)


def _tag(item: Field) -> str:
    return f"{{{item.namespace}}}{item.name}"


def document_text(element: etree._Element) -> str:
    """An XML file's text: declaration, indented, newline at the end."""
    copy = etree.fromstring(etree.tostring(element))
    etree.indent(copy)
    text = etree.tostring(copy, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n'
