"""What the web app holds for a request: settings, store, users, the member service, access."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g

from adapter.api.context import EXTENSION_KEY as API_KEY
from adapter.config import Settings
from adapter.security import AccessPolicy
from adapter.security.compartments import Compartment, role_reference
from adapter.services import MemberService
from adapter.webapp.access import patient_id_of
from adapter.webapp.caseload import CaseloadIndex
from adapter.webapp.lists import Viewer
from adapter.webapp.throttle import SignInThrottle
from adapter.webapp.tokens import member_for_token, member_token
from adapter.webapp.users import WebUser

EXTENSION_KEY = "ltsc_webapp"


@dataclass
class WebContext:
    """Built once by `register_webapp`; kept in `app.extensions`."""

    settings: Settings
    store: Any
    users: dict[str, WebUser]
    dev_users: dict[str, WebUser]
    service: MemberService
    policy: AccessPolicy
    throttle: SignInThrottle = field(default_factory=SignInThrottle)
    caseload: CaseloadIndex | None = None
    _tokens: dict[str, str] = field(default_factory=dict)  # member page id -> Patient id
    # (org kind, org id, staff id) -> (membership generation, the policy's compartment)
    compartments: dict[tuple[Any, ...], tuple[int, Any]] = field(default_factory=dict)

    def index(self) -> CaseloadIndex:
        """The caseload view, brought up to date with the store."""
        if self.caseload is None:
            self.caseload = CaseloadIndex(self.store)
        self.caseload.refresh()
        return self.caseload

    def user(self, name: str | None) -> WebUser | None:
        if not name:
            return None
        return self.users.get(name) or self.dev_users.get(name)


def web() -> WebContext:
    return current_app.extensions[EXTENSION_KEY]


def write_gate() -> AbstractContextManager[Any]:
    """The API's writer lock, so web writes queue with API writes on SQLite."""
    api = current_app.extensions.get(API_KEY)
    return api.write_gate if api is not None else nullcontext()


def user() -> WebUser:
    return g.web_user


def compartment() -> Compartment | None:
    """The access policy's compartment for the signed-in user, computed again only when the
    store's membership generation moves: every write that can change who sees which member
    moves it, in any process, so the answer stays the policy's while it is reused. (The policy's
    own cache also expires by time; recomputing a plan of thousands takes a second or more.)"""
    if "web_compartment" not in g:
        context, person = web(), user()
        key = (person.org_kind, person.org_id, person.staff_id)
        generation = context.store.membership_generation()
        cached = context.compartments.get(key)
        if cached is None or cached[0] != generation:
            cached = (generation, context.policy.compartment(person.principal))
            context.compartments[key] = cached
        g.web_compartment = cached[1]
    return g.web_compartment


def visible_patient_ids() -> frozenset[str]:
    """Patient ids (`mbr-...`) in the signed-in user's compartment."""
    found = compartment()
    return found.members if found is not None else frozenset()


def own_references() -> frozenset[str]:
    """The user's organization and roles as references (Task owner, requester)."""
    found = compartment()
    return found.own_refs if found is not None else frozenset()


def token_for(patient_id: str) -> str:
    return member_token(current_app.secret_key or "", patient_id)


def patient_from_token(token: str) -> str | None:
    """The member a page id names, if the user may see them: looked up among the members of
    the caseload view (one HMAC per member, once), then checked against the compartment."""
    context, visible = web(), visible_patient_ids()
    found = context._tokens.get(token)
    if found is None:
        known = set(context.index().members) - set(context._tokens.values())
        for patient_id in known:
            context._tokens[token_for(patient_id)] = patient_id
        found = context._tokens.get(token)
    if found is None:  # not in the view yet: fall back to the user's own members
        found = member_for_token(current_app.secret_key or "", token, sorted(visible))
    return found if found in visible else None


def viewer() -> Viewer:
    """The signed-in person as the lists see them (docs/webapp.md, "Caseloads")."""
    person = user()
    return Viewer(
        role_refs=frozenset({role_reference(person.staff_id)}),
        own_refs=own_references(),
        visible=visible_patient_ids(),
        is_plan=person.org_kind == "plan",
        is_supervisor=person.is_supervisor,
    )


def may_update(task: dict[str, Any]) -> bool:
    """The API's rule: scopes allow Task updates and the Task is in the user's compartment
    (a plan's members' Tasks for a plan user; the CBO's own Tasks for an LTS-C)."""
    principal = user().principal
    return web().policy.allows(principal, "update", "Task") and web().policy.can_access(
        principal, task
    )


def is_visible_task(task: dict[str, Any]) -> bool:
    """A work-list Task: a member's Task the user may see that is (for an LTS-C) theirs."""
    if patient_id_of(task) not in visible_patient_ids():
        return False
    if user().org_kind == "plan":
        return True
    mine = own_references()
    return any((task.get(k) or {}).get("reference") in mine for k in ("owner", "requester"))
