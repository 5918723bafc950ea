"""Plan export readers refuse oversized input as RecordErrors: bytes, JSON shape, CSV cells/rows."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from adapter.config import SAMPLES_DIR
from adapter.records import read_exports
from adapter.records.limits import current_limits


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set ADAPTER_* limits for one test; the readers read them afresh."""
    current_limits.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    current_limits.cache_clear()


def _messages(result) -> list[str]:
    return [error.message for error in result.errors]


def test_samples_read_cleanly_within_default_limits(limits):
    result = read_exports([SAMPLES_DIR / "plan-export.json", SAMPLES_DIR / "csv"])
    assert not result.errors


def test_export_file_over_the_byte_limit_is_refused(limits):
    limits.setenv("ADAPTER_MAX_EXPORT_BYTES", "1000")
    result = read_exports([SAMPLES_DIR / "plan-export.json"])
    assert any("larger than 1000 bytes" in m for m in _messages(result))
    assert result.members_read == 0


def test_deeply_nested_json_export_is_refused(limits, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"members": [], "x": ' + "[" * 100 + "]" * 100 + "}")
    assert any("nested deeper" in m for m in _messages(read_exports([path])))


def test_json_array_over_the_item_limit_is_refused(limits, tmp_path):
    limits.setenv("ADAPTER_MAX_CSV_ROWS", "3")
    path = tmp_path / "many.json"
    path.write_text('{"members": [{}, {}, {}, {}]}')
    assert any("more than 3 items" in m for m in _messages(read_exports([path])))


def test_csv_file_over_the_row_limit_is_refused(limits, tmp_path):
    limits.setenv("ADAPTER_MAX_CSV_ROWS", "2")
    folder = tmp_path / "csv"
    shutil.copytree(SAMPLES_DIR / "csv", folder)
    assert any("more than 2 rows" in m for m in _messages(read_exports([folder])))


def test_csv_cell_over_the_field_limit_rejects_its_member(limits, tmp_path):
    limits.setenv("ADAPTER_MAX_CSV_FIELD_CHARS", "5000")
    folder = tmp_path / "csv"
    shutil.copytree(SAMPLES_DIR / "csv", folder)
    members = folder / "members.csv"
    lines = members.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("preferred_language")] = "x" * 6000
    lines[1] = ",".join(cells)
    members.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_exports([folder])
    assert any("longer than 5000 characters" in m for m in _messages(result))
    assert result.members_rejected >= 1
