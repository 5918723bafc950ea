"""The member service: plan exports and events re-evaluated with the rules and stored atomically.

service = MemberService(store, settings, validator=None, today=None)
service.ingest(plan_export) -> IngestReport
service.find_member([(system, value)]) -> member_id | None
service.apply_event(member_id, kind, item) -> EventResult     # NotFound, Unprocessable
service.apply_task_update(task) -> EventResult | None         # a CBO's Task update
service.member_record(member_id) -> the member's latest plan record
service.queue_for_review(source, payload, reason) -> review id
service.reviews(status="open") -> [{id, source, received_at, reason, payload, status}]
service.resolve_review(review_id)

Event kinds are the member-record lists of docs/architecture.md §1 (EVENT_KINDS); an item is
known by its own id, so the same item twice changes nothing. FHIR Task updates are read as
events by adapter.services.task_events.task_update_event(task) -> (kind, item) | None.
"""

from adapter.services.events import EVENT_KINDS
from adapter.services.member_service import MemberService
from adapter.services.model import EventResult, IngestReport

__all__ = ["EVENT_KINDS", "EventResult", "IngestReport", "MemberService"]
