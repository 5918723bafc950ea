"""Which partners receive a change, and the key that keeps one member's changes in order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import Connection, select

from adapter.exchange.partners import Partner
from adapter.mapping.ids import resource_id
from adapter.store.schema import current, versions

# Elements that tie a resource to its member, in the order FHIR resources use them.
_MEMBER_ELEMENTS = ("subject", "for", "patient", "beneficiary")


def with_last_content(conn: Connection, change: dict[str, Any]) -> dict[str, Any]:
    """A delete carries no resource; route and order it by the version it removes."""
    if change.get("resource") is not None or int(change["version"]) < 2:
        return change
    query = select(versions.c.content).where(
        versions.c.res_type == change["type"],
        versions.c.res_id == change["id"],
        versions.c.version == int(change["version"]) - 1,
    )
    content = conn.execute(query).scalar()
    return {**change, "resource": orjson.loads(content)} if content else change


def ordering_key(change: dict[str, Any]) -> str:
    """`Patient/<id>` for member resources, else the resource itself (directory entries)."""
    if change["type"] == "Patient":
        return f"Patient/{change['id']}"
    member = member_reference(change.get("resource") or {})
    return member or f"{change['type']}/{change['id']}"


def member_reference(resource: dict[str, Any]) -> str | None:
    for element in _MEMBER_ELEMENTS:
        value = resource.get(element)
        reference = value.get("reference") if isinstance(value, dict) else None
        if isinstance(reference, str) and reference.startswith("Patient/"):
            return reference
    return None


def references(value: Any) -> set[str]:
    """Every `reference` string inside a resource."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("reference")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


class MemberContext:
    """What a change's member is tied to: the resource's references plus its care team's."""

    def __init__(self, conn: Connection, change: dict[str, Any]) -> None:
        self.conn = conn
        self.change = change
        self._refs: set[str] | None = None

    @property
    def refs(self) -> set[str]:
        if self._refs is None:
            self._refs = references(self.change.get("resource") or {}) | self._care_team_refs()
        return self._refs

    def _care_team_refs(self) -> set[str]:
        member = ordering_key(self.change)
        if not member.startswith("Patient/mbr-"):
            return set()
        team = _current(self.conn, "CareTeam", "team-" + member.removeprefix("Patient/mbr-"))
        if team is None:
            return set()
        refs = _current_team_refs(team)
        roles = [r.removeprefix("PractitionerRole/") for r in refs if "PractitionerRole/" in r]
        for role_id in roles:
            refs |= references(_current(self.conn, "PractitionerRole", role_id) or {})
        return refs


def _current_team_refs(team: dict[str, Any]) -> set[str]:
    """The team's references but those of participants whose period has ended: a member who
    refused an LTS-C (TEAM-DISCRETION) or changed LTS-C no longer shares with that CBO."""
    ended = [p for p in team.get("participant") or [] if (p.get("period") or {}).get("end")]
    current = {**team, "participant": [p for p in team.get("participant") or [] if p not in ended]}
    return references(current)


def _current(conn: Connection, resource_type: str, resource_id_: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(current.c.content, current.c.deleted).where(
            current.c.res_type == resource_type, current.c.res_id == resource_id_
        )
    ).first()
    return None if row is None or row.deleted else orjson.loads(row.content)


def receives(partner: Partner, change: dict[str, Any], context: MemberContext) -> bool:
    """Whether `partner` gets this change: its resource type, and its members."""
    if not partner.enabled or change["type"] not in partner.resource_types:
        return False
    selection = partner.members
    if selection.everyone:
        return True
    wanted = _wanted_refs("Organization/plan", selection.plans)
    wanted |= _wanted_refs("Organization/cbo", selection.cbos)
    wanted |= _wanted_refs("PractitionerRole/role", selection.care_team_staff)
    return bool(wanted & context.refs)


def _wanted_refs(prefix: str, keys: Iterable[str]) -> set[str]:
    kind, head = prefix.split("/")
    return {f"{kind}/{resource_id(head, key)}" for key in keys}
