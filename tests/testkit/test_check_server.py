"""`ltsc-adapter check-server`: all checks pass on the adapter's server, the right ones fail
on a broken one."""

from __future__ import annotations

import json

import pytest

from adapter.cli import main
from tests.processes import free_port
from tests.testkit.broken_server import Faults, broken_server
from tests.testkit.conftest import SERVER_TOKENS


def check(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    code = main(["check-server", url, "--output", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def statuses(report: dict, suffix: str) -> set[str]:
    return {c["status"] for c in report["checks"] if c["check"].endswith(suffix)}


@pytest.mark.slow
def test_adapter_server_passes_every_check(fresh_server, capsys):
    code, report = check(fresh_server, capsys, "--token", SERVER_TOKENS[fresh_server])
    assert [c for c in report["checks"] if c["status"] != "PASS"] == []
    assert code == 0
    assert report["passed"] is True
    assert report["summary"]["pass"] > 9 * 5  # capability + 9 scenarios × (post, read, searches)


@pytest.mark.slow
def test_text_report_has_one_line_per_check_and_a_verdict(fresh_server, capsys):
    code = main(["check-server", fresh_server, "--token", SERVER_TOKENS[fresh_server]])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0] == f"check-server {fresh_server}"
    assert all(line.split(" ", 1)[0] == "PASS" for line in lines[1:-1])
    assert "new-enrollee-offer.round-trip" in "\n".join(lines)
    assert lines[-1].startswith("PASSED: ")


def test_server_with_no_faults_passes(capsys):
    with broken_server(Faults()) as url:
        code, report = check(url, capsys)
    assert code == 0, [c for c in report["checks"] if c["status"] == "FAIL"]


def test_dropped_element_fails_round_trip_only(capsys):
    with broken_server(Faults(dropped_element="status")) as url:
        code, report = check(url, capsys)
    assert code == 1
    assert statuses(report, ".round-trip") == {"FAIL"}
    assert statuses(report, ".transaction") == {"PASS"}
    reasons = [c["reason"] for c in report["checks"] if c["check"].endswith(".round-trip")]
    assert any("Task.status: dropped" in r for r in reasons)


def test_failing_search_fails_search_checks_with_the_server_diagnostics(capsys):
    with broken_server(Faults(search_status=500)) as url:
        code, report = check(url, capsys)
    assert code == 1
    failing = [c for c in report["checks"] if c["status"] == "FAIL"]
    assert failing
    assert all(".search." in c["check"] for c in failing)
    assert all("HTTP 500: search is down" in c["reason"] for c in failing)


def test_search_that_ignores_its_parameters_fails(capsys):
    with broken_server(Faults(ignore_search_params=True)) as url:
        code, report = check(url, capsys)
    assert code == 1
    assert "matched what it should not" in " ".join(
        c["reason"] for c in report["checks"] if c["status"] == "FAIL"
    )


def test_refused_transactions_fail_and_nothing_is_read_back(capsys):
    with broken_server(Faults(transaction_status=500)) as url:
        code, report = check(url, capsys)
    assert code == 1
    posted = [c for c in report["checks"] if c["check"].endswith(".transaction")]
    assert [c["status"] for c in posted] == ["PASS"] + ["FAIL"] * 9  # capability, 9 scenarios
    assert not [c for c in report["checks"] if ".round-trip" in c["check"]]
    assert "POST transaction: HTTP 500" in report["checks"][-1]["reason"]


def test_metadata_error_fails_the_metadata_check(capsys):
    with broken_server(Faults(metadata_status=500)) as url:
        code, report = check(url, capsys)
    assert code == 1
    assert report["checks"][0] == {
        "check": "metadata", "status": "FAIL", "reason": "GET /metadata: HTTP 500",
    }  # fmt: skip


def test_wrong_fhir_version_fails(capsys):
    with broken_server(Faults(fhir_version="3.0.2")) as url:
        _, report = check(url, capsys)
    assert statuses(report, "capability.fhirVersion") == {"FAIL"}


def test_profiles_missing_from_capability_statement_only_warn(capsys):
    with broken_server(Faults(list_profiles=False)) as url:
        code, report = check(url, capsys)
    assert statuses(report, ".profiles") == {"WARN"}
    assert report["summary"]["warn"] > 0
    assert code == 0


def test_bearer_token_is_sent_with_every_request(capsys):
    faults = Faults()
    with broken_server(faults) as url:
        check(url, capsys, "--token", "abc.def")
    assert faults.seen_authorization
    assert set(faults.seen_authorization) == {"Bearer abc.def"}


def test_unreachable_server_exits_2_with_a_clear_message(capsys):
    code = main(["check-server", f"http://127.0.0.1:{free_port()}/fhir"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "cannot reach the FHIR server" in captured.err
