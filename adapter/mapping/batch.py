"""Many members mapped, checked and rendered, in this process or over worker processes.

Results come back in input order whatever the number of workers, so the files `map` writes are
byte-identical for any `--jobs`. At most a few chunks per worker are in flight, so memory stays
flat however long the input is.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Protocol

from adapter.config import Settings
from adapter.mapping.output import renderer
from adapter.mapping.pipeline import ExportScope, export_scope
from adapter.outcome import Issue

# Members per task sent to a worker: large enough that pickling and the round trip cost little
# beside mapping them (about 10 ms each with validation), small enough to keep workers even.
CHUNK = 16
# Chunks waiting or running per worker: enough that no worker idles while results are written.
IN_FLIGHT_PER_WORKER = 3

Record = dict[str, Any]


@dataclass(frozen=True)
class MapOptions:
    """How every member is mapped: profile validation, the R4 model cross-check, the format."""

    output_format: str = "json"
    validate: bool = True
    model_check: bool = False


@dataclass(frozen=True)
class ExportJob:
    """One export's header and directory and the day the rules run as of (None: generated_at)."""

    export: Record
    directory: Record
    as_of: dt.date | None
    settings: Settings


@dataclass
class MemberOutput:
    """One member mapped: its rendered Bundle, or the errors that kept it from being written."""

    member_id: str
    resources: int
    data: bytes | None
    errors: list[Issue] = field(default_factory=list)


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class MemberMapper:
    """Maps, checks and renders members of one export at a time (a worker's whole state)."""

    def __init__(self, options: MapOptions) -> None:
        self.options = options
        self.render = renderer(options.output_format)
        self._scopes: dict[bytes, ExportScope] = {}
        self._validate: Callable[[Record], list[Issue]] | None = None

    def scope(self, job: bytes) -> ExportScope:
        if job not in self._scopes:
            export_job: ExportJob = pickle.loads(job)  # noqa: S301 - sent by our own process
            self._scopes = {
                job: export_scope(
                    export_job.export,
                    export_job.directory,
                    export_job.settings,
                    as_of=export_job.as_of,
                )
            }
        return self._scopes[job]

    def map_members(self, job: bytes, records: list[Record]) -> list[MemberOutput]:
        scope = self.scope(job)
        return [self.map_member(scope, record) for record in records]

    def map_member(self, scope: ExportScope, record: Record) -> MemberOutput:
        mapped = scope.map(record, check=self.options.model_check)
        resources = len(mapped.bundle["entry"])
        errors = [i for i in mapped.issues if i.is_error]
        if not errors and self.options.validate:
            errors = [i for i in self.validator(mapped.bundle) if i.is_error]
        if errors:
            return MemberOutput(mapped.member_id, resources, None, errors)
        return MemberOutput(mapped.member_id, resources, self.render(mapped.bundle))

    def validator(self, bundle: Record) -> list[Issue]:
        if self._validate is None:
            from adapter.validation import default_validator

            self._validate = default_validator().validate
        return self._validate(bundle)


def job_bytes(
    export: Record, directory: Record, as_of: dt.date | None, settings: Settings
) -> bytes:
    """An export's job, pickled once and sent with each chunk (workers keep the last one)."""
    return pickle.dumps(ExportJob(export, directory, as_of, settings))


class MemberWorker(Protocol):
    """What a pool runs in each worker: one export's job and a chunk of its member records in,
    one result per record out, in order."""

    def map_members(self, job: bytes, records: list[Record]) -> list[Any]: ...


class MemberPool:
    """Runs a MemberWorker over `jobs` worker processes (in this process when `jobs` is 1).

    `make_worker` builds each process's worker; it must be picklable (a class or a partial).
    """

    def __init__(self, make_worker: Callable[[], MemberWorker], jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._make_worker = make_worker
        self._local: MemberWorker | None = None
        self._pool: Any = None
        if self.jobs > 1:
            context = multiprocessing.get_context(_start_method())
            self._pool = context.Pool(self.jobs, _start_worker, (make_worker,))

    def map(self, job: bytes, records: Iterable[Record]) -> Iterator[Any]:
        """Each record's result, in input order."""
        if self._pool is None:
            self._local = self._local or self._make_worker()
            for chunk in _chunks(records, CHUNK):
                yield from self._local.map_members(job, chunk)
            return
        pending: deque[Any] = deque()
        limit = self.jobs * IN_FLIGHT_PER_WORKER
        for chunk in _chunks(records, CHUNK):
            pending.append(self._pool.apply_async(_map_in_worker, (job, chunk)))
            while len(pending) >= limit:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> MemberPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None and self._pool is not None:
            self._pool.terminate()
        self.close()


def pool_jobs(requested: int | None, total: int) -> int:
    """Worker processes: as requested (default: every core), none for inputs too small to
    share (starting workers would cost more than it saves)."""
    jobs = requested or default_jobs()
    return jobs if total >= 2 * CHUNK else 1


def _start_method() -> str | None:
    """fork when this process runs one thread: workers start at once and share what is already
    loaded (the pool is made before any progress display starts its thread). With other
    threads about, a forked child could inherit a lock held mid-operation: forkserver then."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else None


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


_WORKER: MemberWorker | None = None


def _start_worker(make_worker: Callable[[], MemberWorker]) -> None:
    global _WORKER  # one worker per process
    _WORKER = make_worker()


def _map_in_worker(job: bytes, records: list[Record]) -> list[Any]:
    assert _WORKER is not None  # noqa: S101 - set by the pool's initializer
    return _WORKER.map_members(job, records)
