"""Feedback for long command-line work: a progress bar with rate and ETA, and an end summary.

Every long command (`map`, `ingest`, `generate`, `load`, `validate`, …) reports through this
module so that they all look and behave alike. Feedback goes to standard error, leaving standard
output to the command's data. On a terminal it is a live `rich` bar; elsewhere (a pipe, a CI log)
it is a plain line at most every `interval` seconds, so a script's log still shows that work is
moving. `--quiet` silences both.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.table import Table

T = TypeVar("T")


def add_quiet_argument(parser: argparse.ArgumentParser) -> None:
    """`-q/--quiet`: no progress and no summary, for scripts (errors are still printed)."""
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar or summary (for scripts)"
    )


def _console(stream: IO[str] | None) -> Console:
    return Console(file=stream or sys.stderr, highlight=False, soft_wrap=True)


class Progress:
    """Counts units of work; shows count, rate and ETA while the work runs.

    Use as a context manager; call `advance()` as units complete. `total` may be None when the
    amount of work is not known in advance (the ETA is then left out).

    Elapsed time here is process time for display only (time.monotonic), never a product date.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        unit: str = "items",
        quiet: bool = False,
        stream: IO[str] | None = None,
        interval: float = 1.0,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.quiet = quiet
        self.done = 0
        self._interval = interval
        self._console = _console(stream)
        self._live: RichProgress | None = None
        self._task_id: object = None
        self._started = 0.0
        self._last_line = 0.0

    def __enter__(self) -> Progress:
        self._started = time.monotonic()
        if self.quiet:
            return self
        if self._console.is_terminal:
            self._live = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self._console,
                transient=False,
            )
            self._live.start()
            self._task_id = self._live.add_task(self.label, total=self.total, rate="")
        else:
            self._print_line(force=True)
        return self

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.quiet:
            return
        if self._live is not None:
            self._live.update(
                self._task_id, advance=count, rate=f"{self.rate():,.0f} {self.unit}/s"
            )
        else:
            self._print_line()

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Yields each item, counting it as done when the next one is asked for."""
        for item in items:
            yield item
            self.advance()

    def elapsed(self) -> float:
        return max(time.monotonic() - self._started, 1e-9)

    def rate(self) -> float:
        return self.done / self.elapsed()

    def __exit__(self, *exc: object) -> None:
        if self.quiet:
            return
        if self._live is not None:
            self._live.stop()
        else:
            self._print_line(force=True)

    def _print_line(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_line < self._interval:
            return
        self._last_line = now
        parts = [f"{self.label}: {self.done:,}"]
        if self.total is not None:
            share = 100 * self.done / self.total if self.total else 100.0
            parts[0] += f"/{self.total:,} {self.unit} ({share:.0f}%)"
        else:
            parts[0] += f" {self.unit}"
        if self.done:
            parts.append(f"{self.rate():,.0f} {self.unit}/s")
            if self.total is not None and self.done < self.total:
                parts.append(f"ETA {_duration((self.total - self.done) / self.rate())}")
        parts.append(f"elapsed {_duration(self.elapsed())}")
        self._console.print(", ".join(parts), markup=False)


def _duration(seconds: float) -> str:
    whole = int(seconds + 0.5)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def print_summary(
    title: str,
    rows: Sequence[tuple[str, object]],
    *,
    quiet: bool = False,
    stream: IO[str] | None = None,
) -> None:
    """A two-column table (what, how many) at the end of a command."""
    if quiet:
        return
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, f"{value:,}" if isinstance(value, int) else str(value))
    _console(stream).print(table)
