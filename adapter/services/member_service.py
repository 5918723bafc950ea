"""The member service: plan records and events in, each member re-evaluated and stored at once.

A member's latest plan record and the plan's export header and directory live in the store.
A batch export replaces them; an event adds or replaces one item of the member's record. Either
way the member goes through the rules, the mapping and validation, and the FHIR transaction is
stored in the same database transaction as the record: both or neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection

from adapter import clock
from adapter.canonical import identifier_system
from adapter.config import Settings
from adapter.errors import AdapterError, Conflict, NotFound, Unprocessable
from adapter.exchange.wiring import attach_configured_outbox
from adapter.mapping.pipeline import as_of_date, export_parts
from adapter.outcome import Issue
from adapter.services.checks import item_issues, unknown_kind_issue
from adapter.services.events import EVENT_KINDS, find_item, item_key, with_item
from adapter.services.model import EventResult, IngestReport, ReevaluationReport
from adapter.services.referral_events import is_referral, referral_events
from adapter.services.remap import Remapped, remap_member
from adapter.services.task_events import task_member_id, task_update_event
from adapter.services.task_history import (
    PLAN_EXPORT,
    Author,
    attach_task_provenance,
    task_update_author,
    write_member_bundle,
)
from adapter.services.task_updates import TaskWrite, complete_item
from adapter.store import Store, members
from adapter.validation import Validator, default_validator

Record = dict[str, Any]
MEMBER_ID_SYSTEM = identifier_system("plan-member-id")
MASSHEALTH_SYSTEM = "https://www.mass.gov/masshealth/member-id"
REEVALUATION_JOB = "reevaluate"
# A Task update racing another change of the same member is applied again this many times.
MEMBER_WRITE_ATTEMPTS = 3


def utc_today() -> dt.date:
    return clock.today()


class MemberService:
    """Ingests plan exports and applies events to one member at a time."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        validator: Validator | None = None,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.validator = validator or default_validator()
        self.today = today or utc_today
        attach_configured_outbox(store, settings)
        attach_task_provenance(store)

    # -- batch ----------------------------------------------------------------------------

    def ingest(self, plan_export: Any, *, as_of: dt.date | None = None) -> IngestReport:
        """Store the export's header, directory and every member that maps and validates.

        The rules evaluate the export as of `as_of` when given, else its `generated_at` — or the
        day stored members were last re-evaluated as of, when that is later, so an export never
        takes the members back in time (`ingest_day`). The same export gives the same facts
        whatever day it is ingested.
        """
        header, directory, records = export_parts(plan_export)
        as_of = as_of or self.ingest_day(header)
        remapped = ((r, self._remap(header, directory, r, as_of)) for r in records)
        return self.ingest_remapped(header, directory, remapped)

    def ingest_remapped(
        self,
        header: Record,
        directory: Record,
        members: Iterable[tuple[Record, Remapped]],
        on_member: Callable[[], None] | None = None,
    ) -> IngestReport:
        """Store each (record, its `remap_member` result), in order; the remapping may have
        run elsewhere (worker processes). `on_member` is told after each member."""
        plan_id = header["plan"]["plan_id"]
        report = IngestReport()
        for record, remapped in members:
            # The header and directory are stored with the first member stored: an export
            # whose members are all rejected changes nothing.
            plan = (header, directory) if report.members_stored == 0 else None
            stored, problems = self._store_member(plan_id, record, remapped, plan)
            report.issues.extend((remapped.member_id, issue) for issue in problems)
            if stored:
                report.members_stored += 1
            else:
                report.members_rejected += 1
            if on_member is not None:
                on_member()
        return report

    def _store_member(
        self,
        plan_id: str,
        record: Record,
        remapped: Remapped,
        plan: tuple[Record, Record] | None,
    ) -> tuple[bool, list[Issue]]:
        """Whether the member was stored, and the issues found (warnings when stored);
        with `plan` the export's header and directory are stored with the member."""
        if remapped.refused(self.settings):
            return False, remapped.issues
        try:
            self._write(plan_id, record, remapped, expected_revision=None, plan=plan)
        except AdapterError as error:
            return False, error.issues
        return True, remapped.issues

    # -- time passing ---------------------------------------------------------------------

    def reevaluate(
        self,
        as_of: dt.date | None = None,
        track: Callable[[list[str]], Iterable[str]] = iter,
    ) -> ReevaluationReport:
        """Re-run the rules for every stored member as of `as_of` (default: today); `track`
        sees the member ids go by (a progress bar counts them).

        Due dates pass, annual windows open and waits expire with no event at all; this writes
        a new version only of what such a day changes, so a second run the same day writes
        nothing. A member changed concurrently is left to that change, which re-evaluated it.
        """
        day = as_of or self.today()
        started = clock.utcnow_naive()
        report = ReevaluationReport(as_of=day.isoformat())
        with self.store.reading() as conn:
            member_ids = members.all_member_ids(conn)
        for member_id in track(member_ids):
            report.members_checked += 1
            try:
                row, header, directory = self._load(member_id)
                remapped = self._remap(header, directory, row.record, day)
                if remapped.refused(self.settings):
                    report.members_failed += 1
                    report.issues.extend((member_id, issue) for issue in remapped.issues)
                    continue
                written = self._write(
                    row.plan_id, row.record, remapped, expected_revision=row.revision
                )
            except Conflict:
                continue
            if written:
                report.members_changed += 1
                report.resources_written += len(written)
        self.store.run_in_transaction(
            lambda conn: members.record_job_run(
                conn, REEVALUATION_JOB, day.isoformat(), started, report.summary()
            )
        )
        return report

    def ingest_day(self, header: Record) -> dt.date:
        exported = as_of_date(header)
        last = self.last_reevaluation()
        return max(exported, dt.date.fromisoformat(last["as_of"])) if last else exported

    def last_reevaluation(self) -> Record | None:
        """The last re-evaluation run (as of which day, when, what it changed), if any."""
        with self.store.reading() as conn:
            return members.last_job_run(conn, REEVALUATION_JOB)

    # -- lookups and reviews --------------------------------------------------------------

    def find_member(self, identifiers: list[tuple[str | None, str]]) -> str | None:
        """The plan member id matched by any (system, value); None when none or several."""
        found: set[str] = set()
        with self.store.reading() as conn:
            for system, value in identifiers:
                if system in (None, MEMBER_ID_SYSTEM):
                    found.update(members.find_member_ids(conn, member_id=value))
                if system in (None, MASSHEALTH_SYSTEM):
                    found.update(members.find_member_ids(conn, masshealth_id=value))
        return found.pop() if len(found) == 1 else None

    def member_record(self, member_id: str) -> Record:
        """The member's latest plan record; NotFound when never ingested."""
        with self.store.reading() as conn:
            row = members.load_member(conn, member_id)
        if row is None:
            raise NotFound(f"member {member_id} is not known; ingest the plan's export first")
        return row.record

    def queue_for_review(self, source: str, payload: str, reason: str) -> str:
        """Keep an inbound message no member could be found for; returns the review id."""
        return self.store.run_in_transaction(
            lambda conn: members.add_review(conn, source, payload, reason)
        )

    def reviews(self, status: str = "open") -> list[Record]:
        with self.store.reading() as conn:
            return members.list_reviews(conn, status)

    def resolve_review(self, review_id: str) -> None:
        found = self.store.run_in_transaction(
            lambda conn: members.set_review_status(conn, review_id, "resolved")
        )
        if not found:
            raise NotFound(f"review {review_id} is not known")

    # -- events ---------------------------------------------------------------------------

    def apply_event(
        self, member_id: str, kind: str, payload: Record, *, author: Author | None = None
    ) -> EventResult:
        """Add or replace one item of the member's record, then re-evaluate and store."""
        if kind not in EVENT_KINDS:
            raise Unprocessable(f"unknown event kind {kind!r}", issues=[unknown_kind_issue(kind)])
        row, header, directory = self._load(member_id)
        return self._apply(row, header, directory, kind, payload, author=author)

    def _apply(
        self,
        row: members.MemberRow,
        header: Record,
        directory: Record,
        kind: str,
        payload: Record,
        first: TaskWrite | None = None,
        *,
        author: Author | None = None,
    ) -> EventResult:
        """The event on the member as read in `row`; Conflict when they changed since.
        `first` writes the Task the event came from in the same transaction (its derived
        version is then left out)."""
        member_id = str(row.record["member"]["member_id"])
        issues = item_issues(kind, payload, row.record, directory)
        if issues:
            raise Unprocessable(f"the {kind} item is not valid", issues=issues)
        if find_item(row.record, kind, item_key(kind, payload)) == payload:
            return EventResult(changed=False)
        record = with_item(row.record, kind, payload)
        remapped = self._remap(header, directory, record, self.today())
        if remapped.refused(self.settings):
            message = f"member {member_id}: the re-mapped resources are not valid"
            raise Unprocessable(message, issues=remapped.issues)
        written = self._write(
            row.plan_id,
            record,
            remapped,
            expected_revision=row.revision,
            first=first,
            author=author or Author(channel="event"),
        )
        return EventResult(changed=True, written=written, issues=remapped.issues)

    def apply_task_update(self, task: Record, first: TaskWrite | None = None) -> EventResult | None:
        """A CBO's or vendor's update of one of our Tasks applied as its event; None when the
        update is not one the member's record carries (see task_events). `first` stores the
        Task itself in the same transaction (the API's update)."""
        translated = task_update_event(task)
        member_id = task_member_id(task)
        if is_referral(task) and member_id is not None:
            return self._apply_referral_update(member_id, task)
        if translated is None or member_id is None:
            return None
        kind, item = translated
        author = task_update_author(task)
        # One read of the member per attempt, written with that read's revision: a concurrent
        # change makes the write fail (Conflict) and the update is applied again on top of it.
        for _attempt in range(MEMBER_WRITE_ATTEMPTS):
            row, header, directory = self._load(member_id)
            full = complete_item(kind, item, row.record, directory)
            try:
                return self._apply(row, header, directory, kind, full, first, author=author)
            except Conflict:
                continue
        raise Conflict(f"member {member_id} keeps changing; the Task update was not applied")

    def _apply_referral_update(self, member_id: str, task: Record) -> EventResult:
        """A CBO's move on its referral Task: the record changes it implies, one by one."""
        row, _, directory = self._load(member_id)
        author = task_update_author(task)
        result = EventResult(changed=False)
        for kind, item in referral_events(task, row.record, directory):
            step = self.apply_event(member_id, kind, item, author=author)
            result.changed |= step.changed
            result.written += step.written
            result.issues += step.issues
        return result

    def _load(self, member_id: str) -> tuple[members.MemberRow, Record, Record]:
        with self.store.reading() as conn:
            row = members.load_member(conn, member_id)
            plan = members.load_plan_export(conn, row.plan_id) if row else None
        if row is None or plan is None:
            raise NotFound(f"member {member_id} is not known; ingest the plan's export first")
        return row, plan[0], plan[1]

    # -- shared ---------------------------------------------------------------------------

    def _remap(self, header: Record, directory: Record, record: Record, as_of: dt.date) -> Remapped:
        return remap_member(
            header,
            directory,
            record,
            as_of=as_of,
            settings=self.settings,
            validator=self.validator,
        )

    def _write(
        self,
        plan_id: str,
        record: Record,
        remapped: Remapped,
        *,
        expected_revision: int | None,
        plan: tuple[Record, Record] | None = None,
        first: TaskWrite | None = None,
        author: Author = PLAN_EXPORT,
    ) -> list[str]:
        """The Bundle and the record (and the export's header and directory, when given) in
        one database transaction; "Type/id" of each write."""
        written: list[str] = []

        def heard(_conn: Connection, change: dict[str, Any]) -> None:
            written.append(f"{change['type']}/{change['id']}")

        def save_record(conn: Connection) -> None:
            if plan is not None:
                members.save_plan_export(conn, plan_id, *plan)
            members.save_member(conn, plan_id, record, expected_revision=expected_revision)

        bundle = remapped.bundle
        if first is not None:
            own = ("Task", first.task_id)
            entries = [e for e in bundle["entry"] if _entry_key(e) != own]
            bundle = {**bundle, "entry": entries}
        write_member_bundle(
            self.store, bundle, author, before_commit=save_record, on_change=heard, first=first
        )
        return written


def _entry_key(entry: Record) -> tuple[str, str]:
    resource = entry.get("resource") or {}
    return (str(resource.get("resourceType")), str(resource.get("id")))
