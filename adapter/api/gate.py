"""The write gate: one SQLite writer at a time across a server's workers and threads."""

from __future__ import annotations

import fcntl
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import make_url


class SqliteWriteGate:
    """An exclusive lock file beside the database, plus a lock for the threads of one process.

    SQLite admits one writer; the others sleep in its busy-wait backoff (up to 100 ms a turn),
    which sets the tail latency of writes. Waiters on this gate are woken as soon as it opens.
    """

    def __init__(self, lock_path: Path) -> None:
        self.lock_path = lock_path
        self._threads = threading.Lock()
        self._file: IO[bytes] | None = None

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if self._file is None:  # opened in the worker process, after gunicorn forks
                self._file = self.lock_path.open("a+b")
            fcntl.flock(self._file, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def write_gate(database_url: str) -> AbstractContextManager[Any]:
    """A gate for SQLite files; PostgreSQL handles concurrent writers itself."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return nullcontext()
    database = Path(url.database)
    return SqliteWriteGate(database.with_name(database.name + ".write-lock"))
