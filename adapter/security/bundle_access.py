"""Transaction and batch entries checked one by one against scopes and compartments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapter.errors import AdapterError
from adapter.outcome import Issue, operation_outcome
from adapter.security.principal import Forbidden

if TYPE_CHECKING:
    from adapter.security.guarded_store import GuardedStore

METHOD_INTERACTIONS = {"POST": "create", "PUT": "update", "DELETE": "delete", "GET": "read"}


class BundleAccess:
    """Why each entry of a Bundle is refused for the guarded store's principal, if it is."""

    def __init__(self, guarded: GuardedStore) -> None:
        self.guarded = guarded
        self.policy = guarded.policy
        self.principal = guarded.principal

    def refuse_any(self, bundle: dict[str, Any]) -> None:
        """A transaction is all or nothing: one refused entry refuses the Bundle."""
        refused = self.refused_entries(bundle)
        if refused:
            first = min(refused)
            raise Forbidden(
                f"Entry {first} is not allowed for this client; nothing was stored",
                expression=f"Bundle.entry[{first}]",
            )

    def refused_entries(self, bundle: dict[str, Any]) -> dict[int, dict[str, Any]]:
        """Index -> a 403 response entry, for each entry the principal may not make."""
        entries = bundle.get("entry") or []
        new_members = self._new_members(entries)
        refused = {}
        for index, entry in enumerate(entries):
            reason = self._refusal(entry, new_members)
            if reason:
                refused[index] = _forbidden_entry(reason, index)
        return refused

    def _new_members(self, entries: list[Any]) -> frozenset[str]:
        """Patients this Bundle writes that the principal may write (a plan enrolling members):
        their ids, and the `urn:uuid:` fullUrls other entries may refer to them by."""
        found = set()
        for entry in entries:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
                if not self.policy.can_write(self.principal, resource):
                    continue
                if resource.get("id"):
                    found.add(str(resource["id"]))
                full_url = entry.get("fullUrl")
                if isinstance(full_url, str) and full_url.startswith("urn:"):
                    found.add(full_url)
        return frozenset(found)

    def _refusal(self, entry: Any, new_members: frozenset[str]) -> str | None:
        if not isinstance(entry, dict):
            return None  # malformed entries are the store's to reject
        request = entry.get("request") if isinstance(entry.get("request"), dict) else {}
        method = str(request.get("method", "")).upper()
        url = str(request.get("url", ""))
        resource = entry.get("resource") if isinstance(entry.get("resource"), dict) else None
        if resource is not None:
            resource = _with_new_patients(resource, new_members)
        path, _, query = url.partition("?")
        parts = path.strip("/").split("/")
        rtype = parts[0] or (resource or {}).get("resourceType", "")
        interaction = METHOD_INTERACTIONS.get(method)
        if interaction is None:
            return None
        if interaction == "read" and len(parts) == 1:
            interaction = "search"
        if not self.policy.allows(self.principal, interaction, rtype):
            return f"The client's scopes do not allow {interaction} on {rtype}"
        if not self.guarded.restricted:
            return None
        if method == "GET" or query or request.get("ifNoneExist"):
            return "Read and conditional entries in Bundles are for administrators only"
        if resource is not None and has_conditional_reference(resource):
            # The store would resolve `Patient?identifier=...` across every compartment.
            return "Conditional references in Bundles are for administrators only"
        return self._compartment_refusal(method, parts, resource, new_members)

    def _compartment_refusal(
        self, method: str, parts: list[str], resource: dict[str, Any] | None, new: frozenset[str]
    ) -> str | None:
        refusal = "This client may not write this resource"
        if len(parts) == 2 and method in ("PUT", "DELETE"):
            try:
                existing = self.guarded.store.read(parts[0], parts[1]).resource
            except AdapterError:
                existing = None
            if existing is not None and not self.policy.can_write(self.principal, existing, new):
                return refusal
            if resource is not None and not self.policy.change_allowed(
                self.principal, existing, resource
            ):
                return "A CBO may change only status, businessStatus, statusReason, output and note"
        if resource is not None and not self.policy.can_write(self.principal, resource, new):
            return refusal
        return None


def _with_new_patients(resource: dict[str, Any], new_members: frozenset[str]) -> dict[str, Any]:
    """References to a new Patient by its `urn:uuid:` read as `Patient/<urn>` for the checks."""
    urns = {m for m in new_members if m.startswith("urn:")}
    if not urns:
        return resource

    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            ref = value.get("reference")
            if isinstance(ref, str) and ref in urns:
                return {**value, "reference": f"Patient/{ref}"}
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    return resolve(resource)


def has_conditional_reference(value: Any) -> bool:
    if isinstance(value, dict):
        reference = value.get("reference")
        if isinstance(reference, str) and "?" in reference:
            return True
        return any(has_conditional_reference(v) for v in value.values())
    if isinstance(value, list):
        return any(has_conditional_reference(v) for v in value)
    return False


def _forbidden_entry(reason: str, index: int) -> dict[str, Any]:
    issue = Issue("error", "forbidden", reason, (f"Bundle.entry[{index}]",))
    return {"response": {"status": "403 Forbidden", "outcome": operation_outcome([issue])}}
