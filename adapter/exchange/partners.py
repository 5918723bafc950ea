"""The partner registry: who receives which changes, how, and with what credentials (YAML)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from adapter.errors import ConfigurationError
from adapter.outcome import Issue
from adapter.store import SUPPORTED_TYPES

# auto: one transaction Bundle per batch when the partner's CapabilityStatement lists the
# `transaction` interaction, else per-resource PUT (as `update`).
DELIVERY_MODES = ("transaction", "auto", "conditional-update", "update")
AUTH_KINDS = ("none", "bearer", "client-credentials", "smart-backend")
SMART_ALGORITHMS = ("RS384", "ES384")
# The outbox destination of Subscription notifications; no partner may take its name.
RESERVED_ID = "subscriptions"


@dataclass(frozen=True)
class AuthConfig:
    """Credentials; secrets are named by environment variable, never written in the file."""

    kind: str = "none"
    token_env: str | None = None
    token_url: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    private_key_file: str | None = None
    kid: str | None = None
    alg: str = "RS384"
    scope: str = "system/*.rs system/*.cu"


@dataclass(frozen=True)
class TlsConfig:
    client_cert: str | None = None
    client_key: str | None = None
    ca_bundle: str | None = None


@dataclass(frozen=True)
class MemberSelection:
    """Which members' changes a partner receives; empty selects every member."""

    plans: tuple[str, ...] = ()
    cbos: tuple[str, ...] = ()
    care_team_staff: tuple[str, ...] = ()

    @property
    def everyone(self) -> bool:
        return not (self.plans or self.cbos or self.care_team_staff)


@dataclass(frozen=True)
class PollConfig:
    """Polling a CBO's own FHIR server for the Tasks it owns."""

    owner: str
    interval_s: int = 60
    # Clocks of two servers disagree; re-reading a window and de-duplicating beats a gap.
    overlap_s: int = 300


@dataclass(frozen=True)
class Partner:
    id: str
    base_url: str
    resource_types: tuple[str, ...]
    delivery: str = "update"
    members: MemberSelection = field(default_factory=MemberSelection)
    auth: AuthConfig = field(default_factory=AuthConfig)
    tls: TlsConfig = field(default_factory=TlsConfig)
    poll: PollConfig | None = None
    enabled: bool = True

    def to_json(self) -> dict[str, Any]:
        """The registry entry as the admin API shows it (no secrets are ever held here)."""
        shown: dict[str, Any] = {
            "id": self.id,
            "base_url": self.base_url,
            "resource_types": list(self.resource_types),
            "delivery": self.delivery,
            "members": {
                "plans": list(self.members.plans),
                "cbos": list(self.members.cbos),
                "care_team_staff": list(self.members.care_team_staff),
            },
            "auth": {"kind": self.auth.kind, "client_id": self.auth.client_id},
            "enabled": self.enabled,
        }
        if self.poll:
            shown["poll"] = {"owner": self.poll.owner, "interval_s": self.poll.interval_s}
        return shown


class PartnerRegistry:
    """Partners by id; an unknown id is refused with the list of known ones."""

    def __init__(self, partners: list[Partner] | tuple[Partner, ...] = ()) -> None:
        self.partners = {p.id: p for p in partners}

    def __iter__(self) -> Iterator[Partner]:
        return iter(list(self.partners.values()))  # a copy: the admin API may edit meanwhile

    def __len__(self) -> int:
        return len(self.partners)

    def get(self, partner_id: str) -> Partner:
        if partner_id not in self.partners:
            known = ", ".join(sorted(self.partners)) or "none"
            raise ConfigurationError(f"Unknown partner {partner_id!r}; known partners: {known}")
        return self.partners[partner_id]

    def put(self, partner: Partner) -> None:
        self.partners[partner.id] = partner

    def remove(self, partner_id: str) -> None:
        self.get(partner_id)
        del self.partners[partner_id]


