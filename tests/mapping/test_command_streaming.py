"""`ltsc-adapter map` on large exports: NDJSON read line by line, worker processes, progress.

These run the command as a real process: `--jobs` forks workers, and progress is read from the
process's standard error while it still runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from adapter.records.generator import generate_export
from adapter.records.ndjson_form import write_ndjson

# More members than two workers' first chunks, so `--jobs 2` really shares the work.
SHARED_MEMBERS = 80


def command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "adapter.cli", *argv]


def generated(tmp_path: Path, members: int, name: str = "export.ndjson") -> Path:
    path = tmp_path / name
    write_ndjson(generate_export(members, 7), path)
    return path


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*argv), capture_output=True, text=True, check=False)


def test_output_is_byte_identical_for_one_and_two_jobs(tmp_path: Path) -> None:
    source = generated(tmp_path, SHARED_MEMBERS)
    for fmt in ("ndjson", "json"):
        one, two = tmp_path / f"{fmt}-1", tmp_path / f"{fmt}-2"
        for jobs, out in (("1", one), ("2", two)):
            done = run("map", str(source), "-o", str(out), "--format", fmt, "-j", jobs, "-q")
            assert done.returncode == 0, done.stderr
        names = sorted(p.name for p in one.iterdir())
        assert names == sorted(p.name for p in two.iterdir())
        assert len(names) == (1 if fmt == "ndjson" else SHARED_MEMBERS)
        for name in names:
            assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_a_bad_ndjson_line_rejects_only_its_member_with_jobs(tmp_path: Path) -> None:
    source = generated(tmp_path, SHARED_MEMBERS)
    lines = source.read_bytes().split(b"\n")
    lines[5] = b'{"member": '  # the fifth member record, cut short
    record = json.loads(lines[9])
    record["member"]["birth_date"] = "14/03/1971"
    lines[9] = json.dumps(record).encode()
    source.write_bytes(b"\n".join(lines))
    done = run("map", str(source), "-o", str(tmp_path / "out"), "-j", "2", "--summary", "json")
    assert done.returncode == 1
    assert f"{source}:line 6: not valid JSON" in done.stderr
    assert f"{source}:line 10: member.birth_date" in done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["members_mapped"] == SHARED_MEMBERS - 2
    assert summary["member_records_rejected"] == 2
    assert summary["bundles_written"] == SHARED_MEMBERS - 2


@pytest.mark.slow
def test_map_of_20000_members_shows_progress_while_it_runs(tmp_path: Path) -> None:
    source = generated(tmp_path, 20_000)
    process = subprocess.Popen(
        command("map", str(source), "-o", str(tmp_path / "out"), "--format", "ndjson"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stderr.readline()
        still_running = process.poll() is None
    finally:
        process.kill()
        process.wait()
    assert first.startswith("map: 0/20,000 members (0%)"), first
    assert still_running


def test_quiet_prints_neither_progress_nor_summary(tmp_path: Path) -> None:
    source = generated(tmp_path, 3)
    done = run("map", str(source), "-o", str(tmp_path / "out"), "--no-validate", "--quiet")
    assert done.returncode == 0
    assert done.stderr == "" and done.stdout == ""
