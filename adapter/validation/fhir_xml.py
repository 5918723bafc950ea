"""FHIR R4 XML ⇄ FHIR JSON, driven by the StructureDefinitions of a `Definitions` index.

`parse_xml` turns FHIR XML into the same dict the JSON format gives (decimals as
`decimal.Decimal`, so 19.0 and 1.50 keep their digits); `to_xml` writes such a dict as FHIR XML in
StructureDefinition element order. `load_json` / `dump_json` read and write FHIR JSON with the
same decimal fidelity.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest
from typing import Any

from lxml import etree

from adapter.errors import InvalidRequest
from adapter.validation.definitions import Definitions

FHIR_NS = "http://hl7.org/fhir"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_F = "{" + FHIR_NS + "}"
_XHTML_DIV = "{" + XHTML_NS + "}div"
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_FHIR_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"

_BOOLEAN_TYPES = frozenset({"boolean"})
_INTEGER_TYPES = frozenset({"integer", "unsignedInt", "positiveInt"})
_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
# A few Definitions sets live at once (base + profiles, per --ig run); keep their schemas warm.
_SCHEMA_CACHE_SIZE = 8


# --- the element schema, read from StructureDefinitions ------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    """One element (or XML attribute) a node may hold; choice elements get one slot per type."""

    name: str  # JSON property and XML local name, e.g. `given`, `valueQuantity`
    order: int  # position in the StructureDefinition, the order FHIR XML requires
    kind: str  # primitive | complex | resource | xhtml
    type_code: str
    repeats: bool
    attribute: bool
    node: tuple[str, str]  # (StructureDefinition url, element path) whose children it holds


Node = dict[str, Slot]


class Schema:
    """Slots per element path, built lazily from the StructureDefinitions of one Definitions."""

    def __init__(self, definitions: Definitions) -> None:
        self._definitions = definitions
        self._nodes: dict[tuple[str, str], Node] = {}
        self._children: dict[str, dict[str, list[dict[str, Any]]]] = {}

    def resource_node(self, resource_type: str) -> Node | None:
        sd = self._definitions.structure_definition(resource_type)
        if not sd or sd.get("kind") != "resource" or sd.get("type") != resource_type:
            return None
        return self.node((sd["url"], resource_type))

    def node(self, key: tuple[str, str]) -> Node:
        found = self._nodes.get(key)
        if found is None:
            found = self._nodes[key] = self._build_node(*key)
        return found

    def _build_node(self, url: str, path: str) -> Node:
        sd = self._definitions.structure_definitions[url]
        node: Node = {}
        for order, element in enumerate(self._children_of(sd).get(path, [])):
            for slot in self._slots(sd, element, order):
                node[slot.name] = slot
        return node

    def _children_of(self, sd: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        children = self._children.get(sd["url"])
        if children is None:
            children = {}
            for element in sd.get("snapshot", {}).get("element", []):
                parent, _, _ = element["path"].rpartition(".")
                if parent:
                    children.setdefault(parent, []).append(element)
            self._children[sd["url"]] = children
        return children

    def _slots(self, sd: dict[str, Any], element: dict[str, Any], order: int) -> list[Slot]:
        if element.get("max") == "0":
            return []
        name = element["path"].rpartition(".")[2]
        repeats = element.get("max", "1") != "1"
        attribute = "xmlAttr" in element.get("representation", ())
        if "contentReference" in element:
            target = element["contentReference"].partition("#")[2]
            return [
                Slot(name, order, "complex", "BackboneElement", repeats, False, (sd["url"], target))
            ]
        codes = [_type_code(t) for t in element.get("type", [])]
        if name.endswith("[x]"):
            base = name[:-3]
            return [
                self._slot(sd, element, base + code[0].upper() + code[1:], code, order, repeats)
                for code in codes
            ]
        code = codes[0] if codes else "string"
        return [self._slot(sd, element, name, code, order, repeats, attribute)]

    def _slot(
        self,
        sd: dict[str, Any],
        element: dict[str, Any],
        name: str,
        code: str,
        order: int,
        repeats: bool,
        attribute: bool = False,
    ) -> Slot:
        path = element["path"]
        if code in ("BackboneElement", "Element") and path in self._children_of(sd):
            return Slot(name, order, "complex", code, repeats, attribute, (sd["url"], path))
        return Slot(name, order, self._kind(code), code, repeats, attribute, self.type_node(code))

    def _kind(self, code: str) -> str:
        if code == "xhtml":
            return "xhtml"
        if code[0].islower():
            return "primitive"
        if code == "Resource":
            return "resource"
        sd = self._definitions.structure_definition(code)
        return "resource" if sd and sd.get("kind") == "resource" else "complex"

    def type_node(self, code: str) -> tuple[str, str]:
        sd = self._definitions.structure_definition(code)
        return (sd["url"], code) if sd else ("", code)

    def extension_slot(self) -> Slot:
        """The slot of extensions on primitive elements (`_name.extension` in JSON)."""
        return Slot(
            "extension", 0, "complex", "Extension", True, False, self.type_node("Extension")
        )

    def has_node(self, key: tuple[str, str]) -> bool:
        return key[0] in self._definitions.structure_definitions


def _type_code(type_ref: dict[str, Any]) -> str:
    """The FHIR type of an element; `System.String` ids and urls carry it in an extension."""
    code = type_ref["code"]
    if not code.startswith("http://hl7.org/fhirpath/System."):
        return code
    for ext in type_ref.get("extension", []):
        if ext.get("url") == _FHIR_TYPE_EXT and ext.get("valueUrl"):
            return ext["valueUrl"]
    return "string"


_schemas: OrderedDict[int, tuple[Definitions, Schema]] = OrderedDict()
_schemas_lock = threading.Lock()


def schema_for(definitions: Definitions) -> Schema:
    """The cached schema of this Definitions object (by identity; later additions are seen)."""
    with _schemas_lock:
        entry = _schemas.get(id(definitions))
        if entry is not None and entry[0] is definitions:
            _schemas.move_to_end(id(definitions))
            return entry[1]
        schema = Schema(definitions)
        _schemas[id(definitions)] = (definitions, schema)
        while len(_schemas) > _SCHEMA_CACHE_SIZE:
            _schemas.popitem(last=False)
        return schema


# --- XML → JSON ----------------------------------------------------------------------------------


def parse_xml(data: bytes, definitions: Definitions) -> dict[str, Any]:
    """One FHIR resource from FHIR XML; raises InvalidRequest naming the bad element's path."""
    root = _safe_document(data)
    if _namespace(root) != FHIR_NS:
        raise _bad(root, "The root element is not in the FHIR namespace http://hl7.org/fhir")
    return _XmlReader(schema_for(definitions)).resource(root)


