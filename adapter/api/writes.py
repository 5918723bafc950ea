"""Checks every write passes before it reaches the store: profiles and Task transitions."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from flask import g

from adapter.api.context import api
from adapter.api.security import guarded_store
from adapter.api.served import RESOURCE_TYPES
from adapter.errors import AdapterError, Gone, InvalidRequest, NotFound, Unprocessable
from adapter.outcome import Issue, has_errors
from adapter.rules.task_states import OWNER, REQUESTER, check_transition, task_kind
from adapter.validation.integrity import dangling_references

FHIR_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.")


def check_id(resource_id: str) -> str:
    if not 1 <= len(resource_id) <= 64 or not set(resource_id) <= FHIR_ID_CHARS:
        raise InvalidRequest(f"{resource_id[:80]!r} is not a valid FHIR id", expression="id")
    return resource_id


def whole_number(name: str, value: str, limit: int = 2**31 - 1) -> int:
    """A paging number within what the database holds; 400 otherwise, never an overflow."""
    if not value.isdigit() or int(value) > limit:
        raise InvalidRequest(
            f"{name} must be a whole number up to {limit}, got {value[:40]!r}", expression=name
        )
    return int(value)


def check_type(resource_type: str) -> str:
    if resource_type not in RESOURCE_TYPES:
        raise NotFound(f"Resource type {resource_type[:80]!r} is not served here")
    return resource_type


def check_body_type(resource: dict[str, Any], resource_type: str) -> None:
    if resource.get("resourceType") != resource_type:
        raise InvalidRequest(
            f"The body is a {resource.get('resourceType')}, not a {resource_type}",
            expression="resourceType",
        )


def validate_for_write(resource: dict[str, Any]) -> list[Issue]:
    """Profile issues for a resource about to be stored; raises 422 in `reject` mode on errors."""
    issues = profile_issues(resource)
    reject_if_invalid(issues)
    return issues


def profile_issues(resource: dict[str, Any]) -> list[Issue]:
    """What the profile validator finds (a Bundle as a whole), unless validation is off."""
    ctx = api()
    if ctx.settings.validation_mode == "off":
        return []
    found = ctx.validator.validate(resource, profiles=())
    # A `Type/id` a Bundle lacks may be stored: IntegrityStore asks the store.
    return [i for i in found if not (i.code == "not-found" and i.message[:4] != "urn:")]


class IntegrityStore:
    """The store as API writes reach it, after the caller's access checks: a write whose local
    references resolve neither inside it nor to a stored resource is refused with 422 (as HAPI
    FHIR does); ADAPTER_REFERENCE_INTEGRITY=0 relaxes it. Other calls are the store's own."""

    def __init__(self, store: Any, enforce: bool) -> None:
        self.store = store
        self.enforce = enforce

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def create(self, resource: dict[str, Any], **options: Any) -> Any:
        self._refuse_dangling(resource)
        return self.store.create(resource, **options)

    def update(self, rtype: str, rid: str, resource: dict[str, Any], **options: Any) -> Any:
        self._refuse_dangling({**resource, "id": rid})
        return self.store.update(rtype, rid, resource, **options)

    def conditional_update(
        self, rtype: str, query: str, resource: dict[str, Any], **options: Any
    ) -> Any:
        self._refuse_dangling(resource)
        return self.store.conditional_update(rtype, query, resource, **options)

    def transaction(self, bundle: dict[str, Any], **options: Any) -> Any:
        self._refuse_dangling(bundle)
        return self.store.transaction(bundle, **options)

    def _refuse_dangling(self, resource: dict[str, Any]) -> None:
        if not self.enforce:
            return
        single = resource.get("resourceType") != "Bundle"
        bundle = {"entry": [{"resource": resource}]} if single else resource
        issues = dangling_references(bundle, known=self._stored)
        if single:
            kind = str(resource.get("resourceType"))
            issues = [
                Issue(i.severity, i.code, i.message, tuple(
                    e.replace("Bundle.entry[0].resource", kind, 1) for e in i.expression
                ))
                for i in issues
            ]  # fmt: skip
        if issues:
            raise Unprocessable("The write refers to resources that do not exist", issues=issues)

    def _stored(self, resource_type: str, resource_id: str) -> bool:
        try:
            self.store.read(resource_type, resource_id)
        except AdapterError:
            return False
        return True


def reject_if_invalid(issues: list[Issue]) -> None:
    if api().settings.validation_mode == "reject" and has_errors(issues):
        raise Unprocessable("The resource does not conform to its profiles", issues=issues)


def validate_task_update(resource_id: str, new: dict[str, Any]) -> list[Issue]:
    """Task updates also pass the Task state machine; returns its issues (422 on errors)."""
    try:
        old = guarded_store().read("Task", resource_id).resource
    except (NotFound, Gone):
        old = None
    issues = check_task_transition(old, new)
    refuse_illegal_transition(issues)
    return issues


def check_conditional_task_update(query: str, new: dict[str, Any]) -> list[Issue]:
    """A conditional update of a Task is a move of the one Task the query matches, if any."""
    page = guarded_store().search("Task", [*parse_qsl(query), ("_count", "2")])
    if len(page.matches) != 1:
        return []  # none: a new Task; several: the store refuses with 412
    issues = check_task_transition(page.matches[0].resource, new)
    refuse_illegal_transition(issues)
    return issues


def refuse_illegal_transition(issues: list[Issue]) -> None:
    # The state machine is a One Care workflow rule, enforced whatever the validation mode.
    if has_errors(issues):
        raise Unprocessable("The Task status change is not allowed", issues=issues)


def check_task_transition(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Issue]:
    """The Task state machine (adapter.rules.task_states) for a change to a stored Task.

    A Task with no stored version is an imported snapshot, not a move, so it passes. A CBO (the
    Task's owner, the only Tasks it may write) moves as the owner; a plan or an administrator
    may act for either side, so a move passes when the owner or the requester may make it.
    """
    if old is None:
        return []
    kind = task_kind(new) or task_kind(old)
    if kind is None:  # a Task outside the workflows we define
        return []
    principal = g.get("principal")
    actors = (
        (OWNER,) if principal is not None and principal.org_kind == "cbo" else (OWNER, REQUESTER)
    )
    attempts = [check_transition(kind, old, new, actor) for actor in actors]
    return min(attempts, key=lambda issues: sum(i.is_error for i in issues))


def writing_store(*, tasks_through_members: bool = False) -> Any:
    """The caller's guarded store for a write: access checks first, then referential
    integrity; with `tasks_through_members`, a Task update goes through the member service
    (services.task_write): the Task and what the rules derive from it commit together, a
    concurrent change of the member is applied again on top, and a failure stores nothing."""
    from adapter.security import GuardedStore
    from adapter.services import MemberService
    from adapter.services.task_write import MemberTaskStore

    ctx, guarded = api(), guarded_store()
    store: Any = ctx.store
    if tasks_through_members:
        service = MemberService(ctx.store, ctx.settings, validator=ctx.validator)
        store = MemberTaskStore(store, service)
    checked = IntegrityStore(store, bool(ctx.settings.reference_integrity))
    return GuardedStore(checked, guarded.policy, guarded.principal)
