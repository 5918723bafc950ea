"""AccessPolicy: SMART scopes per interaction, and per-organization compartments per resource."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from adapter.security import compartments as cp
from adapter.security.principal import Principal
from adapter.security.scopes import scopes_allow

# What a CBO may change on a Task it owns (its progress), per the Gravity referral workflow.
CBO_TASK_FIELDS = frozenset(
    {"status", "businessStatus", "statusReason", "output", "note", "lastModified", "meta", "text"}
)
# A search that must find nothing (the principal may see none of the type).
NOTHING: list[tuple[str, str]] = [("_id", "")]
# Reference values one search criterion may carry: each becomes an OR term, and SQLite refuses
# expressions deeper than 1000. Larger compartments are turned into an `_id` list first.
MAX_FILTER_VALUES = 300


@dataclass(frozen=True)
class _Cached:
    """A value and what it was computed from: the membership generation, the epoch, the time."""

    generation: int
    epoch: int
    at: float
    value: Any


class AccessPolicy:
    """Decides what a principal may do.

    Compartments are cached, but a cached one is used only while the store's membership
    generation (bumped by every committed write to Patient, CareTeam, Consent or
    PractitionerRole, by any process) is unchanged and it is younger than `cache_seconds`
    (periods of care-team roles and Consents end with time, not with a write). A request
    therefore sees every membership change committed before it started, in any worker.
    """

    def __init__(self, store: Any, cache_seconds: float = 5.0) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str, str | None], _Cached] = {}
        self._epoch = 0
        self._lock = threading.Lock()

    # -- scopes ---------------------------------------------------------------------------

    def allows(self, principal: Principal, interaction: str, resource_type: str) -> bool:
        """Whether the principal's SMART scopes allow the interaction on the type."""
        return scopes_allow(principal.scopes, interaction, resource_type)

    # -- compartments ---------------------------------------------------------------------

    def compartment(self, principal: Principal) -> cp.Compartment | None:
        """None for an administrator (unrestricted)."""
        return None if principal.is_admin else self._cached(principal)

    def _generation(self) -> int:
        reader = getattr(self.store, "membership_generation", None)
        return reader() if reader is not None else -1

    def _fresh(self, cached: _Cached | None, generation: int, now: float) -> bool:
        return (
            cached is not None
            and generation >= 0
            and cached.generation == generation
            and cached.epoch == self._epoch
            and now - cached.at < self.cache_seconds
        )

    def _cached(self, principal: Principal) -> cp.Compartment:
        key = (principal.org_kind, principal.org_id, principal.staff_id)
        # Read before computing: a write committed during the computation moves the generation
        # past the one stored with the result, so that result is never taken for current.
        generation = self._generation()
        now = time.monotonic()
        with self._lock:
            epoch = self._epoch
            cached = self._cache.get(key)
            if self._fresh(cached, generation, now):
                return cached.value  # type: ignore[union-attr]
        found = self._compute(principal)
        with self._lock:
            if epoch == self._epoch:  # a forget() during the computation wins
                self._cache[key] = _Cached(generation, epoch, now, found)
        return found

    def forget(self) -> None:
        """Drop cached compartments (the generation makes this needed only within a process)."""
        with self._lock:
            self._epoch += 1
            self._cache.clear()

    def _compute(self, principal: Principal) -> cp.Compartment:
        if principal.org_kind in ("plan", "ehr"):
            return cp.plan_compartment(self.store, principal.org_id)
        if principal.org_kind == "cbo":
            return cp.cbo_compartment(self.store, principal.org_id, principal.staff_id)
        return cp.Compartment(frozenset())

    def member_ids(self, principal: Principal) -> frozenset[str] | None:
        """Patient ids ("mbr-...") the principal may see; None = unrestricted."""
        found = self.compartment(principal)
        return None if found is None else found.members

    def can_access(
        self,
        principal: Principal,
        resource: dict[str, Any],
        found: cp.Compartment | None = None,
    ) -> bool:
        """Compartment check on one resource (scopes are checked by `allows`).

        `found`: the principal's compartment when the caller already holds a current one.
        """
        rtype = resource.get("resourceType", "")
        if principal.is_admin:
            return True
        if rtype in cp.AUDIT_TYPES:
            return principal.org_kind == "auditor"
        if principal.org_kind == "auditor" or rtype in cp.ADMIN_TYPES:
            return False
        if rtype in cp.DIRECTORY_TYPES:
            return True
        if rtype in cp.PLAN_TYPES:
            return principal.org_kind in ("plan", "ehr")
        found = found if found is not None else self._cached(principal)
        if principal.org_kind == "cbo" and rtype == "Task":
            return bool(cp.references(resource.get("owner")) & found.own_refs)
        if principal.org_kind == "cbo" and rtype == "ServiceRequest":
            return bool(cp.references(resource.get("performer")) & found.own_refs)
        return cp.patient_of(resource) in found.members

    def can_write(
        self,
        principal: Principal,
        resource: dict[str, Any],
        new_members: frozenset[str] = frozenset(),
    ) -> bool:
        """Whether the principal may store this content (`new_members`: Patients it creates).

        CBOs write only Tasks they own; plans and EHRs write their own members' resources and
        directory data; auditors write nothing; AuditEvents are written by the server only.
        """
        rtype = resource.get("resourceType", "")
        if principal.is_admin:
            return rtype not in cp.AUDIT_TYPES
        if principal.org_kind == "auditor" or rtype in cp.AUDIT_TYPES | cp.ADMIN_TYPES:
            return False
        if principal.org_kind == "cbo":
            return rtype == "Task" and self.can_access(principal, resource)
        if rtype in cp.DIRECTORY_TYPES | cp.PLAN_TYPES:
            return True
        if rtype == "Patient":
            plan = cp.plan_reference(principal.org_id)
            return plan in cp.references(resource.get("managingOrganization"))
        patient = cp.patient_of(resource)
        return patient in new_members or self.can_access(principal, resource)

    def change_allowed(
        self, principal: Principal, old: dict[str, Any] | None, new: dict[str, Any]
    ) -> bool:
        """A CBO updates only the progress fields of a Task it owns; others as `can_write`."""
        if principal.org_kind != "cbo" or old is None:
            return True
        changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
        return changed <= CBO_TASK_FIELDS

    def search_filter(
        self, principal: Principal, resource_type: str, found: cp.Compartment | None = None
    ) -> list[tuple[str, str]]:
        """Search parameters that keep a search inside the compartment ([] = none needed)."""
        if principal.is_admin:
            return []
        probe = {"resourceType": resource_type}
        if resource_type in cp.AUDIT_TYPES | cp.ADMIN_TYPES | cp.DIRECTORY_TYPES | cp.PLAN_TYPES:
            return [] if self.can_access(principal, probe) else NOTHING
        if principal.org_kind == "auditor":
            return NOTHING
        found = found if found is not None else self._cached(principal)
        if principal.org_kind == "cbo" and resource_type in ("Task", "ServiceRequest"):
            name = "owner" if resource_type == "Task" else "performer"
            own = sorted(found.own_refs)
            if len(own) <= MAX_FILTER_VALUES:
                return [(name, ",".join(own))]
            return self._ids_filter(principal, resource_type, name, own)
        if found.all_members and principal.org_kind != "cbo":
            return []
        if not found.members:
            return NOTHING
        if resource_type not in cp.MEMBER_TYPES:
            return NOTHING
        if resource_type == "Patient":
            return [("_id", ",".join(sorted(found.members)))]
        param = cp.PATIENT_PARAMS[resource_type]
        refs = [f"Patient/{m}" for m in sorted(found.members)]
        if len(refs) <= MAX_FILTER_VALUES:
            return [(param, ",".join(refs))]
        return self._ids_filter(principal, resource_type, param, refs)

    def _ids_filter(
        self, principal: Principal, resource_type: str, param: str, refs: list[str]
    ) -> list[tuple[str, str]]:
        """The compartment as the ids of its resources, looked up a chunk of members at a time.

        Not cached: any write of the type (not only membership changes) can add an id.
        """
        ids: set[str] = set()
        for start in range(0, len(refs), MAX_FILTER_VALUES):
            chunk = ",".join(refs[start : start + MAX_FILTER_VALUES])
            ids |= {s.id for s in cp.all_resources(self.store, resource_type, [(param, chunk)])}
        return [("_id", ",".join(sorted(ids)))]
