"""End to end: an MLLP client sends ADT messages, the adapter ACKs and stores what they imply."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from adapter.intake import AdtIntake, MllpListener
from tests.intake.messages import ack_fields, adt, framed
from tests.intake.test_mllp_listener import read_frame
from tests.processes import free_port


@pytest.fixture
def running(intake: AdtIntake) -> Iterator[MllpListener]:
    listener = MllpListener(intake.answer, port=0)
    listener.start()
    yield listener
    listener.stop()


def send_all(port: int, messages: list[str]) -> list[dict[str, list[str]]]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        acks = []
        for message in messages:
            conn.sendall(framed(message))
            acks.append(ack_fields(read_frame(conn)))
        return acks


def by_topic(store, patient: str = "mbr-m100001") -> dict[str, list[dict]]:
    page = store.search("Communication", [("subject", f"Patient/{patient}"), ("_count", "100")])
    found: dict[str, list[dict]] = {}
    for match in page.matches:
        found.setdefault(match.resource["category"][0]["coding"][0]["code"], []).append(
            match.resource
        )
    return found


def test_status_share_and_avail_institution_over_mllp(running, store, service):
    acks = send_all(
        running.port,
        [
            adt("A01", "E2E-1", pv1={3: "5N^^^UMASSMEM", 44: "20261005"}),
            adt("A05", "E2E-2", pv1={2: "P", 3: "SNF^^^MERCY REHAB^^S", 10: "SNF"}),
            adt("A03", "E2E-3", pid={3: "M100002^^^CCA-OC^MB", 29: "20261011", 30: "Y"}),
            adt("A01", "E2E-4", pid={3: "M404404^^^CCA-OC^MB"}),
            adt("A02", "E2E-5"),
        ],
    )
    assert [a["MSA"][1] for a in acks] == ["AA", "AA", "AA", "AA", "AR"]
    assert acks[3]["MSA"][3].startswith("queued for review")
    assert set(by_topic(store)) == {"hospitalization"}
    assert set(by_topic(store, "mbr-m100002")) == {"hospitalization", "death"}
    tasks = store.search("Task", [("patient", "Patient/mbr-m100001"), ("_count", "100")])
    institution = [m for m in tasks.matches if "AVAIL-INSTITUTION" in str(m.resource)]
    assert len(institution) == 1 and institution[0].resource["priority"] == "urgent"
    assert [r["reason"] for r in service.reviews()] == ["no One Care member matches PID-3"]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"ltsc-adapter mllp exited early: {process.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("ltsc-adapter mllp did not start listening")


@pytest.mark.slow
def test_mllp_command_in_its_own_process(service, store, database_url):
    port = free_port()
    env = os.environ | {"ADAPTER_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "adapter.cli", "mllp", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process)
        acks = send_all(port, [adt("A01", "P-1", pv1={3: "5N^^^UMASSMEM", 44: "20261005"})])
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert acks[0]["MSA"][1:3] == ["AA", "P-1"]
    assert "hospitalization" in by_topic(store)
