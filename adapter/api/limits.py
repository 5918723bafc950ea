"""Request size limits checked while reading: headers, and bodies with or without a length.

A body sent with `Transfer-Encoding: chunked` carries no Content-Length, so the limit cannot be
checked up front; it is read here a block at a time and refused (413) as soon as it passes
`max_request_bytes`, before anything parses it. The body read is then served from memory.
"""

from __future__ import annotations

import io

from flask import request

from adapter.api.context import api
from adapter.errors import AdapterError, PayloadTooLarge

# Bytes one header field (name and value) may hold; gunicorn itself refuses fields above
# GUNICORN_FIELD_BYTES with a plain-text page, so it is set above this limit.
MAX_HEADER_BYTES = 8192
GUNICORN_FIELD_BYTES = 65536
READ_BLOCK = 64 * 1024


class HeaderTooLarge(AdapterError):
    http_status = 431
    issue_code = "too-costly"


def enforce_request_limits() -> None:
    """before_request: oversized header fields get 431, oversized bodies 413 (OperationOutcome)."""
    for name, value in request.headers.items():
        if len(name) + len(value) > MAX_HEADER_BYTES:
            raise HeaderTooLarge(
                f"The {name[:40]} header is larger than {MAX_HEADER_BYTES} bytes",
                expression=name[:40],
            )
    limit = api().settings.max_request_bytes
    declared = request.content_length
    if declared is not None and declared > limit:
        raise PayloadTooLarge(_too_large(limit))
    if declared is None and request.method in ("POST", "PUT", "PATCH"):
        _read_unsized_body(limit)


def _read_unsized_body(limit: int) -> None:
    environ = request.environ
    stream = environ.get("wsgi.input")
    if stream is None:
        return
    chunks, total = [], 0
    while True:
        block = stream.read(READ_BLOCK)
        if not block:
            break
        total += len(block)
        if total > limit:
            raise PayloadTooLarge(_too_large(limit))
        chunks.append(block)
    data = b"".join(chunks)
    # From here on the body is an ordinary one of known length.
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["wsgi.input_terminated"] = False
    request.__dict__.pop("stream", None)
    request.__dict__.pop("content_length", None)


def _too_large(limit: int) -> str:
    return f"The request body is larger than the {limit}-byte limit"
