"""docs/input-contract.md describes the CSV layout and the schema the code actually uses."""

from __future__ import annotations

from adapter.config import PROJECT_ROOT
from adapter.records import csv_layout as layout

DOC = (PROJECT_ROOT / "docs" / "input-contract.md").read_text(encoding="utf-8")


def _row(file: str) -> str:
    return next(line for line in DOC.splitlines() if line.startswith(f"| `{file}` |"))


def test_every_csv_file_and_column_is_documented():
    tables = [
        (layout.EXPORT_FILE, layout.EXPORT_COLUMNS),
        (layout.MEMBERS_FILE, layout.MEMBER_COLUMNS),
        *layout.DIRECTORY_FILES.values(),
        *layout.MEMBER_PART_FILES.values(),
        *layout.MEMBER_LIST_FILES.values(),
    ]
    assert {file for file, _ in tables} == set(layout.all_files())
    for file, columns in tables:
        row = _row(file)
        for column, kind in columns:
            suffix = "" if kind == "text" else f" ({kind})"
            assert f"`{column}`{suffix}" in row, (file, column)


def test_doc_points_at_the_shipped_schema():
    assert "adapter/records/schema/plan-export.schema.json" in DOC
    assert (PROJECT_ROOT / "adapter/records/schema/plan-export.schema.json").is_file()
