"""The store as one principal may use it: every read, search, history and write in compartment."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from adapter.errors import Conflict, Gone, NotFound, PreconditionFailed
from adapter.security.bundle_access import BundleAccess
from adapter.security.policy import AccessPolicy
from adapter.security.principal import Forbidden, Principal
from adapter.store.generation import MEMBERSHIP_TYPES

# A check-then-write loses only to a concurrent writer; each retry checks that writer's version.
CHECKED_WRITE_ATTEMPTS = 20


def _version_of(resource: dict[str, Any]) -> str | None:
    version = (resource.get("meta") or {}).get("versionId")
    return f'W/"{version}"' if version else None


def not_known(resource_type: str, resource_id: str) -> NotFound:
    # The same words the store uses, so a hidden resource reads exactly like a missing one.
    return NotFound(f"{resource_type}/{resource_id} is not known")


class GuardedStore:
    """Wraps a Store for one principal; resources outside its compartment do not exist."""

    def __init__(self, store: Any, policy: AccessPolicy, principal: Principal) -> None:
        self.store = store
        self.policy = policy
        self.principal = principal
        # The compartment, looked up once per GuardedStore (one request) and again after writes.
        self._found: Any = None

    @property
    def paging(self) -> Any:
        return self.store.paging

    @property
    def restricted(self) -> bool:
        return not self.principal.is_admin

    def compartment(self) -> Any:
        """The principal's current compartment (None for an administrator)."""
        if self._found is None and self.restricted:
            self._found = self.policy.compartment(self.principal)
        return self._found

    def visible(self, resource: dict[str, Any]) -> bool:
        return self.policy.can_access(self.principal, resource, self._compartment_if_needed())

    def _compartment_if_needed(self) -> Any:
        # Auditors and directory reads need none; computing one for them would be wasted.
        if self.principal.org_kind in ("plan", "ehr", "cbo") and self.restricted:
            return self.compartment()
        return None

    # -- reads ----------------------------------------------------------------------------

    def read(self, resource_type: str, resource_id: str) -> Any:
        try:
            stored = self.store.read(resource_type, resource_id)
        except Gone:
            self._refuse_unless_was_visible(resource_type, resource_id)
            raise
        if not self.visible(stored.resource):
            raise not_known(resource_type, resource_id)
        return stored

    def vread(self, resource_type: str, resource_id: str, version_id: str) -> Any:
        stored = self.store.vread(resource_type, resource_id, version_id)
        if stored.deleted:
            self._refuse_unless_was_visible(resource_type, resource_id)
        elif not self.visible(stored.resource):
            raise NotFound(f"{resource_type}/{resource_id} has no version {version_id}")
        return stored

    def _refuse_unless_was_visible(self, resource_type: str, resource_id: str) -> None:
        """A deleted resource is 'gone' only to those who could see its last live version."""
        if self.restricted and self.last_live(resource_type, resource_id) is None:
            raise not_known(resource_type, resource_id)

    def last_live(self, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        """The newest non-deleted version the principal may see, if that is the newest live."""
        page = self.store.history(resource_type, resource_id, count=self.paging.maximum)
        for entry in page.entries:
            if not entry.deleted:
                return entry.resource if self.visible(entry.resource) else None
        return None

    def search(self, resource_type: str, params: list[tuple[str, str]], **options: Any) -> Any:
        extra = self.policy.search_filter(
            self.principal, resource_type, self._compartment_if_needed()
        )
        # Chained and _has hops, and included resources, stay inside the compartment too.
        options.setdefault("scope", self.scope)
        page = self.store.search(resource_type, [*params, *extra], **options)
        kept = [m for m in page.matches if self.visible(m.resource)]
        dropped = len(page.matches) - len(kept)
        return replace(
            page,
            # A safety net: the filter already keeps others out, so nothing is normally dropped.
            total=None if page.total is None else page.total - dropped,
            matches=kept,
            included=[r for r in page.included if self.visible(r.resource)],
            next_params=_without(page.next_params, extra),
            prev_params=_without(page.prev_params, extra),
            ignored_params=_without(page.ignored_params, extra) or [],
        )

    def scope(self, resource_type: str) -> list[tuple[str, str]]:
        """The compartment criteria of a type, for every hop of a search; [] for admins."""
        if not self.restricted:
            return []
        return self.policy.search_filter(
            self.principal, resource_type, self._compartment_if_needed()
        )

    def history(
        self, resource_type: str | None = None, resource_id: str | None = None, **options: Any
    ) -> Any:
        if not self.restricted:
            return self.store.history(resource_type, resource_id, **options)
        if resource_type is None or resource_id is None:
            raise Forbidden("History across resources is available to administrators only")
        if self.last_live(resource_type, resource_id) is None:
            raise not_known(resource_type, resource_id)
        page = self.store.history(resource_type, resource_id, **options)
        kept = [e for e in page.entries if e.deleted or self.visible(e.resource)]
        return replace(page, total=page.total - (len(page.entries) - len(kept)), entries=kept)

    # -- writes ---------------------------------------------------------------------------

    def create(self, resource: dict[str, Any], *, if_none_exist: str | None = None) -> Any:
        self._check_write(resource)
        if not if_none_exist:
            return self._wrote(resource, self.store.create(resource))
        scope = self._scope(resource["resourceType"])
        outcome = self.store.create(resource, if_none_exist=if_none_exist, scope=scope)
        return self._wrote(resource, outcome)

    def update(
        self, resource_type: str, resource_id: str, resource: dict[str, Any], **options: Any
    ) -> Any:
        """Update in compartment; the write is made against the very version that was checked.

        A restricted client's PUT to an id it cannot see answers 404 whether the id is free or
        held by another organization, so the answer never tells which: such clients create with
        POST (server-assigned ids) or in Bundles. Administrators may create with a chosen id.
        """
        # What the body may hold is judged first: that depends on the body alone.
        self._check_write(resource)
        for _attempt in range(CHECKED_WRITE_ATTEMPTS):
            existing = self._check_existing(resource_type, resource_id)
            if existing is None and self.restricted:
                if self.last_live(resource_type, resource_id) is None:
                    raise not_known(resource_type, resource_id)
            if not self.policy.change_allowed(
                self.principal, existing, {**resource, "id": resource_id}
            ):
                raise Forbidden(
                    "A CBO may change only status, businessStatus, statusReason, output and note"
                )
            checked = options
            if self.restricted and existing is not None and options.get("if_match") is None:
                checked = {**options, "if_match": _version_of(existing)}
            try:
                outcome = self.store.update(resource_type, resource_id, resource, **checked)
            except PreconditionFailed:
                if checked is options:
                    raise  # the client's own If-Match
                continue  # changed since the check: check the new version
            return self._wrote(resource, outcome)
        raise Conflict(f"{resource_type}/{resource_id} is being changed by others; retry")

    def conditional_update(self, resource_type: str, query: str, resource: dict[str, Any]) -> Any:
        self._check_write(resource)
        outcome = self.store.conditional_update(
            resource_type, query, resource, scope=self._scope(resource_type)
        )
        return self._wrote(resource, outcome)

    def delete(self, resource_type: str, resource_id: str, **options: Any) -> Any:
        existing = self._check_existing(resource_type, resource_id)
        if existing is not None:
            self._check_write(existing)
        outcome = self.store.delete(resource_type, resource_id, **options)
        return self._wrote({"resourceType": resource_type}, outcome)

    def delete_matches(self, resource_type: str, params: list[tuple[str, str]]) -> Any:
        """Conditional delete: every match in compartment, in one transaction; 412 when the
        matches are more than one page can hold."""
        # Strict: an ignored unknown parameter must never widen a delete to everything.
        query = [*params, ("_count", str(self.paging.maximum))]
        page = self.search(resource_type, query, strict=True)
        if page.total is not None and page.total > len(page.matches):
            raise PreconditionFailed(
                f"The conditional delete matches {page.total} {resource_type} resources, "
                f"more than {self.paging.maximum} at once"
            )
        for match in page.matches:
            self._check_write(match.resource)
        outcomes = self.store.delete_matches(resource_type, [m.id for m in page.matches])
        self._wrote({"resourceType": resource_type}, None)
        return outcomes

    def transaction(self, bundle: dict[str, Any], **options: Any) -> dict[str, Any]:
        BundleAccess(self).refuse_any(bundle)
        response = self.store.transaction(bundle, **options)
        self._found = None
        self.policy.forget()
        return response

    def batch(self, bundle: dict[str, Any]) -> dict[str, Any]:
        access = BundleAccess(self)
        refused = access.refused_entries(bundle)
        entries = bundle.get("entry") or []
        allowed = [e for i, e in enumerate(entries) if i not in refused]
        stored = iter(self.store.batch({**bundle, "entry": allowed}).get("entry") or [])
        self._found = None
        self.policy.forget()
        merged = [refused[i] if i in refused else next(stored) for i in range(len(entries))]
        return {"resourceType": "Bundle", "type": "batch-response", "entry": merged}

    def _check_existing(self, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        """The current version, which must be in compartment; None when there is none."""
        try:
            stored = self.store.read(resource_type, resource_id)
        except (NotFound, Gone):
            return None
        if not self.visible(stored.resource):
            raise not_known(resource_type, resource_id)
        return stored.resource

    def _check_write(self, resource: dict[str, Any]) -> None:
        if not self.policy.can_write(self.principal, resource):
            raise Forbidden(f"This client may not write this {resource.get('resourceType')}")

    def _scope(self, resource_type: str) -> Any:
        """The compartment as search parameters, computed when the store asks (under its lock)."""
        if not self.restricted:
            return None
        return lambda: self.policy.search_filter(self.principal, resource_type)

    def _wrote(self, resource: dict[str, Any], outcome: Any) -> Any:
        self._found = None
        if resource.get("resourceType") in MEMBERSHIP_TYPES:
            self.policy.forget()
        return outcome


def _without(params: list[tuple[str, str]] | None, extra: list[tuple[str, str]]) -> Any:
    if params is None:
        return None
    return [pair for pair in params if pair not in extra]
