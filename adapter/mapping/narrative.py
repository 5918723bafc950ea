"""Generated narrative (`text`) for every resource of a mapped Bundle.

Each resource gets a short XHTML summary — who, what, status, dates, contact — so that a system
that shows only narrative still shows something useful. References to other entries of the
Bundle are shown by name. The XHTML keeps to the FHIR narrative rules (txt-1, txt-2): one
`div` in the XHTML namespace, only `p`, `b`, `ul` and `li` inside, no attributes but the
namespace, every text escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any

XHTML_NS = "http://www.w3.org/1999/xhtml"
Resource = Mapping[str, Any]
Row = tuple[str, str | None]


class Names:
    """Display names of the Bundle's resources, by `Type/id` reference."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self._by_ref = {f"{r.get('resourceType')}/{r.get('id')}": r for r in resources}

    def of(self, reference: Any) -> str | None:
        if not isinstance(reference, Mapping):
            return None
        ref = reference.get("reference")
        target = self._by_ref.get(ref) if isinstance(ref, str) else None
        if target is None:
            return _text(reference.get("display")) or _text(ref)
        return self._name_of(target, ref)

    def _name_of(self, resource: Resource, ref: str) -> str:
        kind = resource.get("resourceType")
        if kind in ("Patient", "Practitioner"):
            return human_name(resource.get("name")) or ref
        if kind == "PractitionerRole":
            person = self.of(resource.get("practitioner")) or ref
            role = concept(_first(resource.get("code")))
            where = self.of(resource.get("organization"))
            parts = [person, f"({role})" if role else None, f"at {where}" if where else None]
            return " ".join(p for p in parts if p)
        for key in ("name", "title", "description"):
            if isinstance(resource.get(key), str):
                return str(resource[key])
        return _label(resource) or ref

    def all_of(self, references: Any) -> str | None:
        names = [self.of(r) for r in _list(references)]
        return ", ".join(n for n in names if n) or None


# -- values ----------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _first(value: Any) -> Any:
    items = _list(value)
    return items[0] if items else None


def concept(value: Any) -> str | None:
    """A CodeableConcept or Coding as words: its text, else the first display, else a code."""
    if not isinstance(value, Mapping):
        return None
    if _text(value.get("text")):
        return str(value["text"])
    codings = _list(value.get("coding")) if "coding" in value else [value]
    for coding in codings:
        if isinstance(coding, Mapping) and _text(coding.get("display")):
            return str(coding["display"])
    for coding in codings:
        if isinstance(coding, Mapping) and _text(coding.get("code")):
            return str(coding["code"])
    return None


def human_name(names: Any) -> str | None:
    name = _first(names)
    if not isinstance(name, Mapping):
        return None
    words = [*_list(name.get("given")), name.get("family")]
    return " ".join(w for w in words if _text(w)) or _text(name.get("text"))


