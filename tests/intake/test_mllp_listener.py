"""The MLLP listener: framing, one ACK per message, size limit, idle timeout, loopback default."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from adapter.intake import MllpListener
from adapter.intake.ack import acknowledgement
from adapter.intake.mllp import DEFAULT_HOST
from tests.intake.messages import END, START, ack_fields, adt, framed


class Recorder:
    """A handler that accepts everything and remembers what it got, from which peer."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, raw: str, source: str) -> str:
        with self.lock:
            self.received.append((raw, source))
        return acknowledgement(raw, "AA", "ok")


def read_frame(conn: socket.socket) -> str:
    data = b""
    while not data.endswith(END):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    assert data.startswith(START), data
    return data[1:-2].decode()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def listener(recorder: Recorder) -> Iterator[MllpListener]:
    running = MllpListener(recorder, port=0, max_message_bytes=4096, idle_timeout=0.5)
    running.start()
    yield running
    running.stop()


def connect(listener: MllpListener) -> socket.socket:
    return socket.create_connection((listener.host, listener.port), timeout=5)


def test_binds_loopback_by_default(listener):
    assert DEFAULT_HOST == "127.0.0.1" and listener.host == "127.0.0.1"


def test_each_framed_message_gets_its_ack_on_one_connection(listener, recorder):
    with connect(listener) as conn:
        for control_id in ("C1", "C2", "C3"):
            conn.sendall(framed(adt("A01", control_id)))
            assert ack_fields(read_frame(conn))["MSA"][1:3] == ["AA", control_id]
    assert [raw.split("|")[9] for raw, _ in recorder.received] == ["C1", "C2", "C3"]
    assert recorder.received[0][1].startswith("mllp:127.0.0.1:")


def test_frames_split_across_packets_are_reassembled(listener, recorder):
    data = framed(adt("A05", "C9"))
    with connect(listener) as conn:
        conn.sendall(data[:10])
        conn.sendall(data[10:])
        assert ack_fields(read_frame(conn))["MSA"][2] == "C9"


def test_connections_are_served_concurrently(listener, recorder):
    first, second = connect(listener), connect(listener)
    with first, second:
        second.sendall(framed(adt("A01", "B")))
        assert ack_fields(read_frame(second))["MSA"][2] == "B"
        first.sendall(framed(adt("A01", "A")))
        assert ack_fields(read_frame(first))["MSA"][2] == "A"


def test_an_oversized_frame_is_rejected_and_the_connection_closed(listener, recorder):
    big = adt("A01", "BIG", pid={5: "X" * 8000})
    with connect(listener) as conn:
        conn.sendall(framed(big))
        fields = ack_fields(read_frame(conn))
        assert fields["MSA"][1] == "AR" and "ERR" in fields
        assert conn.recv(10) == b""
    assert recorder.received == []


def test_unframed_bytes_are_rejected(listener, recorder):
    with connect(listener) as conn:
        conn.sendall(adt("A01", "C1").encode() + END)
        assert ack_fields(read_frame(conn))["MSA"][1] == "AR"
    assert recorder.received == []


def test_idle_connections_are_closed(listener):
    with connect(listener) as conn:
        assert conn.recv(10) == b""  # closed by the listener after its idle timeout


def test_stop_closes_the_port(recorder):
    running = MllpListener(recorder, port=0)
    port = running.start()
    running.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_a_port_in_use_is_reported_by_start(listener, recorder):
    with pytest.raises(OSError):
        MllpListener(recorder, port=listener.port).start()


def test_a_failing_handler_still_answers_ae():
    def broken(raw: str, source: str) -> str:
        raise RuntimeError("database unavailable")

    running = MllpListener(broken, port=0)
    running.start()
    try:
        with connect(running) as conn:
            conn.sendall(framed(adt("A01", "C1")))
            fields = ack_fields(read_frame(conn))
        assert fields["MSA"][1:3] == ["AE", "C1"]
        assert "database unavailable" in fields["ERR"][8]
    finally:
        running.stop()
