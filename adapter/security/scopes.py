"""SMART App Launch scopes (v2 `.cruds`, v1 `.read`/`.write`/`.*`) to allowed interactions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# SMART v2 permission letters each FHIR interaction needs (any one of them suffices).
INTERACTION_PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset("r"),
    "vread": frozenset("r"),
    "history": frozenset("r"),
    "search": frozenset("s"),
    "create": frozenset("c"),
    "update": frozenset("u"),
    "delete": frozenset("d"),
    # $validate checks an intended write; it never stores anything.
    "validate": frozenset("cu"),
    # Bundles are checked entry by entry; the Bundle itself needs some write permission.
    "transaction": frozenset("cud"),
    "batch": frozenset("cudrs"),
}
INTERACTIONS = tuple(INTERACTION_PERMISSIONS)
V1_PERMISSIONS = {"read": "rs", "write": "cud", "*": "cruds"}
_SCOPE = re.compile(r"^(system|user|patient)/(\*|[A-Z][A-Za-z]{1,63})\.([a-z*]+)(\?.*)?$")
_V2_ORDER = "cruds"


@dataclass(frozen=True)
class Scope:
    """One resource scope: context (system/user/patient), resource type or `*`, permissions."""

    context: str
    resource_type: str
    permissions: frozenset[str]

    def covers(self, resource_type: str) -> bool:
        return self.resource_type in ("*", resource_type)


def parse_scope(text: str) -> Scope | None:
    """A resource scope, or None for anything else (`openid`, `launch`, malformed text).

    v2 letters must be in `cruds` order without repeats, as SMART requires; search
    restrictions after `?` are not supported, so such scopes grant nothing.
    """
    match = _SCOPE.match(text)
    if match is None or match.group(4):
        return None
    context, resource_type, permissions = match.group(1), match.group(2), match.group(3)
    if permissions in V1_PERMISSIONS:
        return Scope(context, resource_type, frozenset(V1_PERMISSIONS[permissions]))
    if not _in_cruds_order(permissions):
        return None
    return Scope(context, resource_type, frozenset(permissions))


def _in_cruds_order(letters: str) -> bool:
    positions = [_V2_ORDER.find(letter) for letter in letters]
    return bool(letters) and -1 not in positions and positions == sorted(set(positions))


def parse_scopes(texts: Iterable[str]) -> list[Scope]:
    return [scope for text in texts if (scope := parse_scope(text)) is not None]


def scopes_allow(scopes: Iterable[str], interaction: str, resource_type: str) -> bool:
    """True when some scope covers the type with a permission the interaction needs."""
    needed = INTERACTION_PERMISSIONS.get(interaction)
    if needed is None:
        return False
    return any(
        scope.covers(resource_type) and scope.permissions & needed for scope in parse_scopes(scopes)
    )


def split_scope_claim(claim: object) -> frozenset[str]:
    """The token's `scope` claim (space-separated string, or a list) as a set."""
    if isinstance(claim, str):
        return frozenset(claim.split())
    if isinstance(claim, list):
        return frozenset(s for s in claim if isinstance(s, str))
    return frozenset()
