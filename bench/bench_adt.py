"""ADT throughput: messages/s through the MLLP listener into stored events (loopback only).

Run: .venv/bin/python bench/bench_adt.py [--messages 400] [--members 20] [--connections 4]
                                         [--database-url sqlite:///...] [--max-seconds 300]

The sample plan's first N members are ingested into a fresh store (SQLite in a temporary folder
unless --database-url names another), the listener starts on 127.0.0.1 on a free port, and C
client threads each send their share of A01 admissions (a unique MSH-10 each, members in turn),
waiting for every ACK as MLLP senders do. The rate counts accepted (AA) messages over the wall
time from the first send to the last ACK; it includes parsing, the rules re-evaluation of the
member, validation and the store transaction. Sending stops at --max-seconds.

Beside it, the same number of new admissions applied in this thread without sockets, timed in
CPU seconds (one core, robust to other load on the machine), and the baseline: the messages
parsed and mapped to member events only, nothing stored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapter.config import SAMPLES_DIR, Settings  # noqa: E402
from adapter.intake import AdtIntake, MllpListener  # noqa: E402
from adapter.records import read_exports  # noqa: E402
from adapter.records.hl7v2 import read_adt  # noqa: E402
from adapter.services import MemberService  # noqa: E402
from adapter.store import Store, open_store  # noqa: E402

AS_OF = dt.date(2026, 11, 1)
START, END = b"\x0b", b"\x1c\r"


def admission(n: int, member_id: str) -> bytes:
    day = dt.date(2026, 10, 1) + dt.timedelta(days=n % 28)
    stamp = day.strftime("%Y%m%d") + "090000"
    segments = [
        f"MSH|^~\\&|EPIC|UMASSMEM|LTSC-ADAPTER|CCA-OC|{stamp}||ADT^A01^ADT_A01|BENCH-{n}|P|2.5.1",
        f"EVN|A01|{stamp}",
        f"PID|1||{member_id}^^^CCA-OC^MB||Member^Bench",
        "PV1|1|I|5N^512^B^UMASSMEM|||||||MED" + "|" * 34 + stamp,
    ]
    return START + "\r".join(segments).encode() + END


def send_share(port: int, messages: list[bytes], deadline: float, out: dict) -> None:
    latencies, codes = [], []
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        for message in messages:
            if time.perf_counter() > deadline:
                break
            sent = time.perf_counter()
            conn.sendall(message)
            reply = b""
            while not reply.endswith(END):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                reply += chunk
            latencies.append(time.perf_counter() - sent)
            codes.append(reply.split(b"MSA|", 1)[1][:2].decode() if b"MSA|" in reply else "??")
    with out["lock"]:
        out["latencies"] += latencies
        out["codes"] += codes


def prepared_store(url: str, members: int) -> tuple[Store, MemberService, list[str]]:
    store = open_store(url)
    service = MemberService(store, Settings(database_url=url), today=lambda: AS_OF)
    export = read_exports([SAMPLES_DIR / "plan-export.json"]).exports[0]
    export.members = export.members[:members]
    service.ingest(export)
    return store, service, [m["member"]["member_id"] for m in export.members]


def parse_only_rate(messages: list[bytes]) -> float:
    """The same messages parsed and mapped to member events only, per CPU second: the floor."""
    texts = [m.strip(START + END).decode() for m in messages]
    started = time.process_time()
    for text in texts:
        read_adt(text)
    return len(texts) / (time.process_time() - started)


def one_core_rate(intake: AdtIntake, messages: list[bytes]) -> tuple[float, int]:
    """The same kind of messages applied in this thread, no sockets: messages per CPU second
    of this process (one core, whatever else the machine runs), and how many were AA."""
    texts = [m.strip(START + END).decode() for m in messages]
    started = time.process_time()
    accepted = sum(intake.receive(text, "bench").ack_code == "AA" for text in texts)
    return len(texts) / (time.process_time() - started), accepted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--database-url")
    parser.add_argument("--max-seconds", type=float, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        store, service, member_ids = prepared_store(url, args.members)
        before = store.search("Communication", [("_count", "1")]).total
        listener = MllpListener(AdtIntake(service).answer, port=0)
        port = listener.start()
        messages = [admission(n, member_ids[n % len(member_ids)]) for n in range(args.messages)]
        shares = [messages[i :: args.connections] for i in range(args.connections)]
        out: dict = {"lock": threading.Lock(), "latencies": [], "codes": []}
        started = time.perf_counter()
        deadline = started + args.max_seconds
        threads = [
            threading.Thread(target=send_share, args=(port, share, deadline, out))
            for share in shares
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        listener.stop()
        stored = store.search("Communication", [("_count", "1")]).total - before
        # New control ids, so each is a new event as in the listener run.
        more = [admission(n, member_ids[n % len(member_ids)]) for n in range(len(messages))]
        more = [m.replace(b"|BENCH-", b"|BENCH-CPU-") for m in more]
        one_core, one_core_accepted = one_core_rate(AdtIntake(service), more)
        store.close()
    accepted = out["codes"].count("AA")
    baseline = parse_only_rate(messages)
    latencies = sorted(out["latencies"])
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
    print(f"database      {url.split(':', 1)[0]}")
    sent = len(out["codes"])
    print(f"messages      {sent} sent, {accepted} AA, over {args.connections} connections")
    print(f"stored        {stored} new hospitalization Communications")
    print(f"wall          {wall:.2f} s")
    print(f"throughput    {accepted / wall:.1f} messages/s")
    p50 = statistics.median(latencies) if latencies else 0.0
    print(f"ACK latency   p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print(f"one core      {one_core:.1f} messages/s per CPU second, no sockets")
    print(f"baseline      {baseline:.0f} messages/s parsed and mapped to events, nothing stored")
    print(f"ratio         {accepted / wall / baseline:.4f} (listener into the store / parse only)")
    print(f"ratio         {one_core / baseline:.4f} (one core into the store / parse only)")
    print(f"load average  {os.getloadavg()[0]:.2f}")
    ok = accepted == sent == stored and one_core_accepted == len(more)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
