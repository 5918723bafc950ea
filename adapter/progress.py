"""Feedback for long command-line work: a progress bar with rate and ETA, and an end summary.

Every long command (`map`, `ingest`, `generate`, `load`, `validate`, …) reports through this
module so that they all look and behave alike. Feedback goes to standard error, leaving standard
output to the command's data. On a terminal it is a live `rich` bar; elsewhere (a pipe, a CI log)
it is a plain line at most every `interval` seconds, so a script's log still shows that work is
moving. `--quiet` silences both.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from typing import IO, TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as RichProgress

T = TypeVar("T")
# rich is imported when feedback is shown, not when the command line is parsed: `add_*_argument`
# run for every command, and most commands never draw a bar.


def add_quiet_argument(parser: argparse.ArgumentParser) -> None:
    """`-q/--quiet`: no progress and no summary, for scripts (errors are still printed)."""
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar or summary (for scripts)"
    )


def add_summary_format_argument(parser: argparse.ArgumentParser, option: str = "--output") -> None:
    """`--output text|json` (or `--summary` where `--output` names a path): the end summary as
    a table on standard error, or as one JSON object on standard output for scripts."""
    parser.add_argument(
        option,
        dest="summary_format",
        choices=("text", "json"),
        default="text",
        help="text: a summary table on stderr; json: one JSON summary object on stdout",
    )


def _console(stream: IO[str] | None) -> Console:
    from rich.console import Console

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
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

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

    def set_total(self, total: int | None) -> None:
        """The amount of work once it is known (an ETA appears from then on)."""
        self.total = total
        if self._live is not None:
            self._live.update(self._task_id, total=total)

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Yields each item, counting it as done when the next one is asked for. A sized
        collection sets the total when none was given."""
        if self.total is None and isinstance(items, Sized):
            self.set_total(len(items))
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
    from rich.table import Table

    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, f"{value:,}" if isinstance(value, int) else str(value))
    _console(stream).print(table)


def report_summary(
    title: str,
    counts: Mapping[str, object],
    *,
    summary_format: str = "text",
    quiet: bool = False,
    stream: IO[str] | None = None,
    out: IO[str] | None = None,
) -> None:
    """The end summary of a command: `counts` (snake_case keys) as a table on standard error,
    or with `summary_format` "json" as one JSON object on standard output, which `--quiet`
    leaves in place (it is the command's data, not feedback)."""
    if summary_format == "json":
        (out or sys.stdout).write(json.dumps(dict(counts), indent=2, default=str) + "\n")
        return
    rows = [(key.replace("_", " "), value) for key, value in counts.items()]
    print_summary(title, rows, quiet=quiet, stream=stream)
