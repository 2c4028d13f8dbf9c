"""Is this SOAP Body what the WSDL's message says? Every problem, located, with libxml2's verdicts.

document/literal: the Body holds one element per part, each checked against its declaration.
rpc/literal: the Body holds the wrapper; a copy of it, renamed to the private element the
schema set declares for the message, is checked, and problems are mapped back to the original.
rpc/encoded: only the wrapper and the part names are checked; encoded values follow xsi:type.
"""

from __future__ import annotations

import copy

from lxml import etree

from ..xmlcheck import Problem, element_path, schema_problems
from .model import Message
from .schemas import RPC
from .wsdl import Wsdl


def check_message(wsdl: Wsdl, message: Message, body_children: list[etree._Element]) -> list[Problem]:
    """Every way body_children (the elements in the SOAP Body) break message; [] when they conform."""
    tags = [child.tag for child in body_children]
    expected = list(message.body_tags)
    if tags != expected:
        return [_shape_problem(body_children, expected)]
    if message.wrapper is not None:
        return _check_rpc(wsdl, message, body_children[0])
    validator = wsdl.schemas.validator()
    return [problem for child in body_children for problem in schema_problems(validator, child)]


def _check_rpc(wsdl: Wsdl, message: Message, wrapper: etree._Element) -> list[Problem]:
    name = wsdl.schemas.rpc_elements.get(message)
    if name is None:  # encoded: structure only
        return _check_part_names(message, wrapper)
    renamed = copy.deepcopy(wrapper)
    renamed.tag = f"{{{RPC}}}{name}"
    problems = schema_problems(wsdl.schemas.validator(), renamed)
    return [_mapped(problem, renamed, wrapper) for problem in problems]


def _check_part_names(message: Message, wrapper: etree._Element) -> list[Problem]:
    names = [etree.QName(child).localname for child in wrapper.iterchildren(etree.Element)]
    expected = [part.name for part in message.parts]
    if names == expected:
        return []
    return [
        Problem(
            f"expected the parts {_listed(expected)}, found {_listed(names)}",
            wrapper.sourceline,
            None,
            element_path(wrapper),
        )
    ]


def _mapped(problem: Problem, renamed: etree._Element, original: etree._Element) -> Problem:
    """The problem as it reads on the original wrapper: its path and name, not the private copy's."""
    path = problem.path or ""
    private_path, private_name = element_path(renamed), etree.QName(renamed).localname
    if path.startswith(private_path):
        path = element_path(original) + path[len(private_path) :]
    reason = problem.reason
    if reason.startswith(f"{private_name}:"):
        reason = etree.QName(original).localname + reason[len(private_name) :]
    return Problem(reason, problem.line, problem.column, path)


def _shape_problem(children: list[etree._Element], expected: list[str]) -> Problem:
    found = [_local(tag) for tag in (child.tag for child in children)]
    where = children[0] if children else None
    return Problem(
        f"the Body should hold {_listed([_local(t) for t in expected])}, but holds {_listed(found)}",
        where.sourceline if where is not None else None,
        None,
        element_path(where) if where is not None else None,
    )


def _local(tag: str) -> str:
    return str(etree.QName(tag).localname)


def _listed(names: list[str]) -> str:
    return ", ".join(names) if names else "nothing"
