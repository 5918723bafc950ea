"""Every subcommand, misused: a one-line error and exit 2 (or argparse usage), never a traceback."""

from __future__ import annotations

import argparse

import pytest

from adapter.cli import build_parser, main

MISSING = "no-such-file.json"
# Per subcommand, arguments that are wrong for it (a missing input, a bad value, an odd target).
MISUSES: dict[str, list[list[str]]] = {
    "map": [["map", MISSING, "-o", "out"], ["map", "{export}", "-o", "{file}"]],
    "validate": [["validate", MISSING], ["validate", "{file}", "--ig", MISSING]],
    "snapshot": [["snapshot", "--check", "extra"]],
    "generate": [["generate", "--members", "many", "-o", "x.json"]],
    "serve": [["serve", "--workers", "3"]],
    "load": [["load", MISSING], ["load", "{file}"]],
    "compliance": [["compliance", MISSING], ["compliance", "{export}", "--as-of", "someday"]],
    "report": [["report", MISSING, "--from", "2026-01-01", "--to", "2026-02-01"]],
    "ingest": [["ingest", MISSING], ["ingest", "{file}"]],
    "worker": [
        ["worker", "--once", "--partners", MISSING],
        ["worker", "--once", "--partners", "{file}"],
    ],
    "outbox": [["outbox", "purge"], ["outbox", "retry", "not-a-number"]],
    "mllp": [["mllp", "--port", "high"]],
    "migrate": [["migrate", "--check", "extra"], ["migrate", "--to", "0001"]],
    "token": [["token"], ["token", "--client", "nobody"]],
    "check-server": [["check-server", "http://127.0.0.1:9/fhir"]],
    "reevaluate": [["reevaluate", "--as-of", "someday"], ["reevaluate", "--as-of", "2027-02-29"]],
    "package": [["package"], ["package", "-o", "{file}"]],
    "ccda": [["ccda", MISSING], ["ccda", "{file}", "--tables", MISSING]],
    "clients": [["clients", "purge"], ["clients", "add", "x", "--jwks", MISSING]],
}


def _subcommands() -> set[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_every_subcommand_has_misuse_cases():
    assert set(MISUSES) == _subcommands()


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADAPTER_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("ADAPTER_AUTH_DEV_DIR", str(tmp_path / "auth"))
    (tmp_path / "not-json.json").write_text("this is not { json")
    (tmp_path / "export.json").write_text('{"not": "an export"}')
    return tmp_path


# Readable files with bad content: reported line by line, exit 1 (the commands' contract).
DATA_ERRORS = {("load", "{file}"), ("ingest", "{file}")}
CASES = [(name, args) for name, cases in MISUSES.items() for args in cases]


@pytest.mark.parametrize(
    ("name", "args"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)]
)
def test_misuse_is_a_one_line_error(workspace, capsys, name, args):
    argv = [
        a.replace("{file}", str(workspace / "not-json.json")).replace(
            "{export}", str(workspace / "export.json")
        )
        for a in args
    ]
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse: usage and exit 2
        code = exit_.code
    err = capsys.readouterr().err
    # 2: the command was misused; 1: it ran and reported each bad input (file, line, field).
    assert code == (1 if (name, args[-1]) in DATA_ERRORS else 2), (argv, code, err)
    assert "Traceback" not in err
    assert err.strip(), "a misuse must say what is wrong"


def test_a_missing_input_file_exits_2_naming_it(workspace, capsys):
    assert main(["worker", "--once", "--partners", MISSING]) == 2
    assert capsys.readouterr().err.strip() == f"error: {MISSING}: no such file or folder"


def test_map_onto_an_existing_file_is_refused(workspace, capsys):
    (workspace / "taken").write_text("x")
    from adapter.config import SAMPLES_DIR

    assert main(["map", str(SAMPLES_DIR / "plan-export.json"), "-o", "taken"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
