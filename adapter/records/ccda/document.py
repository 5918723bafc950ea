"""Safe C-CDA parsing, namespace-aware XPath helpers, HL7 dates and element XPaths for errors."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from lxml import etree

from adapter.records.ccda.timestamps import BadTimestamp, Stamp, parse_ts

NS = {
    "hl7": "urn:hl7-org:v3",
    "sdtc": "urn:hl7-org:sdtc",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
_PREFIXES = {uri: prefix for prefix, uri in NS.items()}
Element = etree._Element


_ROOT_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?ClinicalDocument[\s>/]")
_SNIFF_BYTES = 64 * 1024


def looks_like_ccda(path: Path) -> bool:
    """An .xml file whose first element is ClinicalDocument (prolog and comments may precede)."""
    if path.suffix.lower() != ".xml" or not path.is_file():
        return False
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    return bool(_ROOT_TAG.search(head))


class CcdaError(Exception):
    """A problem located by the XPath of the bad element."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


def parse_document(data: bytes) -> Element:
    """The ClinicalDocument root; no DTDs, entities or network (XXE and entity bombs)."""
    if b"<!DOCTYPE" in data:
        raise CcdaError("/", "XML with a DOCTYPE is refused: C-CDA needs no DTD or entities")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise CcdaError("/", f"malformed XML: {getattr(exc, 'msg', None) or exc}") from None
    if root.getroottree().docinfo.doctype:
        raise CcdaError("/", "XML with a DOCTYPE is refused: C-CDA needs no DTD or entities")
    if root.tag != f"{{{NS['hl7']}}}ClinicalDocument":
        raise CcdaError(xpath_of(root), "the root element is not an HL7 v3 ClinicalDocument")
    return root


def find(element: Element, path: str) -> list[Element]:
    return element.xpath(path, namespaces=NS)


def first(element: Element, path: str) -> Element | None:
    found = find(element, path)
    return found[0] if found else None


def attr(element: Element | None, name: str) -> str:
    """An attribute's value, empty when the element is absent or carries a nullFlavor."""
    if element is None or element.get("nullFlavor"):
        return ""
    return (element.get(name) or "").strip()


def text(element: Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def xpath_of(element: Element) -> str:
    """An XPath naming this element with prefixes hl7/sdtc and 1-based positions."""
    steps = []
    while element is not None:
        qname = etree.QName(element)
        name = f"{_PREFIXES.get(qname.namespace, 'hl7')}:{qname.localname}"
        parent = element.getparent()
        if parent is None:
            steps.append(name)
        else:
            same = [c for c in parent if c.tag == element.tag]
            steps.append(f"{name}[{same.index(element) + 1}]")
        element = parent
    return "/" + "/".join(reversed(steps))


def hl7_stamp(element: Element | None, name: str = "value") -> Stamp | None:
    """The HL7 TS of an attribute at its own precision; None when absent or null-flavored."""
    if element is None:
        return None
    raw = attr(element, name)
    if not raw:
        return None
    try:
        return parse_ts(raw)
    except BadTimestamp:
        raise CcdaError(xpath_of(element), f"@{name} is not an HL7 date: {raw!r}") from None


def hl7_date(element: Element | None, name: str = "value") -> date | None:
    """The calendar day of an HL7 TS (in its own zone); None when absent or null-flavored."""
    stamp = hl7_stamp(element, name)
    return stamp.day if stamp else None


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def referenced_text(element: Element | None) -> str:
    """The narrative an element points at (`reference/@value="#id"`), as plain text."""
    target = attr(first(element, "hl7:reference"), "value") if element is not None else ""
    if not target.startswith("#") or len(target) < 2 or "'" in target:
        return ""
    found = first(element.getroottree().getroot(), f"//*[@ID='{target[1:]}']")
    return text(found)
