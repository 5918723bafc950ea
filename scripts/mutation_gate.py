"""A bounded mutation gate over the rules that guard access and data.

Each mutant changes one operator in one of the functions listed in TARGETS (a comparison
flipped, `and`/`or` swapped, a `not` dropped, a boolean constant inverted). The mutant is
applied to a copy of the source tree and the target's tests run against it; a mutant the
tests do not fail "survives". A run samples MUTATION_SAMPLE mutants (seed MUTATION_SEED),
prints every survivor and the score, and fails below MUTATION_MIN_SCORE.

    .venv/bin/python scripts/mutation_gate.py            # the CI subset
    MUTATION_SAMPLE=0 .venv/bin/python scripts/mutation_gate.py --list   # count all mutants
"""

from __future__ import annotations

import ast
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECURITY_TESTS = [
    "tests/security/test_integrity.py",
    "tests/security/test_compartments.py",
    "-k",
    "not thousand",
]
# module -> (functions to mutate, tests that must kill every mutant)
TARGETS: dict[str, tuple[tuple[str, ...], list[str]]] = {
    "adapter/security/compartments.py": (
        ("_period_holds", "_active_team_roles", "_decision", "_wins", "_consented", "patient_of"),
        SECURITY_TESTS,
    ),
    "adapter/security/policy.py": (
        ("can_access", "can_write", "change_allowed", "_fresh", "_cached"),
        SECURITY_TESTS,
    ),
    "adapter/security/tokens.py": (
        ("key_algorithms", "_verify_signed", "_in_time", "_times_are_numbers"),
        [
            "tests/security/test_tokens.py",
            "tests/security/test_integrity.py",
            "-k",
            "token or key or verif",
        ],
    ),
    "adapter/rules/task_states.py": (
        ("check_transition", "_patient_edits"),
        ["tests/rules/test_task_states.py", "tests/rules/test_offer_edges.py"],
    ),
    "adapter/store/writes.py": (
        ("check_id", "check_resource", "parse_etag", "_try_save"),
        ["tests/store/test_crud.py", "tests/store/test_concurrency.py"],
    ),
    "adapter/validation/instance.py": (
        ("_cardinality",),
        ["tests/validation"],
    ),
    "adapter/validation/codes.py": (
        ("check_binding",),
        ["tests/validation"],
    ),
}
FLIPS = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt,
    ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}  # fmt: skip
TEST_TIMEOUT_S = 600


@dataclass(frozen=True)
class Mutant:
    module: str
    function: str
    line: int
    what: str
    index: int  # the index of the mutated node in the module's walk order


def _sites(tree: ast.AST, functions: tuple[str, ...]) -> list[tuple[int, str, str, int]]:
    """(node index, function, description, line) of every mutable node in `functions`."""
    owner: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in functions:
            for inner in ast.walk(node):
                owner.setdefault(id(inner), node.name)
    found = []
    for index, node in enumerate(ast.walk(tree)):
        name = owner.get(id(node))
        if name is None:
            continue
        what = _describe(node)
        if what:
            found.append((index, name, what, getattr(node, "lineno", 0)))
    return found


def _describe(node: ast.AST) -> str | None:
    if isinstance(node, ast.Compare) and type(node.ops[0]) in FLIPS:
        return f"{type(node.ops[0]).__name__} flipped"
    if isinstance(node, ast.BoolOp):
        return "and/or swapped"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return "not dropped"
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return f"{node.value} inverted"
    return None


class _Apply(ast.NodeTransformer):
    def __init__(self, index: int) -> None:
        self.index = index
        self.order = {}

    def mutate(self, tree: ast.AST) -> ast.AST:
        self.order = {id(n): i for i, n in enumerate(ast.walk(tree))}
        return self.visit(tree)

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if self.order.get(id(node)) != self.index:
            return super().generic_visit(node)
        if isinstance(node, ast.Compare):
            node.ops = [FLIPS[type(node.ops[0])](), *node.ops[1:]]
        elif isinstance(node, ast.BoolOp):
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif isinstance(node, ast.UnaryOp):
            return node.operand
        elif isinstance(node, ast.Constant):
            node.value = not node.value
        return node


def all_mutants() -> list[Mutant]:
    found = []
    for module, (functions, _tests) in TARGETS.items():
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        for index, function, what, line in _sites(tree, functions):
            found.append(Mutant(module, function, line, what, index))
    return found


def killed(mutant: Mutant, workdir: Path) -> bool:
    source = (ROOT / mutant.module).read_text(encoding="utf-8")
    tree = _Apply(mutant.index).mutate(ast.parse(source))
    target = workdir / mutant.module
    target.write_text(ast.unparse(ast.fix_missing_locations(tree)), encoding="utf-8")
    try:
        tests = TARGETS[mutant.module][1]
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
        run = subprocess.run(  # noqa: S603 - our own interpreter and test paths
            command, cwd=workdir, capture_output=True, text=True, timeout=TEST_TIMEOUT_S
        )
        return run.returncode != 0
    except subprocess.TimeoutExpired:
        return True  # a mutant that hangs the tests is caught too
    finally:
        target.write_text(source, encoding="utf-8")


def main() -> int:
    mutants = all_mutants()
    sample = int(os.environ.get("MUTATION_SAMPLE", "8"))
    seed = int(os.environ.get("MUTATION_SEED", "0"))
    minimum = float(os.environ.get("MUTATION_MIN_SCORE", "0.8"))
    if "--list" in sys.argv:
        for m in mutants:
            sys.stdout.write(f"{m.module}:{m.line} {m.function}: {m.what}\n")
        sys.stdout.write(f"{len(mutants)} mutants\n")
        return 0
    chosen = (
        mutants if sample <= 0 else random.Random(seed).sample(mutants, min(sample, len(mutants)))  # noqa: S311
    )
    with tempfile.TemporaryDirectory(prefix="mutants-") as folder:
        workdir = Path(folder)
        for part in ("adapter", "tests", "profiles", "mappings", "samples", "pyproject.toml"):
            copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copy
            copy(ROOT / part, workdir / part)
        survivors = []
        for number, mutant in enumerate(chosen, 1):
            caught = killed(mutant, workdir)
            label = "killed" if caught else "SURVIVED"
            sys.stdout.write(
                f"[{number}/{len(chosen)}] {label}: {mutant.module}:{mutant.line} "
                f"{mutant.function}: {mutant.what}\n"
            )
            sys.stdout.flush()
            if not caught:
                survivors.append(mutant)
    score = 1 - len(survivors) / len(chosen) if chosen else 1.0
    sys.stdout.write(
        f"mutation score {score:.2f}: {len(chosen) - len(survivors)} of {len(chosen)} killed "
        f"({len(mutants)} mutants in all, seed {seed})\n"
    )
    return 0 if score >= minimum else 1


if __name__ == "__main__":
    sys.exit(main())
