"""Apply the compiled specs to one member: its record, directory and derived facts → Bundle."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from adapter.mapping.directory import DirectoryIndex
from adapter.mapping.ids import full_url
from adapter.mapping.narrative import add_narrative
from adapter.mapping.specs import MappingSet, ResourceSpec, default_mapping_set
from adapter.outcome import Issue

Record = Mapping[str, Any]


def map_member(
    record: Record,
    directory: Mapping[str, Any] | None,
    derived: Mapping[str, Any] | None,
    export: Mapping[str, Any],
    *,
    index: DirectoryIndex | None = None,
    mapping: MappingSet | None = None,
) -> dict[str, Any]:
    """One member's transaction Bundle; pass `index` to reuse a directory across members."""
    bundle, _ = map_member_with_issues(
        record, directory, derived, export, index=index, mapping=mapping
    )
    return bundle


def map_member_with_issues(
    record: Record,
    directory: Mapping[str, Any] | None,
    derived: Mapping[str, Any] | None,
    export: Mapping[str, Any],
    *,
    index: DirectoryIndex | None = None,
    mapping: MappingSet | None = None,
) -> tuple[dict[str, Any], list[Issue]]:
    """The Bundle, and an issue for each resource dropped because its id was already taken."""
    mapping = mapping or default_mapping_set()
    scope = member_scope(record, derived, export, index or DirectoryIndex(directory))
    scope["selected"] = directory_selection(mapping, scope)
    targets: list[dict[str, str]] = []
    entries: list[dict[str, Any]] = []
    issues: list[Issue] = []
    seen: set[str] = set()
    for spec in mapping.specs:
        # The Provenance, built last, names everything built before it as its targets.
        scope["entries"] = list(targets)
        for resource in build_resources(spec, scope):
            url = f"{resource['resourceType']}/{resource['id']}"
            if url in seen:
                issues.append(duplicate_id_issue(spec.name, url))
                continue
            seen.add(url)
            targets.append({"reference": url})
            entries.append(transaction_entry(resource, url))
    add_narrative(entries)
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}, issues


def duplicate_id_issue(spec_name: str, url: str) -> Issue:
    # Two source ids that differ only in case or punctuation give the same resource id.
    message = f"{spec_name}: a second resource maps to {url}; source ids must stay distinct"
    return Issue("error", "duplicate", message, ("Bundle.entry",))


def member_scope(
    record: Record, derived: Mapping[str, Any] | None, export: Mapping[str, Any], index: Any
) -> dict[str, Any]:
    """The roots a spec expression may start from."""
    generated_at = str(export.get("generated_at") or "")
    return {
        "record": record,
        "member": record.get("member") or {},
        "derived": derived or {},
        "export": export,
        "plan": export.get("plan") or {},
        "directory": index,
        # The day the rules evaluated the member as of; the export's date without rules.
        "as_of": str((derived or {}).get("as_of") or generated_at[:10]),
    }


def directory_selection(mapping: MappingSet, scope: dict[str, Any]) -> dict[str, list[Any]]:
    """Directory ids this member's Bundle must carry, each list sorted for a stable order."""
    selected: dict[str, list[Any]] = {}
    scope["selected"] = selected  # later selections may build on earlier ones
    for key, expressions in mapping.selections:
        found: set[str] = set()
        for evaluate in expressions:
            found.update(_as_list(evaluate(scope)))
        selected[key] = sorted(str(v) for v in found)
    return selected


def build_resources(spec: ResourceSpec, scope: dict[str, Any]) -> Iterator[dict[str, Any]]:
    items = [None] if spec.items is None else _as_list(spec.items(scope))
    for item in items:
        local = {**scope, spec.item_name: item}
        for name, evaluate in spec.lets:
            local[name] = evaluate(local)
        rid = spec.resource_id(local)
        if rid is None:
            continue
        body = spec.body(local) or {}
        meta = {"profile": [spec.profile]}
        yield {"resourceType": spec.resource_type, "id": rid, "meta": meta, **body}


def transaction_entry(resource: dict[str, Any], url: str) -> dict[str, Any]:
    return {
        "fullUrl": full_url(resource["resourceType"], resource["id"]),
        "resource": resource,
        "request": {"method": "PUT", "url": url},
    }


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
