"""The export runner: claims jobs, streams each type into NDJSON files, removes expired files."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl

import orjson

from adapter.bulk import jobs
from adapter.bulk.jobs import ExportJob
from adapter.config import Settings
from adapter.errors import AdapterError
from adapter.security.policy import AccessPolicy
from adapter.security.principal import Principal

log = logging.getLogger(__name__)

# Resources per NDJSON file; a type with more gets several files.
FILE_LIMIT = 100_000
# Every this many resources the runner records progress and looks for a cancellation.
CHECK_EVERY = 2_000
LEASE_SECONDS = 300.0


class Cancelled(Exception):
    """The client cancelled the job (DELETE) while it ran."""


class BulkExportRunner:
    """Runs export jobs against one store; several runners may share a database."""

    def __init__(self, store: Any, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.root = Path(settings.bulk_export_dir)

    def run_due(self) -> int:
        """Run waiting jobs one after another until none is left; returns how many ran."""
        ran = 0
        while (job := jobs.claim_next(self.store.engine, LEASE_SECONDS)) is not None:
            self.run(job)
            ran += 1
        self.remove_expired()
        return ran

    def serve(self, stop: threading.Event, idle_s: float = 1.0) -> None:
        """`run_due` until `stop` is set (the worker's export thread)."""
        while not stop.is_set():
            try:
                if not self.run_due():
                    stop.wait(idle_s)
            except Exception:  # a database outage must not end the thread
                log.exception("bulk export round failed; trying again")
                stop.wait(idle_s * 5)

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.serve, args=(stop,), name="bulk-export", daemon=True)
        thread.start()
        return thread

    def run(self, job: ExportJob) -> None:
        folder = self.root / job.id
        folder.mkdir(parents=True, exist_ok=True)
        expiry = self.settings.bulk_export_expiry_seconds
        try:
            output = self._export(job, folder)
        except Cancelled:
            shutil.rmtree(folder, ignore_errors=True)
            return
        except AdapterError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            jobs.fail(self.store.engine, job.id, exc.message, expiry)
            return
        except Exception:
            log.exception("bulk export %s failed", job.id)
            shutil.rmtree(folder, ignore_errors=True)
            jobs.fail(self.store.engine, job.id, "The export failed on the server", expiry)
            return
        if not jobs.finish(self.store.engine, job.id, output, expiry):
            shutil.rmtree(folder, ignore_errors=True)  # cancelled at the last moment

    def remove_expired(self) -> None:
        for job_id in jobs.due_for_removal(self.store.engine):
            shutil.rmtree(self.root / job_id, ignore_errors=True)
            jobs.mark_expired(self.store.engine, job_id)

    # -- one job ------------------------------------------------------------------------------

    def _export(self, job: ExportJob, folder: Path) -> list[dict[str, Any]]:
        principal = effective_principal(job)
        policy = AccessPolicy(self.store, cache_seconds=LEASE_SECONDS)
        scope = None if principal.is_admin else _Scope(policy, principal)
        params = job.parameters
        since = [("_lastUpdated", f"gt{params['since']}")] if params.get("since") else []
        filters: dict[str, list[str]] = params.get("type_filters") or {}
        counter = _Counter(self.store.engine, job.id)
        output: list[dict[str, Any]] = []
        for resource_type in params["types"]:
            queries = [[*since, *parse_qsl(q)] for q in filters.get(resource_type, [])] or [since]
            resources = self._matches(resource_type, queries, scope)
            visible = (r for r in resources if policy.can_access(principal, r.resource))
            for name, count in _write_files(folder, resource_type, visible, counter):
                url = f"{job.base_url}/$export-file/{job.id}/{name}"
                output.append({"type": resource_type, "url": url, "count": count})
        return output

    def _matches(self, resource_type: str, queries: list[list[tuple[str, str]]], scope: Any):
        """Every resource matching any of the queries (`_typeFilter` is an OR), once each."""
        if len(queries) == 1:
            yield from self.store.stream(resource_type, queries[0], scope=scope)
            return
        seen: set[str] = set()
        for query in queries:
            for stored in self.store.stream(resource_type, query, scope=scope):
                if stored.id not in seen:
                    seen.add(stored.id)
                    yield stored


class _Scope:
    """The compartment criteria per type, for the store's every hop."""

    def __init__(self, policy: AccessPolicy, principal: Principal) -> None:
        self.policy = policy
        self.principal = principal

    def __call__(self, resource_type: str) -> list[tuple[str, str]]:
        return self.policy.search_filter(self.principal, resource_type)


class _Counter:
    """Counts written resources; every CHECK_EVERY it reports progress and checks for cancel."""

    def __init__(self, engine: Any, job_id: str) -> None:
        self.engine = engine
        self.job_id = job_id
        self.written = 0

    def tick(self, resource_type: str) -> None:
        self.written += 1
        if self.written % CHECK_EVERY == 0:
            progress = f"{self.written} resources written (now {resource_type})"
            if not jobs.report_progress(self.engine, self.job_id, progress, LEASE_SECONDS):
                raise Cancelled


def effective_principal(job: ExportJob) -> Principal:
    """Whose compartment bounds the output: the requester's; for an administrator's Group
    export, the group's organization's (a plan's or a CBO's members)."""
    group = job.parameters.get("group")
    principal = job.principal
    if group and principal.is_admin:
        return replace(principal, org_kind=group["kind"], org_id=group["org_id"], staff_id=None)
    return principal


def _write_files(
    folder: Path, resource_type: str, resources: Iterator[Any], counter: _Counter
) -> Iterator[tuple[str, int]]:
    """`Type.ndjson` (then `Type-2.ndjson`, ...) of at most FILE_LIMIT lines; empty types none."""
    number, count, handle = 0, 0, None
    try:
        for stored in resources:
            if handle is None or count == FILE_LIMIT:
                if handle is not None:
                    handle.close()
                    yield _file_name(resource_type, number), count
                number, count = number + 1, 0
                handle = (folder / _file_name(resource_type, number)).open("wb")
            _write_line(handle, stored.resource)
            count += 1
            counter.tick(resource_type)
    finally:
        if handle is not None:
            handle.close()
    if handle is not None:
        yield _file_name(resource_type, number), count


def _file_name(resource_type: str, number: int) -> str:
    return f"{resource_type}.ndjson" if number == 1 else f"{resource_type}-{number}.ndjson"


def _write_line(handle: IO[bytes], resource: dict[str, Any]) -> None:
    handle.write(orjson.dumps(resource))
    handle.write(b"\n")
