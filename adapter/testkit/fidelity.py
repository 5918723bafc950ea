"""Round-trip fidelity: what a server gives back against what was sent, element by element."""

from __future__ import annotations

from typing import Any

# Elements a server manages itself; they say nothing about fidelity.
SERVER_META = ("versionId", "lastUpdated", "source", "tag", "security")


def differences(sent: Any, got: Any, path: str) -> list[str]:
    """FHIRPath-like locations where `got` differs from `sent` (server meta ignored)."""
    if isinstance(sent, dict) and isinstance(got, dict):
        return _object_differences(sent, got, path)
    if isinstance(sent, list) and isinstance(got, list):
        if len(sent) != len(got):
            return [f"{path}: {len(sent)} items sent, {len(got)} returned"]
        return [
            d
            for i, (s, g) in enumerate(zip(sent, got, strict=True))
            for d in differences(s, g, f"{path}[{i}]")
        ]
    if sent != got:
        return [f"{path}: sent {_short(sent)}, returned {_short(got)}"]
    return []


def resource_differences(sent: dict[str, Any], got: dict[str, Any]) -> list[str]:
    rtype = sent.get("resourceType", "Resource")
    if "text" not in sent:  # many servers generate a narrative; it is not a loss
        got = {k: v for k, v in got.items() if k != "text"}
    found = differences(_without_meta(sent), _without_meta(got), rtype)
    sent_profiles = set((sent.get("meta") or {}).get("profile") or [])
    got_profiles = set((got.get("meta") or {}).get("profile") or [])
    found += [
        f"{rtype}.meta.profile: {p} was dropped" for p in sorted(sent_profiles - got_profiles)
    ]
    return found


def _object_differences(sent: dict[str, Any], got: dict[str, Any], path: str) -> list[str]:
    found = []
    for key in sorted(set(sent) | set(got)):
        where = f"{path}.{key}"
        if key not in got:
            found.append(f"{where}: dropped")
        elif key not in sent:
            found.append(f"{where}: added by the server")
        else:
            found.extend(differences(sent[key], got[key], where))
    return found


def _without_meta(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource minus meta (profiles are compared separately, server meta ignored)."""
    meta = {
        k: v
        for k, v in (resource.get("meta") or {}).items()
        if k not in SERVER_META and k != "profile"
    }
    rest = {k: v for k, v in resource.items() if k != "meta"}
    return {**rest, "meta": meta} if meta else rest


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
