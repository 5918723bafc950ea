"""C-CDA documents applied to known members through the member service, as partial updates.

A document names its member by patientRole/id roots (ccda.yaml, or the plan's own tables). A
known member's stored record fills what the document lacks and the result is re-evaluated and
stored by the member service; a document about nobody known goes to the review queue. Every
entry the document carries and the adapter does not map is listed in the receipt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from adapter.errors import AdapterError
from adapter.records.assemble import RawExport, RawMember, assemble
from adapter.records.ccda.document import CcdaError
from adapter.records.ccda.ledger import Unmapped
from adapter.records.ccda.merge import KEYED_LISTS, merged_directory, merged_record
from adapter.records.ccda.reader import (
    DOCUMENT,
    MAX_DOCUMENT_BYTES,
    CcdaDocument,
    read_document,
)
from adapter.records.schema import RecordPath
from adapter.services.member_service import MASSHEALTH_SYSTEM, MEMBER_ID_SYSTEM
from adapter.store import members as member_rows

SOURCE_SYSTEM_FALLBACK = "C-CDA"
# Lists counted in a receipt: what the document put into the member's record.
COUNTED = (
    "goals",
    "care_coordinator_assignments",
    "ltsc_assignments",
    "care_team_members",
    "service_recommendations",
    "planned_activities",
    "ltss_needs",
    "consents",
    "enrollments",
)


class DocumentService(Protocol):
    """The parts of adapter.services.MemberService a document needs."""

    store: Any

    def find_member(self, identifiers: list[tuple[str | None, str]]) -> str | None: ...
    def ingest(self, plan_export: Any, *, as_of: Any = None) -> Any: ...
    def queue_for_review(self, source: str, payload: str, reason: str) -> str: ...


@dataclass
class Problem:
    """Why a document was refused or queued, at the XPath (and record field) concerned."""

    xpath: str
    field: str
    message: str


@dataclass
class CcdaReceipt:
    """What became of one document: stored, queued for review, or refused (and why)."""

    source: str
    outcome: str  # stored | queued | refused | rejected
    document_type: str = ""
    document_id: str = ""
    effective_time: str = ""
    member_id: str | None = None
    review_id: str | None = None
    problems: list[Problem] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    carried: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome in ("stored", "queued")

    def clinical_unmapped(self) -> list[Unmapped]:
        return [u for u in self.unmapped if u.clinical]

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "outcome": self.outcome,
            "document_type": self.document_type,
            "document_id": self.document_id,
            "effective_time": self.effective_time,
            "member_id": self.member_id,
            "review_id": self.review_id,
            "problems": [vars(p) for p in self.problems],
            "carried": self.carried,
            "unmapped": [u.as_json() for u in self.unmapped],
        }


class CcdaIntake:
    """One C-CDA document in; the member's record updated, or the document queued or refused."""

    def __init__(self, service: DocumentService, *, strict: bool = False) -> None:
        self.service = service
        self.strict = strict

    def process_file(self, path: Path) -> CcdaReceipt:
        try:
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                too_big = f"document larger than {MAX_DOCUMENT_BYTES} bytes is refused"
                return CcdaReceipt(str(path), "refused", problems=[Problem("/", "", too_big)])
            data = path.read_bytes()
        except OSError as exc:
            return CcdaReceipt(
                str(path),
                "refused",
                problems=[Problem("", "", f"cannot read the file: {exc.strerror}")],
            )
        return self.receive(data, str(path))

    def receive(self, data: bytes, source: str) -> CcdaReceipt:
        try:
            document = read_document(data, source)
        except CcdaError as exc:
            return CcdaReceipt(source, "refused", problems=[Problem(exc.location, "", exc.message)])
        receipt = CcdaReceipt(
            source,
            "refused",
            document.kind.name,
            document.document_id,
            document.generated_at,
            unmapped=list(document.unmapped),
            carried={k: len(document.record.get(k) or []) for k in COUNTED},
        )
        if self.strict and receipt.clinical_unmapped():
            count = len(receipt.clinical_unmapped())
            receipt.problems.append(
                Problem(
                    DOCUMENT,
                    "",
                    f"--strict: {count} clinical entr{'y' if count == 1 else 'ies'} not mapped",
                )
            )
            return receipt
        return self._apply(document, data, receipt)

    def _apply(self, document: CcdaDocument, data: bytes, receipt: CcdaReceipt) -> CcdaReceipt:
        person = document.record["member"]
        identifiers = [
            (system, value)
            for system, value in (
                (MEMBER_ID_SYSTEM, person["member_id"]),
                (MASSHEALTH_SYSTEM, person["masshealth_id"]),
            )
            if value
        ]
        if not identifiers:
            return self._queue(
                document, data, receipt, "no patientRole/id with a configured member id root"
            )
        member_id = self.service.find_member(identifiers)
        if member_id is None:
            shown = ", ".join(v for _, v in identifiers)
            return self._queue(document, data, receipt, f"no One Care member matches {shown}")
        receipt.member_id = member_id
        with self.service.store.reading() as conn:
            row = member_rows.load_member(conn, member_id)
            plan = member_rows.load_plan_export(conn, row.plan_id) if row else None
        if row is None or plan is None:
            return self._queue(document, data, receipt, f"member {member_id} is no longer stored")
        export = updated_export(document, plan[0], plan[1], row.record)
        checked = assemble(checked_raw(document, export))
        if checked.errors or checked.export is None:
            receipt.problems += [Problem(e.location, e.field, e.message) for e in checked.errors]
            return receipt
        try:
            report = self.service.ingest(checked.export)
        except AdapterError as error:
            receipt.outcome = "rejected"
            receipt.problems.append(Problem(DOCUMENT, "", error.message))
            return receipt
        if report.members_rejected:
            receipt.outcome = "rejected"
            receipt.problems += [
                Problem(", ".join(i.expression) or "Bundle", "", i.message)
                for _, i in report.issues
            ]
            return receipt
        receipt.outcome = "stored"
        return receipt

    def _queue(
        self, document: CcdaDocument, data: bytes, receipt: CcdaReceipt, reason: str
    ) -> CcdaReceipt:
        payload = data.decode("utf-8", errors="replace")
        receipt.review_id = self.service.queue_for_review(
            f"ccda:{document.source}", payload, reason
        )
        receipt.outcome = "queued"
        receipt.problems.append(Problem(document.where.get("member", DOCUMENT), "", reason))
        return receipt


