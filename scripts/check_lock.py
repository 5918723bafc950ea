"""Checks that the lock files still cover pyproject.toml (run by scripts/bootstrap.sh).

Every runtime dependency is pinned in requirements/runtime.lock and requirements/test.lock, every
test dependency in requirements/test.lock, each at a version its range in pyproject.toml allows,
and both files pin the same version of a package. Exit 1 with one line per problem otherwise:
the fix is `scripts/lock.sh`.

    python scripts/check_lock.py [ROOT]
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

try:  # pip, present in every virtual environment, carries packaging
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pragma: no cover - the runtime set has no packaging of its own
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def read_lock(path: Path) -> dict[str, str]:
    """Package name (canonical) -> pinned version."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def problems(root: Path) -> list[str]:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = [Requirement(text) for text in project.get("dependencies", [])]
    test = [Requirement(text) for text in project.get("optional-dependencies", {}).get("test", [])]
    found = []
    locks = {}
    for name, wanted in (("runtime", runtime), ("test", runtime + test)):
        path = root / "requirements" / f"{name}.lock"
        if not path.exists():
            found.append(f"{path.relative_to(root)} is missing")
            continue
        pins = locks[name] = read_lock(path)
        for requirement in wanted:
            version = pins.get(canonicalize_name(requirement.name))
            where = f"{path.relative_to(root)}: {requirement.name}"
            if version is None:
                found.append(f"{where} is not pinned (pyproject.toml asks for {requirement})")
            elif not requirement.specifier.contains(version, prereleases=True):
                found.append(f"{where}=={version} is outside {requirement.specifier}")
    if len(locks) == 2:
        for name, version in sorted(locks["runtime"].items()):
            other = locks["test"].get(name)
            if other is not None and other != version:
                found.append(f"{name}: runtime.lock pins {version}, test.lock {other}")
    return found


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    found = problems(root)
    for line in found:
        sys.stderr.write(f"lock: {line}\n")
    if found:
        sys.stderr.write("lock: the lock files do not match pyproject.toml; run scripts/lock.sh\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