def period(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None
    start, end = _text(value.get("start")), _text(value.get("end"))
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    return f"until {end}" if end else None


def contacts(telecom: Any) -> str | None:
    found = [
        f"{t.get('system')} {t['value']}"
        for t in _list(telecom)
        if isinstance(t, Mapping) and _text(t.get("value"))
    ]
    return "; ".join(found) or None


def address(addresses: Any) -> str | None:
    item = _first(addresses)
    if not isinstance(item, Mapping):
        return None
    parts = [
        *[line for line in _list(item.get("line")) if _text(line)],
        _text(item.get("text")),
        _text(item.get("city")),
        " ".join(p for p in (item.get("state"), item.get("postalCode")) if _text(p)) or None,
    ]
    return ", ".join(p for p in parts if p) or None


def quantity_ratio(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None
    top, bottom = value.get("numerator") or {}, value.get("denominator") or {}
    if "value" not in top:
        return None
    return f"{top['value']} {top.get('unit', '')} per {bottom.get('unit', '')}".replace("  ", " ")


def _label(resource: Resource) -> str | None:
    """A short name for resources without one of their own: what it is, and its state."""
    kind = resource.get("resourceType")
    if kind == "Task":
        what = concept(resource.get("code")) or "task"
        state = concept(resource.get("businessStatus")) or _text(resource.get("status"))
        return f"{what} ({state})" if state else what
    if kind == "ServiceRequest":
        what = concept(resource.get("code")) or "service"
        return f"{what} ({resource.get('intent')}, {resource.get('status')})"
    if kind == "Goal":
        return concept(resource.get("description"))
    if kind == "Condition":
        return concept(resource.get("code"))
    if kind == "Communication":
        return concept(resource.get("topic"))
    return None


def _identifier(resource: Resource) -> str | None:
    item = _first(resource.get("identifier"))
    return _text(item.get("value")) if isinstance(item, Mapping) else None


# -- per resource type -----------------------------------------------------------------------


def _patient(r: Resource, names: Names) -> tuple[str, list[Row]]:
    language = _first(r.get("communication"))
    return f"Member {human_name(r.get('name')) or r.get('id')}", [
        ("Member id", _identifier(r)),
        ("Born", _text(r.get("birthDate"))),
        ("Gender", _text(r.get("gender"))),
        ("Language", concept(language.get("language")) if isinstance(language, Mapping) else None),
        ("Contact", contacts(r.get("telecom"))),
        ("Address", address(r.get("address"))),
        ("Died", _text(r.get("deceasedDateTime"))),
    ]


def _organization(r: Resource, names: Names) -> tuple[str, list[Row]]:
    return f"Organization {r.get('name') or r.get('id')}", [
        ("Type", concept(_first(r.get("type")))),
        ("Contact", contacts(r.get("telecom"))),
        ("Address", address(r.get("address"))),
    ]


def _practitioner(r: Resource, names: Names) -> tuple[str, list[Row]]:
    return f"Staff member {human_name(r.get('name')) or r.get('id')}", [
        ("Staff id", _identifier(r)),
        ("Contact", contacts(r.get("telecom"))),
    ]


def _practitioner_role(r: Resource, names: Names) -> tuple[str, list[Row]]:
    time_off = [period(n.get("during")) for n in _list(r.get("notAvailable"))]
    return f"{concept(_first(r.get('code'))) or 'Role'}: {names.of(r.get('practitioner'))}", [
        ("Organization", names.of(r.get("organization"))),
        ("Active", _yes_no(r.get("active"))),
        ("Contact", contacts(r.get("telecom"))),
        ("Available", _text(r.get("availabilityExceptions"))),
        ("Time off", ", ".join(t for t in time_off if t) or None),
    ]


def _consent(r: Resource, names: Names) -> tuple[str, list[Row]]:
    provision = r.get("provision") if isinstance(r.get("provision"), Mapping) else {}
    actors = [a.get("reference") for a in _list(provision.get("actor")) if isinstance(a, Mapping)]
    shared = ", ".join(filter(None, (concept(c) for c in _list(provision.get("class")))))
    return "Consent to share with the care team", [
        ("Member", names.of(r.get("patient"))),
        ("Decision", _text(provision.get("type"))),
        ("With", names.all_of(actors)),
        ("Shares", shared or None),
        ("Status", _text(r.get("status"))),
        ("Date", _text(r.get("dateTime"))),
    ]


def _care_team(r: Resource, names: Names) -> tuple[str, list[Row]]:
    rows: list[Row] = [("Member", names.of(r.get("subject"))), ("Status", _text(r.get("status")))]
    for participant in _list(r.get("participant")):
        role = concept(_first(participant.get("role"))) or "Participant"
        when = period(participant.get("period"))
        who = names.of(participant.get("member"))
        rows.append((role, f"{who} ({when})" if who and when else who))
    rows.append(("Managed by", names.all_of(r.get("managingOrganization"))))
    return str(r.get("name") or "Care team"), rows


def _goal(r: Resource, names: Names) -> tuple[str, list[Row]]:
    target = _first(r.get("target"))
    due = _text(target.get("dueDate")) if isinstance(target, Mapping) else None
    return f"Goal: {concept(r.get('description')) or r.get('id')}", [
        ("Member", names.of(r.get("subject"))),
        ("Status", _text(r.get("lifecycleStatus"))),
        ("Category", concept(_first(r.get("category")))),
        ("Started", _text(r.get("startDate"))),
        ("Target date", due),
        ("Expressed by", names.of(r.get("expressedBy"))),
    ]


def _condition(r: Resource, names: Names) -> tuple[str, list[Row]]:
    return f"Need: {concept(r.get('code')) or r.get('id')}", [
        ("Member", names.of(r.get("subject"))),
        ("Status", concept(r.get("clinicalStatus"))),
        ("Kind", concept(_first(r.get("category")))),
        ("Identified on", _text(r.get("recordedDate"))),
        ("Identified by", names.of(r.get("asserter"))),
    ]


def _service_request(r: Resource, names: Names) -> tuple[str, list[Row]]:
    kind = "Recommended service" if r.get("intent") == "proposal" else "Authorized service"
    return f"{kind}: {concept(r.get('code')) or r.get('id')}", [
        ("Member", names.of(r.get("subject"))),
        ("Status", _text(r.get("status"))),
        ("Amount", quantity_ratio(r.get("quantityRatio"))),
        ("Requested by", names.of(r.get("requester"))),
        ("Requested on", _text(r.get("authoredOn"))),
        ("Starts", period(r.get("occurrencePeriod"))),
        ("Provider", names.all_of(r.get("performer"))),
        ("Note", _text((_first(r.get("note")) or {}).get("text"))),
    ]


def _task(r: Resource, names: Names) -> tuple[str, list[Row]]:
    restriction = r.get("restriction") if isinstance(r.get("restriction"), Mapping) else {}
    due = (restriction.get("period") or {}).get("end") if isinstance(restriction, Mapping) else None
    what = concept(r.get("code")) or _text(r.get("description")) or "Task"
    return f"Task: {what}", [
        ("Member", names.of(r.get("for"))),
        ("Status", _text(r.get("status"))),
        ("Progress", concept(r.get("businessStatus"))),
        ("Reason", concept(r.get("statusReason")) or concept(r.get("reasonCode"))),
        ("Priority", _text(r.get("priority"))),
        ("Due", _text(due)),
        ("About", names.of(r.get("focus"))),
        ("Owner", names.of(r.get("owner"))),
        ("Requested by", names.of(r.get("requester"))),
        ("Created", _text(r.get("authoredOn"))),
    ]


def _care_plan(r: Resource, names: Names) -> tuple[str, list[Row]]:
    activities = [names.of(a.get("reference")) for a in _list(r.get("activity"))]
    return str(r.get("title") or "Care plan"), [
        ("Member", names.of(r.get("subject"))),
        ("Status", _text(r.get("status"))),
        ("Period", period(r.get("period"))),
        ("Author", names.of(r.get("author"))),
        ("Care team", names.all_of(r.get("careTeam"))),
        ("Needs", names.all_of(r.get("addresses"))),
        ("Goals", names.all_of(r.get("goal"))),
        ("Activities", "; ".join(a for a in activities if a) or None),
    ]


def _communication(r: Resource, names: Names) -> tuple[str, list[Row]]:
    payload = _first(r.get("payload"))
    content = payload.get("contentString") if isinstance(payload, Mapping) else None
    return f"Message: {concept(r.get('topic')) or concept(_first(r.get('category'))) or ''}", [
        ("About member", names.of(r.get("subject"))),
        ("Status", _text(r.get("status"))),
        ("Sent", _text(r.get("sent"))),
        ("From", names.of(r.get("sender"))),
        ("To", names.all_of(r.get("recipient"))),
        ("Text", _text(content)),
    ]


def _provenance(r: Resource, names: Names) -> tuple[str, list[Row]]:
    agents = [
        f"{concept(a.get('type')) or 'agent'}: {names.of(a.get('who'))}"
        for a in _list(r.get("agent"))
        if isinstance(a, Mapping)
    ]
    source = _first(r.get("entity"))
    return "Record provenance", [
        ("Recorded", _text(r.get("recorded"))),
        ("Agents", "; ".join(agents) or None),
        ("Source", names.of(source.get("what")) if isinstance(source, Mapping) else None),
        ("Resources", str(len(_list(r.get("target"))))),
    ]


def _yes_no(value: Any) -> str | None:
    return None if not isinstance(value, bool) else ("yes" if value else "no")


SUMMARIES: dict[str, Callable[[Resource, Names], tuple[str, list[Row]]]] = {
    "Patient": _patient,
    "Organization": _organization,
    "Practitioner": _practitioner,
    "PractitionerRole": _practitioner_role,
    "Consent": _consent,
    "CareTeam": _care_team,
    "Goal": _goal,
    "Condition": _condition,
    "ServiceRequest": _service_request,
    "Task": _task,
    "CarePlan": _care_plan,
    "Communication": _communication,
    "Provenance": _provenance,
}


# -- rendering -------------------------------------------------------------------------------


def render(title: str, rows: list[Row]) -> str:
    """The XHTML div: a bold title paragraph, then one list item per row with a value."""
    items = "".join(
        f"<li><b>{escape(label)}</b>: {escape(value)}</li>" for label, value in rows if value
    )
    body = f"<p><b>{escape(title.strip() or 'Resource')}</b></p>"
    if items:
        body += f"<ul>{items}</ul>"
    return f'<div xmlns="{XHTML_NS}">{body}</div>'


def narrative(resource: Resource, names: Names) -> dict[str, str]:
    summarize = SUMMARIES.get(str(resource.get("resourceType")))
    if summarize is None:
        title, rows = f"{resource.get('resourceType')} {resource.get('id')}", []
    else:
        title, rows = summarize(resource, names)
    return {"status": "generated", "div": render(title, rows)}


def with_narrative(resource: dict[str, Any], names: Names) -> dict[str, Any]:
    """The resource with `text` placed after `meta` (FHIR element order)."""
    result: dict[str, Any] = {}
    for key, value in resource.items():
        if key == "text":
            continue
        result[key] = value
        if key == "meta":
            result["text"] = narrative(resource, names)
    if "text" not in result:
        result["text"] = narrative(resource, names)
    return result


def add_narrative(entries: list[dict[str, Any]]) -> None:
    """Give every entry's resource its generated narrative, in place."""
    names = Names(entry["resource"] for entry in entries)
    for entry in entries:
        entry["resource"] = with_narrative(entry["resource"], names)
