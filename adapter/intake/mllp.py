"""A minimal MLLP listener: one asyncio task per connection, bounded frames, idle timeouts."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from hl7.mllp import InvalidBlockError, start_hl7_server

from adapter.intake.ack import acknowledgement
from adapter.records.hl7v2.errors import APPLICATION_INTERNAL_ERROR, DATA_TYPE_ERROR, AdtError

log = logging.getLogger(__name__)

# handler(raw message, source) -> ACK text; runs in a worker thread (it touches the database).
Handler = Callable[[str, str], str]
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2575


class MllpListener:
    """Serve `handler` over MLLP until stopped; loopback only unless told otherwise."""

    def __init__(
        self,
        handler: Handler,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        max_message_bytes: int = 1024 * 1024,
        idle_timeout: float = 60.0,
    ) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self.max_message_bytes = max_message_bytes
        self.idle_timeout = idle_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    def serve_forever(self) -> None:
        """Block until stop() is called from another thread or the process is interrupted."""
        asyncio.run(self._serve())

    def start(self) -> int:
        """Serve in a background thread; returns the bound port (useful with port 0)."""
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run_in_thread, args=(ready, failure), name="mllp", daemon=True
        )
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self.port

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run_in_thread(self, ready: threading.Event, failure: list[BaseException]) -> None:
        try:
            asyncio.run(self._serve(ready))
        except BaseException as exc:  # surfaced to start()'s caller
            failure.append(exc)
        finally:
            ready.set()

    async def _serve(self, ready: threading.Event | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        server = await start_hl7_server(
            self._connection, self.host, self.port, limit=self.max_message_bytes
        )
        self.port = server.sockets[0].getsockname()[1]
        log.info("MLLP listener on %s:%s", self.host, self.port)
        if ready is not None:
            ready.set()
        async with server:
            await self._stopped.wait()

    async def _connection(self, reader, writer) -> None:
        host, port = writer.get_extra_info("peername")[:2]
        source = f"mllp:{host}:{port}"
        try:
            while await self._one_message(reader, writer, source):
                pass
        finally:
            writer.close()

    def _answer(self, raw: str, source: str) -> str:
        try:
            return self.handler(raw, source)
        except Exception as exc:  # a sender waiting for its ACK must get one
            log.exception("MLLP handler failed on a message from %s", source)
            problem = AdtError("AE", APPLICATION_INTERNAL_ERROR, f"not applied: {exc}")
            return acknowledgement(raw, "AE", problem.message, problem)

    async def _one_message(self, reader, writer, source: str) -> bool:
        """Answer one framed message; False when the connection should close."""
        try:
            block = await asyncio.wait_for(reader.readblock(), self.idle_timeout)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            return False
        except (ValueError, InvalidBlockError) as exc:
            # The frame is lost (too large or unframed): say so once, then hang up.
            problem = AdtError("AR", DATA_TYPE_ERROR, f"frame refused: {exc}")
            writer.writeblock(acknowledgement("", "AR", problem.message, problem).encode())
            await writer.drain()
            return False
        raw = block.decode("utf-8", errors="replace")
        ack = await asyncio.to_thread(self._answer, raw, source)
        writer.writeblock(ack.encode("utf-8"))
        await writer.drain()
        return True
