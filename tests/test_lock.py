"""The lock files (scripts/lock.sh) cover pyproject.toml: scripts/check_lock.py, which the
bootstrap runs before installing, passes on the committed files and names what is missing."""

from __future__ import annotations

import importlib.util
import shutil

from adapter.config import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "check_lock.py"
_spec = importlib.util.spec_from_file_location("check_lock", SCRIPT)
check_lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_lock)


def copy_project(tmp_path):
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(PROJECT_ROOT / "requirements", tmp_path / "requirements")
    return tmp_path


def test_the_committed_lock_files_cover_pyproject():
    assert check_lock.problems(PROJECT_ROOT) == []


def test_runtime_lock_has_no_test_tools():
    runtime = check_lock.read_lock(PROJECT_ROOT / "requirements" / "runtime.lock")
    assert "flask" in runtime
    assert {"pytest", "hypothesis", "ruff", "selenium", "fhirpy"}.isdisjoint(runtime)


def test_every_pin_carries_hashes():
    for name in ("runtime.lock", "test.lock"):
        text = (PROJECT_ROOT / "requirements" / name).read_text()
        pins = [line for line in text.splitlines() if check_lock.PIN.match(line)]
        assert pins
        assert all(line.rstrip().endswith("\\") for line in pins), name  # hashes follow


def test_a_dependency_missing_from_the_lock_is_named(tmp_path):
    root = copy_project(tmp_path)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text().replace('    "rich>=', '    "unlocked-example>=1",\n    "rich>=')
    pyproject.write_text(text)
    found = check_lock.problems(root)
    assert "requirements/runtime.lock: unlocked-example is not pinned" in found[0]
    assert "requirements/test.lock: unlocked-example is not pinned" in found[1]


def test_a_pin_outside_its_range_and_disagreeing_locks_are_named(tmp_path):
    root = copy_project(tmp_path)
    runtime = root / "requirements" / "runtime.lock"
    flask = check_lock.read_lock(runtime)["flask"]
    runtime.write_text(runtime.read_text().replace(f"flask=={flask}", "flask==2.0.0"))
    found = check_lock.problems(root)
    assert any("runtime.lock: flask==2.0.0 is outside" in line for line in found)
    assert f"flask: runtime.lock pins 2.0.0, test.lock {flask}" in found