def load_registry(path: str | Path) -> PartnerRegistry:
    """Read a partners YAML file; every problem is reported at once."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError(f"Cannot read partners file {path}: {error}") from error
    entries = document.get("partners") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ConfigurationError(f"{path}: expected a top-level 'partners' list")
    partners, issues = [], []
    for index, entry in enumerate(entries):
        partner, found = parse_partner(entry, f"partners[{index}]")
        issues.extend(found)
        if partner is not None:
            partners.append(partner)
    if issues:
        raise ConfigurationError(f"Invalid partners file {path}", issues=issues)
    return PartnerRegistry(partners)


def parse_partner(entry: Any, where: str = "partner") -> tuple[Partner | None, list[Issue]]:
    """A Partner from one registry entry, or the issues that stop it."""
    if not isinstance(entry, dict):
        return None, [_issue(where, "must be a mapping")]
    issues = _check_entry(entry, where)
    if issues:
        return None, issues
    return _build(entry), []


def _check_entry(entry: dict[str, Any], where: str) -> list[Issue]:
    issues = []
    for key in ("id", "base_url"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            issues.append(_issue(f"{where}.{key}", "is required"))
    if entry.get("id") == RESERVED_ID:
        issues.append(_issue(f"{where}.id", f"{RESERVED_ID!r} is reserved for Subscriptions"))
    base = entry.get("base_url")
    if isinstance(base, str) and not base.startswith(("http://", "https://")):
        issues.append(_issue(f"{where}.base_url", "must be an http(s) URL"))
    types = entry.get("resource_types", [])
    unknown = [t for t in types if t not in SUPPORTED_TYPES] if isinstance(types, list) else []
    if not isinstance(types, list) or unknown:
        issues.append(_issue(f"{where}.resource_types", f"unknown resource types {unknown}"))
    if entry.get("delivery", "update") not in DELIVERY_MODES:
        issues.append(_issue(f"{where}.delivery", f"must be one of {', '.join(DELIVERY_MODES)}"))
    issues += _unknown_keys(entry.get("tls"), TlsConfig, f"{where}.tls")
    poll = entry.get("poll")
    issues += _unknown_keys(poll, PollConfig, f"{where}.poll")
    if isinstance(poll, dict) and not poll.get("owner"):
        issues.append(_issue(f"{where}.poll.owner", "is required (e.g. Organization/cbo-bcil)"))
    return issues + _check_auth(entry.get("auth") or {}, f"{where}.auth")


_AUTH_REQUIRED = {
    "none": (),
    "bearer": ("token_env",),
    "client-credentials": ("token_url", "client_id", "client_secret_env"),
    "smart-backend": ("client_id", "private_key_file", "kid"),
}


def _unknown_keys(value: Any, allowed: type, where: str) -> list[Issue]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [_issue(where, "must be a mapping")]
    known = set(allowed.__dataclass_fields__)
    return [_issue(f"{where}.{key}", "is not a known setting") for key in value if key not in known]


def _check_auth(auth: dict[str, Any], where: str) -> list[Issue]:
    unknown = _unknown_keys(auth, AuthConfig, where)
    if unknown:
        return unknown
    kind = auth.get("kind", "none")
    if kind not in AUTH_KINDS:
        return [_issue(f"{where}.kind", f"must be one of {', '.join(AUTH_KINDS)}")]
    issues = [
        _issue(f"{where}.{key}", f"is required for {kind}")
        for key in _AUTH_REQUIRED[kind]
        if not auth.get(key)
    ]
    if kind == "smart-backend" and auth.get("alg", "RS384") not in SMART_ALGORITHMS:
        issues.append(_issue(f"{where}.alg", "must be RS384 or ES384"))
    return issues


def _build(entry: dict[str, Any]) -> Partner:
    members = entry.get("members") or {}
    poll = entry.get("poll")
    return Partner(
        id=entry["id"],
        base_url=entry["base_url"].rstrip("/"),
        resource_types=tuple(entry.get("resource_types") or SUPPORTED_TYPES),
        delivery=entry.get("delivery", "update"),
        members=MemberSelection(
            plans=tuple(members.get("plans") or ()),
            cbos=tuple(members.get("cbos") or ()),
            care_team_staff=tuple(members.get("care_team_staff") or ()),
        ),
        auth=AuthConfig(**(entry.get("auth") or {})),
        tls=TlsConfig(**(entry.get("tls") or {})),
        poll=PollConfig(**poll) if isinstance(poll, dict) else None,
        enabled=bool(entry.get("enabled", True)),
    )


def _issue(where: str, message: str) -> Issue:
    return Issue("error", "invalid", f"{where} {message}", (where,))
