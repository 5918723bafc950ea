"""Polling CBOs' own FHIR servers for the Tasks they own and applying their updates here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import requests
from sqlalchemy import Connection, insert, select

from adapter.errors import AdapterError, PreconditionFailed
from adapter.exchange.delivery import PartnerClient, failure, remote_outcome
from adapter.exchange.listener import from_partner
from adapter.exchange.outbox import utcnow, write_transaction
from adapter.exchange.partners import Partner
from adapter.outcome import Issue
from adapter.rules.task_paths import interim_task, status_path
from adapter.rules.task_states import OWNER, check_transition, task_kind
from adapter.store import Store
from adapter.store.dates import format_instant, to_naive_utc
from adapter.store.schema import inbound_seen, poll_cursor

log = logging.getLogger(__name__)

# The elements a Gravity-style performer changes on a referral Task; everything else is ours.
PERFORMER_ELEMENTS = (
    "status", "statusReason", "businessStatus", "output", "executionPeriod", "note", "lastModified"
)  # fmt: skip
PAGE_SIZE = 100
# A sync reads at most this many pages; the rest waits for the next round.
MAX_PAGES = 50
_EPOCH = datetime(1970, 1, 1)


class Validator(Protocol):
    def validate(self, resource: Any, profiles: Any = ()) -> list[Issue]: ...


@dataclass
class PollReport:
    """One sync: updates applied, versions already seen, and refusals with their issues."""

    applied: int = 0
    unchanged: int = 0
    seen_before: int = 0
    refused: dict[str, list[Issue]] = field(default_factory=dict)
    error: dict[str, Any] | None = None


class TaskPoller:
    """`Task?owner=...&_lastUpdated=gt...` with an overlap window, de-duplicated on versions."""

    def __init__(
        self,
        partner: Partner,
        client: PartnerClient,
        store: Store,
        validator: Validator,
        clock: Callable[[], datetime] = utcnow,
        on_applied: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        if partner.poll is None:
            raise ValueError(f"partner {partner.id} has no poll settings")
        self.partner = partner
        self.poll = partner.poll
        self.client = client
        self.store = store
        self.validator = validator
        self.clock = clock
        # The rules react to an applied CBO update (care team, notifications): see command.py.
        self.on_applied = on_applied

    def poll_once(self) -> PollReport:
        report = PollReport()
        cursor = self._cursor()
        since = cursor - timedelta(seconds=self.poll.overlap_s)
        tasks = self._fetch(since, report)
        newest = cursor
        for task in sorted(tasks, key=_last_updated):
            if not self._apply(task, report):
                break  # a concurrent local change: stop here, the next round re-reads it
            newest = max(newest, _last_updated(task))
        self._save_cursor(newest)
        return report

    def _fetch(self, since: datetime, report: PollReport) -> list[dict[str, Any]]:
        """Every Task changed since `since`: `next` links when the server gives them, else the
        `_lastUpdated` of the last Task read as the next page's watermark."""
        url: str | None = self._search_url("gt", since)
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for _page in range(MAX_PAGES):
            if url is None:
                break
            bundle, report.error = self._page(url)
            if bundle is None:
                break
            page = [e["resource"] for e in bundle.get("entry") or [] if "resource" in e]
            page = [t for t in page if t.get("resourceType") == "Task" and t.get("id")]
            fresh = [t for t in page if _version_key(t) not in found]
            found |= {_version_key(t): t for t in page}
            links = bundle.get("link") or []
            url = next((x.get("url") for x in links if x.get("relation") == "next"), None)
            if url is None and len(page) >= PAGE_SIZE and fresh:
                # A server that pages without links: continue from the newest Task read;
                # `ge` re-reads that instant, the version keys drop what was already read.
                url = self._search_url("ge", max(_last_updated(t) for t in page))
        return list(found.values())

    def _search_url(self, prefix: str, since: datetime) -> str:
        params = {
            "owner": self.poll.owner,
            "_lastUpdated": f"{prefix}{format_instant(since)}",
            "_sort": "_lastUpdated",
            "_count": str(PAGE_SIZE),
        }
        return f"{self.partner.base_url}/Task?" + requests.compat.urlencode(params)

    def _page(self, url: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """One searchset page, or the OperationOutcome saying why there is none."""
        answer = self.client.request("GET", url)
        if not isinstance(answer, requests.Response):
            return None, answer.error
        if answer.status_code != 200:
            return None, remote_outcome(answer)
        try:
            bundle = answer.json()
        except ValueError:
            return None, failure(f"GET {url} did not answer with JSON", "structure")
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            return None, failure(f"GET {url} did not answer with a Bundle", "structure")
        return bundle, None

    def _apply(self, theirs: dict[str, Any], report: PollReport) -> bool:
        version = str((theirs.get("meta") or {}).get("versionId") or _last_updated(theirs))
        if self._seen(theirs["id"], version):
            report.seen_before += 1
            return True
        try:
            outcome = self._apply_update(theirs)
        except PreconditionFailed:
            return False
        except AdapterError as error:
            report.refused[f"Task/{theirs['id']}/_history/{version}"] = error.issues
            self._tell_partner(theirs, error.issues)
            outcome = "refused"
        if outcome == "applied":
            report.applied += 1
        elif outcome == "unchanged":
            report.unchanged += 1
        self._remember(theirs["id"], version, outcome)
        return True

    def _apply_update(self, theirs: dict[str, Any]) -> str:
        """Their performer elements onto our Task, if the rules and profiles allow it.

        Several moves made between two polls (ready -> in-progress -> completed) arrive as one;
        each step the tables allow is stored as its own version, in order.
        """
        ours = self.store.read("Task", theirs["id"])
        merged = performer_update(ours.resource, theirs)
        kind = task_kind(ours.resource) or ""
        steps = status_path(kind, ours.resource.get("status"), merged.get("status"))
        versions = [interim_task(kind, merged, s, {}) for s in (steps or [])[:-1]] + [merged]
        issues: list[Issue] = []
        before = ours.resource
        for version in versions:
            issues += check_transition(kind, before, version, OWNER)
            before = version
        issues += self.validator.validate(merged)
        errors = [i for i in issues if i.is_error]
        if errors:
            raise AdapterError("CBO update refused", issues=errors)
        with from_partner(self.partner.id), self.store.writing() as writer:
            expected: str | None = f'W/"{ours.version_id}"'
            for version in versions:
                written = writer.save("Task", ours.id, version, if_match=expected)
                expected = None
        if written.status == "unchanged":
            return "unchanged"
        if self.on_applied is not None:
            self.on_applied(written.resource)
        return "applied"

    def _tell_partner(self, theirs: dict[str, Any], issues: list[Issue]) -> None:
        """The CBO hears why its move was not taken: a Communication about its Task."""
        why = "; ".join(i.message for i in issues) or "refused"
        note = refusal_notice(theirs, why, format_instant(self.clock()))
        answer = self.client.request("POST", f"{self.partner.base_url}/Communication", note)
        if not isinstance(answer, requests.Response) or answer.status_code >= 300:
            log.warning(
                "partner %s was not told why Task/%s was refused", self.partner.id, theirs["id"]
            )

    def _seen(self, task_id: str, version: str, conn: Connection | None = None) -> bool:
        query = select(inbound_seen.c.outcome).where(
            inbound_seen.c.partner_id == self.partner.id,
            inbound_seen.c.res_type == "Task",
            inbound_seen.c.res_id == task_id,
            inbound_seen.c.version_id == version,
        )
        if conn is not None:
            return conn.execute(query).first() is not None
        with self.store.engine.connect() as reader:
            return reader.execute(query).first() is not None

    def _remember(self, task_id: str, version: str, outcome: str) -> None:
        row = {
            "partner_id": self.partner.id,
            "res_type": "Task",
            "res_id": task_id,
            "version_id": version,
            "applied_at": self.clock(),
            "outcome": outcome,
        }
        with write_transaction(self.store.engine) as conn:
            if not self._seen(task_id, version, conn):
                conn.execute(insert(inbound_seen).values(**row))

    def _cursor(self) -> datetime:
        with self.store.engine.connect() as conn:
            query = select(poll_cursor.c.last_updated).where(
                poll_cursor.c.partner_id == self.partner.id
            )
            return conn.execute(query).scalar() or _EPOCH

    def _save_cursor(self, moment: datetime) -> None:
        with write_transaction(self.store.engine) as conn:
            found = conn.execute(
                poll_cursor.update()
                .where(poll_cursor.c.partner_id == self.partner.id)
                .values(last_updated=moment)
            )
            if found.rowcount == 0:
                conn.execute(
                    insert(poll_cursor).values(partner_id=self.partner.id, last_updated=moment)
                )


def refusal_notice(task: dict[str, Any], why: str, sent: str) -> dict[str, Any]:
    """The Communication that tells a partner its Task update was not applied, and why."""
    reference = f"Task/{task['id']}"
    return {
        "resourceType": "Communication",
        "status": "completed",
        "partOf": [{"reference": reference}],
        "about": [{"reference": reference}],
        "sent": sent,
        "payload": [{"contentString": f"Your update of {reference} was not applied: {why}"}],
    }


def performer_update(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """Our Task with the performer's elements taken from theirs (absent there: removed)."""
    merged = {k: v for k, v in ours.items() if k not in PERFORMER_ELEMENTS and k != "meta"}
    merged |= {k: theirs[k] for k in PERFORMER_ELEMENTS if k in theirs}
    if "meta" in ours:
        merged["meta"] = {k: v for k, v in ours["meta"].items() if k not in ("versionId",)}
    return merged


def _version_key(task: dict[str, Any]) -> tuple[str, str]:
    meta = task.get("meta") or {}
    return (task["id"], str(meta.get("versionId") or meta.get("lastUpdated") or ""))


def _last_updated(task: dict[str, Any]) -> datetime:
    stamp = (task.get("meta") or {}).get("lastUpdated")
    try:
        return to_naive_utc(datetime.fromisoformat(stamp.replace("Z", "+00:00")))
    except (AttributeError, ValueError):
        return _EPOCH
