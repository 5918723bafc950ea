"""Log records scrubbed of member data: query strings, dates, long numbers and quoted values."""

from __future__ import annotations

import logging
import re
import traceback

# Query strings carry search values (names, birth dates); identifiers carry digit runs.
_REDACTIONS = (
    (re.compile(r"\?[^\s\"']*"), "?[query]"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}(T[0-9:.+\-Z]*)?"), "[date]"),
    (re.compile(r"\b[\w.-]*\d{5,}[\w.-]*"), "[id]"),
    (re.compile(r"'[^'\n]{1,200}'|\"[^\"\n]{1,200}\""), "[value]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def safe_traceback(exc: BaseException) -> str:
    """Where it failed, and the kind of failure; an exception's message may quote member data."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    return redact(f"Traceback (most recent call last):\n{frames}{type(exc).__name__}: [withheld]")


class RedactingFilter(logging.Filter):
    """Rewrites each record it sees into its redacted text before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg = redact(record.getMessage())
        except Exception:  # a record whose arguments do not format keeps only its template
            record.msg = redact(str(record.msg))
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = safe_traceback(record.exc_info[1])
        return True


# The loggers whose handlers a server writes through (ours propagate to the root).
SERVER_LOGGERS = ("", "gunicorn.error", "gunicorn.access", "werkzeug")


def install_log_redaction(handlers: list[logging.Handler] | None = None) -> None:
    """Put the filter on the server's log handlers (or on these), once per handler."""
    if handlers is None:
        root = logging.getLogger()
        if not root.handlers:
            # Without one, records reach Python's last-resort handler, which no filter guards.
            console = logging.StreamHandler()
            console.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
            )
            root.addHandler(console)
        handlers = [h for name in SERVER_LOGGERS for h in logging.getLogger(name).handlers]
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
