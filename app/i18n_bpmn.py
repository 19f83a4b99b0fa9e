"""Babel extractor for BPMN diagrams: element names and ``status_label`` properties.

Referenced from ``babel.cfg``, so that the English catalog can translate the
Chinese labels a diagram shows (task names, statuses).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def extract_bpmn(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                 options: Any) -> Iterator[tuple[int, str | None, str, list[str]]]:
    root = etree.parse(fileobj, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    for node in root.iter(etree.Element):
        qname = etree.QName(node)
        if qname.namespace == BPMN and node.get("name") and qname.localname not in ("message", "signal"):
            yield node.sourceline or 0, None, node.get("name"), [f"bpmn:{qname.localname} {node.get('id')}"]
        if qname.namespace == SPIFF and qname.localname == "property" and node.get("name") == "status_label":
            yield node.sourceline or 0, None, node.get("value"), ["status label"]