def updated_export(
    document: CcdaDocument,
    header: dict[str, Any],
    directory: dict[str, Any],
    stored: dict[str, Any],
) -> dict[str, Any]:
    """The plan's export header and directory with the member's record updated by the document.

    The document's time becomes the export's `generated_at` (the rules' clock and the
    Provenance's `recorded`), so a document is evaluated as of when it was written.
    """
    sent_by = document.header.get("source_system") or SOURCE_SYSTEM_FALLBACK
    return {
        "export": {**header, "generated_at": document.generated_at, "source_system": sent_by},
        "directory": merged_directory(directory, document.directory),
        "members": [merged_record(stored, document.record)],
    }


def checked_raw(document: CcdaDocument, export: dict[str, Any]) -> RawExport:
    """The updated export as a reader's output, located at the document's elements."""
    header = {"export": export["export"], "directory": export["directory"]}
    raw = RawExport(document.source, header, document.locate, plan_export=False)
    record = export["members"][0]
    raw.members = [RawMember(record, merged_locator(document, record))]
    return raw


def merged_locator(document: CcdaDocument, record: dict[str, Any]):
    """Problems of an item the document brought are located at its element; those of items
    kept from the stored record say so."""
    keys = {**KEYED_LISTS, "enrollments": ("plan_id",)}
    keys |= {k: ("staff_id", "start") for k in ("care_coordinator_assignments", "ltsc_assignments")}

    def locate(path: RecordPath) -> tuple[str, str]:
        if len(path) < 2 or path[0] not in keys or not isinstance(path[1], int):
            return document.locate(path)
        kind, index = str(path[0]), path[1]
        items = record.get(kind) or []
        if index >= len(items):
            return document.locate(path[:1])

        def identity(item: dict[str, Any]) -> tuple[Any, ...]:
            return tuple(item.get(k) for k in keys[kind])

        sent = document.record.get(kind) or []
        found = next((n for n, i in enumerate(sent) if identity(i) == identity(items[index])), None)
        if found is None:
            return document.source, f"stored record {kind}[{index}]"
        return document.locate((kind, found, *path[2:]))

    return locate