def _safe_parser() -> etree.XMLParser:
    # No DTDs, no entity expansion, no network: XXE and entity bombs cannot get anywhere.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


_NO_DOCTYPE = "XML with a DOCTYPE is refused: FHIR XML allows no DTDs or entities"


def _safe_document(data: bytes) -> etree._Element:
    # Refuse a DOCTYPE before libxml2 reads its entity declarations; the check after parsing
    # catches encodings where the bytes do not spell it out (UTF-16).
    if b"<!DOCTYPE" in data:
        raise InvalidRequest(_NO_DOCTYPE)
    try:
        root = etree.fromstring(data, _safe_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InvalidRequest(f"Malformed XML: {getattr(exc, 'msg', None) or exc}") from None
    if root.getroottree().docinfo.doctype:
        raise InvalidRequest(_NO_DOCTYPE)
    return root


class _XmlReader:
    """Reads elements into FHIR JSON values, slot by slot."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.extension = schema.extension_slot()

    def resource(self, el: etree._Element) -> dict[str, Any]:
        resource_type = etree.QName(el).localname
        node = self.schema.resource_node(resource_type)
        if node is None or _namespace(el) != FHIR_NS:
            raise _bad(el, f"Unknown resource type {resource_type!r}")
        _check_attributes(el, {})
        out: dict[str, Any] = {"resourceType": resource_type}
        self.children(el, node, out)
        return out

    def children(self, el: etree._Element, node: Node, out: dict[str, Any]) -> None:
        _check_no_text(el)
        repeating_primitives: list[str] = []
        for child in el:
            if not isinstance(child.tag, str):
                raise _bad(el, "Entity references are not allowed")
            slot = _slot_of(child, node)
            if slot.kind == "primitive":
                self.primitive(child, slot, out, repeating_primitives)
            elif slot.repeats:
                out.setdefault(slot.name, []).append(self.value(child, slot))
            elif slot.name in out:
                raise _bad(child, f"Element {slot.name!r} repeats but may occur only once")
            else:
                out[slot.name] = self.value(child, slot)
        for name in repeating_primitives:
            _drop_empty_parallel_arrays(out, name)

    def value(self, el: etree._Element, slot: Slot) -> Any:
        if slot.kind == "xhtml":
            return etree.tostring(_standalone_xhtml(el), encoding="unicode")
        if slot.kind == "resource":
            return self.contained(el)
        if not self.schema.has_node(slot.node):
            raise _bad(el, f"No StructureDefinition for type {slot.type_code!r}")
        node = self.schema.node(slot.node)
        out: dict[str, Any] = {}
        for attr_name, raw in _check_attributes(el, node).items():
            out[attr_name] = raw
        self.children(el, node, out)
        return out

    def contained(self, el: etree._Element) -> dict[str, Any]:
        _check_attributes(el, {})
        _check_no_text(el)
        inner = list(el)
        if len(inner) != 1 or not isinstance(inner[0].tag, str):
            raise _bad(el, "Must hold exactly one resource element")
        return self.resource(inner[0])

    def primitive(
        self, el: etree._Element, slot: Slot, out: dict[str, Any], repeating: list[str]
    ) -> None:
        value, extras = self.primitive_parts(el, slot)
        if slot.repeats:
            if slot.name not in repeating:
                repeating.append(slot.name)
                out[slot.name], out["_" + slot.name] = [], []
            out[slot.name].append(value)
            out["_" + slot.name].append(extras)
            return
        if slot.name in out or "_" + slot.name in out:
            raise _bad(el, f"Element {slot.name!r} repeats but may occur only once")
        if value is not None:
            out[slot.name] = value
        if extras:
            out["_" + slot.name] = extras

    def primitive_parts(self, el: etree._Element, slot: Slot) -> tuple[Any, dict[str, Any] | None]:
        attrs = _check_attributes(el, {"id", "value"})
        _check_no_text(el)
        raw = attrs.get("value")
        value = None if raw is None else _json_value(el, raw, slot.type_code)
        extras: dict[str, Any] = {}
        if "id" in attrs:
            extras["id"] = attrs["id"]
        extensions = [self.value(_only_extension(child), self.extension) for child in el]
        if extensions:
            extras["extension"] = extensions
        if value is None and not extras:
            raise _bad(el, "Element has neither a value attribute nor extensions")
        return value, extras or None


def _standalone_xhtml(div: etree._Element) -> etree._Element:
    """A copy of the narrative that declares only the XHTML namespace, as FHIR JSON expects."""
    copy_root = etree.Element(div.tag, dict(div.attrib), nsmap={None: XHTML_NS})
    _copy_content(div, copy_root)
    return copy_root


def _copy_content(source: etree._Element, target: etree._Element) -> None:
    # The parser drops comments and processing instructions, so children are all elements.
    target.text = source.text
    for child in source:
        copied = etree.SubElement(target, child.tag, dict(child.attrib))
        _copy_content(child, copied)
        copied.tail = child.tail


def _only_extension(el: etree._Element) -> etree._Element:
    if el.tag != _F + "extension":
        raise _bad(el, "Only extension elements may appear inside a primitive element")
    return el


def _slot_of(el: etree._Element, node: Node) -> Slot:
    tag = el.tag
    if tag.startswith(_F):  # the common case, without building a QName
        slot = node.get(tag[len(_F) :])
        if slot is not None and not slot.attribute and slot.kind != "xhtml":
            return slot
    elif tag == _XHTML_DIV and "div" in node and node["div"].kind == "xhtml":
        return node["div"]
    local = etree.QName(el).localname
    if _namespace(el) != FHIR_NS:
        raise _bad(el, f"Element {local!r} is not in the FHIR namespace")
    raise _bad(el, f"Unknown element {local!r}")


def _check_attributes(el: etree._Element, allowed: Node | set[str]) -> dict[str, str]:
    """The element's FHIR attributes; schema-instance attributes are ignored, others refused."""
    found = {}
    for qname, raw in el.attrib.items():
        name = etree.QName(qname)
        if name.namespace == XSI_NS:
            continue
        if name.namespace is not None or not _is_attribute(name.localname, allowed):
            raise _bad(el, f"Unknown attribute {qname!r}")
        if raw == "":
            raise _bad(el, f"Attribute {qname!r} is empty; FHIR values are never empty")
        found[name.localname] = raw
    return found


def _is_attribute(name: str, allowed: Node | set[str]) -> bool:
    if isinstance(allowed, set):
        return name in allowed
    slot = allowed.get(name)
    return slot is not None and slot.attribute


def _check_no_text(el: etree._Element) -> None:
    if el.text and el.text.strip():
        raise _bad(el, "Text content is not allowed in FHIR elements; use the value attribute")
    for child in el:
        if child.tail and child.tail.strip():
            raise _bad(el, "Text content is not allowed in FHIR elements; use the value attribute")


def _json_value(el: etree._Element, raw: str, type_code: str) -> Any:
    if type_code in _BOOLEAN_TYPES:
        if raw not in ("true", "false"):
            raise _bad(el, f"Value {raw!r} is not a boolean (true or false)")
        return raw == "true"
    if type_code in _INTEGER_TYPES:
        if not _INTEGER.fullmatch(raw):
            raise _bad(el, f"Value {raw!r} is not an integer")
        return int(raw)
    if type_code == "decimal":
        if not _DECIMAL.fullmatch(raw):
            raise _bad(el, f"Value {raw!r} is not a decimal")
        return Decimal(raw)
    return raw


def _drop_empty_parallel_arrays(out: dict[str, Any], name: str) -> None:
    for key in (name, "_" + name):
        if all(item is None for item in out[key]):
            del out[key]


def _namespace(el: etree._Element) -> str | None:
    return etree.QName(el).namespace


def _bad(el: etree._Element, message: str) -> InvalidRequest:
    steps = _steps(el)
    xpath = "/" + "/".join(
        f"{prefix}{local}" + (f"[{index}]" if index else "") for prefix, local, index in steps
    )
    return InvalidRequest(f"{message} at {xpath}", expression=_fhirpath(steps))


def _steps(el: etree._Element) -> list[tuple[str, str, int | None]]:
    """(prefix, local name, 1-based position among same-named siblings when there are several)."""
    steps = []
    current: etree._Element | None = el
    while current is not None:
        namespace = etree.QName(current).namespace if isinstance(current.tag, str) else None
        prefix = {FHIR_NS: "f:", XHTML_NS: "h:"}.get(namespace or "", "")
        local = etree.QName(current).localname if isinstance(current.tag, str) else "node()"
        parent = current.getparent()
        same = [s for s in parent if s.tag == current.tag] if parent is not None else [current]
        steps.append((prefix, local, same.index(current) + 1 if len(same) > 1 else None))
        current = parent
    return list(reversed(steps))


def _fhirpath(steps: list[tuple[str, str, int | None]]) -> str:
    # Nested resources (Bundle entries, contained) are type steps in XML, not in FHIRPath.
    parts = [steps[0][1]]
    for _prefix, local, index in steps[1:]:
        if local[:1].isupper():
            continue
        parts.append(local + (f"[{index - 1}]" if index else ""))
    return ".".join(parts)


# --- JSON → XML ----------------------------------------------------------------------------------


def to_xml(resource: dict[str, Any], definitions: Definitions, *, pretty: bool = False) -> bytes:
    """FHIR XML (UTF-8, with declaration) for one resource; InvalidRequest when unmappable."""
    writer = _XmlWriter(schema_for(definitions))
    try:
        root = writer.resource(resource, None, "")
    except RecursionError:
        raise InvalidRequest("The resource is nested too deeply to write as XML") from None
    if pretty:
        _indent_keeping_narrative(root, writer.narratives)
    return _DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def _indent_keeping_narrative(root: etree._Element, narratives: list[etree._Element]) -> None:
    # Indenting would add whitespace inside the XHTML and change the narrative, so put the
    # narratives back as they were once the FHIR elements are indented.
    originals = [copy.deepcopy(div) for div in narratives]
    etree.indent(root)
    for indented, original in zip(narratives, originals, strict=True):
        original.tail = indented.tail
        indented.getparent().replace(indented, original)


class _XmlWriter:
    """Writes FHIR JSON values as elements in StructureDefinition order."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.narratives: list[etree._Element] = []

    def resource(self, resource: Any, parent: etree._Element | None, path: str) -> etree._Element:
        resource_type = resource.get("resourceType") if isinstance(resource, dict) else None
        if not isinstance(resource_type, str):
            raise InvalidRequest("A resource needs a resourceType", expression=path or "Resource")
        node = self.schema.resource_node(resource_type)
        if node is None:
            raise InvalidRequest(
                f"Unknown resource type {resource_type!r}", expression=path or resource_type
            )
        tag = _F + resource_type
        el = (
            etree.Element(tag, nsmap={None: FHIR_NS})
            if parent is None
            else etree.SubElement(parent, tag)
        )
        self.children(el, resource, node, path or resource_type, skip={"resourceType"})
        return el

    def children(
        self,
        el: etree._Element,
        obj: dict[str, Any],
        node: Node,
        path: str,
        skip: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        elements: dict[str, Slot] = {}
        for key in obj:
            if key in skip:
                continue
            slot = node.get(key[1:] if key.startswith("_") else key)
            if slot is None or (key.startswith("_") and slot.kind != "primitive"):
                raise InvalidRequest(f"Unknown element {key!r}", expression=f"{path}.{key}")
            if slot.attribute:
                _set(el, slot.name, _xml_value(obj[key], slot, f"{path}.{key}"), path)
            else:
                elements[slot.name] = slot
        for slot in sorted(elements.values(), key=lambda s: s.order):
            self.element(el, obj, slot, f"{path}.{slot.name}")

    def element(self, parent: etree._Element, obj: dict[str, Any], slot: Slot, path: str) -> None:
        if slot.kind == "primitive":
            self.primitives(parent, obj.get(slot.name), obj.get("_" + slot.name), slot, path)
            return
        for index, value in _items(obj[slot.name], slot, path):
            item_path = f"{path}[{index}]" if slot.repeats else path
            if slot.kind == "resource":
                self.resource(value, etree.SubElement(parent, _F + slot.name), item_path)
            elif slot.kind == "xhtml":
                self.narratives.append(_xhtml(value, item_path))
                parent.append(self.narratives[-1])
            else:
                self.complex(parent, value, slot, item_path)

    def complex(self, parent: etree._Element, value: Any, slot: Slot, path: str) -> None:
        if not isinstance(value, dict):
            raise InvalidRequest(f"{slot.name} must be a JSON object", expression=path)
        if not self.schema.has_node(slot.node):
            raise InvalidRequest(
                f"No StructureDefinition for type {slot.type_code!r}", expression=path
            )
        self.children(
            etree.SubElement(parent, _F + slot.name), value, self.schema.node(slot.node), path
        )

    def primitives(
        self, parent: etree._Element, values: Any, extras: Any, slot: Slot, path: str
    ) -> None:
        if not slot.repeats:
            self.primitive(parent, values, extras, slot, path)
            return
        for name, items in ((slot.name, values), ("_" + slot.name, extras)):
            if items is not None and not isinstance(items, list):
                raise InvalidRequest(f"{name} must be a JSON array", expression=path)
        if values is not None and extras is not None and len(values) != len(extras):
            raise InvalidRequest(f"{slot.name} and _{slot.name} differ in length", expression=path)
        for index, (value, extra) in enumerate(zip_longest(values or [], extras or [])):
            self.primitive(parent, value, extra, slot, f"{path}[{index}]")

    def primitive(
        self, parent: etree._Element, value: Any, extra: Any, slot: Slot, path: str
    ) -> None:
        if value is None and not extra:
            raise InvalidRequest(f"{slot.name} has neither a value nor extensions", expression=path)
        el = etree.SubElement(parent, _F + slot.name)
        if extra is not None and not isinstance(extra, dict):
            raise InvalidRequest(f"_{slot.name} must be a JSON object", expression=path)
        extra = extra or {}
        if extra.get("id") is not None:
            _set(el, "id", _xml_value(extra["id"], _ID_SLOT, path), path)
        if value is not None:
            _set(el, "value", _xml_value(value, slot, path), path)
        for key in extra:
            if key not in ("id", "extension"):
                raise InvalidRequest(f"Unknown element {key!r}", expression=f"{path}.{key}")
        if "extension" in extra:
            self.element(el, extra, self.schema.extension_slot(), f"{path}.extension")


_ID_SLOT = Slot("id", 0, "primitive", "string", False, True, ("", "string"))


def _items(value: Any, slot: Slot, path: str) -> list[tuple[int, Any]]:
    if slot.repeats:
        if not isinstance(value, list):
            raise InvalidRequest(f"{slot.name} must be a JSON array", expression=path)
        return list(enumerate(value))
    if isinstance(value, list):
        raise InvalidRequest(f"{slot.name} must not be an array", expression=path)
    return [(0, value)]


def _xml_value(value: Any, slot: Slot, path: str) -> str:
    code = slot.type_code
    if code in _BOOLEAN_TYPES and isinstance(value, bool):
        return "true" if value else "false"
    if code in _INTEGER_TYPES and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if (
        code == "decimal"
        and isinstance(value, int | float | Decimal)
        and not isinstance(value, bool)
    ):
        text = str(value) if isinstance(value, Decimal | int) else repr(value)
        if _DECIMAL.fullmatch(text):
            return text
    elif code not in _BOOLEAN_TYPES | _INTEGER_TYPES | {"decimal"} and isinstance(value, str):
        return value
    raise InvalidRequest(f"{slot.name} is not a valid FHIR {code}: {value!r}", expression=path)


def _set(el: etree._Element, name: str, value: str, path: str) -> None:
    try:
        el.set(name, value)
    except ValueError:
        raise InvalidRequest(f"{name} holds characters XML cannot carry", expression=path) from None


def _xhtml(value: Any, path: str) -> etree._Element:
    if not isinstance(value, str):
        raise InvalidRequest("The narrative div must be an XHTML string", expression=path)
    try:
        div = etree.fromstring(value.encode("utf-8"), _safe_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidRequest(
            f"The narrative div is not well-formed XHTML: {exc}", expression=path
        ) from None
    if div.tag != _XHTML_DIV or div.getroottree().docinfo.doctype:
        raise InvalidRequest(
            'The narrative must be one <div xmlns="http://www.w3.org/1999/xhtml">', expression=path
        )
    return div


# --- JSON with decimal fidelity ------------------------------------------------------------------


def load_json(data: bytes | str) -> Any:
    """FHIR JSON with decimals as `Decimal`, so 19.0 and 1.50 keep their digits."""
    return json.loads(data, parse_float=Decimal)


def dump_json(value: Any, *, indent: int | None = None) -> str:
    """JSON text in which every `Decimal` is written verbatim as a number."""
    marker = "\x00decimal-" + secrets.token_hex(8) + ":"
    found = False

    def decimal_marker(obj: Any) -> str:
        nonlocal found
        if isinstance(obj, Decimal) and obj.is_finite():
            found = True
            return marker + str(obj)
        raise TypeError(f"{type(obj).__name__} is not JSON serializable")

    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(
        value, ensure_ascii=False, indent=indent, separators=separators, default=decimal_marker
    )
    if not found:
        return text
    quoted = re.escape(json.dumps(marker)[1:-1])
    return re.sub('"' + quoted + r'([-+0-9.eE]+)"', r"\1", text)
