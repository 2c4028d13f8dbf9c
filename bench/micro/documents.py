"""Canonical documents of a chosen size, grown from the golden samples (so they stay valid)."""

from __future__ import annotations

import copy
from pathlib import Path

from lxml import etree

from soapbridge.namespaces import CANONICAL

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "xslt" / "crm" / "samples"
#: The canonical payload sizes of the ESB rounds that the harness runs, in bytes.
SIZES = {"1KB": 1024, "10KB": 10 * 1024, "100KB": 100 * 1024}


def search_response(size: int) -> etree._Element:
    """A SearchCustomersResponse whose serialised form is at least `size` bytes: the golden customers,
    repeated with fresh ids, until it is."""
    golden = etree.parse(str(SAMPLES / "SearchCustomers.response.all.out.xml")).getroot()
    customers = list(golden)
    response = etree.Element(f"{{{CANONICAL}}}SearchCustomersResponse", nsmap={"cn": CANONICAL})
    index = 0
    while len(etree.tostring(response)) < size:
        customer = copy.deepcopy(customers[index % len(customers)])
        customer.find(f"{{{CANONICAL}}}id").text = str(100000 + index)  # type: ignore[union-attr]
        response.append(customer)
        index += 1
    return response


def golden_canonical() -> list[etree._Element]:
    """Every canonical document among the golden samples: requests (.in of request stylesheets) and
    responses (.out of response stylesheets), composites included."""
    found = []
    for path in sorted(ROOT.glob("xslt/*/samples/*.xml")):
        name = path.name
        if (".request." in name and name.endswith(".in.xml")) or (".response." in name and name.endswith(".out.xml")):
            root = etree.parse(str(path)).getroot()
            if etree.QName(root).namespace == CANONICAL:
                found.append(root)
    return found
