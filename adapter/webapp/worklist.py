"""Work lists: open LTS-C offers and open service Tasks the user can see, overdue first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapter.webapp.access import patient_id_of, search_all
from adapter.webapp.careplan import (
    OFFER_PROFILE,
    OPEN_STATUSES,
    SERVICE_PROFILE,
    offer,
    profiles_of,
    service_tasks,
)
from adapter.webapp.fhir_view import References, human_name

Resource = dict[str, Any]


@dataclass
class WorkItem:
    patient_id: str
    member_name: str
    what: str
    status: str
    date_label: str  # "Due" or "Since"
    date: str
    overdue: bool
    anchor: str  # where on the member's page the item is
    can_update: bool


def work_items(
    store: Any, visible: Callable[[Resource], bool], may_update: Callable[[Resource], bool]
) -> tuple[list[WorkItem], list[WorkItem]]:
    """(offers, services) the user may see, each overdue first, then by date."""
    open_tasks = search_all(store, "Task", [("status", ",".join(OPEN_STATUSES))])
    tasks = [t for t in open_tasks if patient_id_of(t) and visible(t)]
    refs = References(store)
    offers = [_offer_item(t, refs, may_update(t)) for t in tasks if OFFER_PROFILE in profiles_of(t)]
    services = [
        _service_item(t, refs, may_update(t)) for t in tasks if SERVICE_PROFILE in profiles_of(t)
    ]
    return _ordered(offers), _ordered(services)


def _ordered(items: list[WorkItem]) -> list[WorkItem]:
    return sorted(items, key=lambda i: (not i.overdue, i.date or "9999", i.member_name))


def _member_name(refs: References, task: Resource) -> str:
    return human_name(refs.resource((task.get("for") or {}).get("reference"))) or "unknown"


def _offer_item(task: Resource, refs: References, can_update: bool) -> WorkItem:
    found = offer(task, refs)
    return WorkItem(
        patient_id=patient_id_of(task) or "",
        member_name=_member_name(refs, task),
        what=f"LTS-C offer ({', '.join(found.triggers)})",
        status=found.verdict.label().capitalize(),
        date_label="Due",
        date=found.due or "",
        overdue=found.overdue,
        anchor=f"offer-{found.task_id}",
        can_update=can_update and found.offer_id is not None,
    )


def _service_item(task: Resource, refs: References, can_update: bool) -> WorkItem:
    found = service_tasks(refs, [task])[0]
    return WorkItem(
        patient_id=patient_id_of(task) or "",
        member_name=_member_name(refs, task),
        what=f"{found.service}: {found.kind.replace('-', ' ')}",
        status=found.business_status + (f" ({found.reason})" if found.reason else ""),
        date_label="Since",
        date=found.authored_on or "",
        overdue=False,
        anchor=f"service-{found.task_id}",
        # Authorizations and fulfillments have forms; alternative searches are discussed.
        can_update=can_update and found.has_form,
    )
