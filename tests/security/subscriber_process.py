"""A subscriber's rest-hook endpoint as its own process: run as
`python -m tests.security.subscriber_process PORT FILE`, it appends every notification it
receives to FILE, one JSON line each, and answers 200."""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Hook(BaseHTTPRequestHandler):
    record: Path

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        line = {"path": self.path, "auth": self.headers.get("Authorization"), "body": body.decode()}
        with self.record.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


def main() -> None:
    port, record = int(sys.argv[1]), Path(sys.argv[2])
    Hook.record = record
    server = ThreadingHTTPServer(("127.0.0.1", port), Hook)
    server.allow_reuse_address = True
    server.serve_forever()


if __name__ == "__main__":
    main()
