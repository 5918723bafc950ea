"""`ltsc-adapter mllp`: receive HL7 v2 ADT messages over MLLP into the member store."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from adapter.config import settings_from_env
from adapter.intake.adt_intake import AdtIntake
from adapter.intake.mllp import DEFAULT_HOST, DEFAULT_PORT, MllpListener
from adapter.records.hl7v2.tables import load_facilities
from adapter.store import open_store


def run_mllp(args: argparse.Namespace) -> int:
    """Serve until interrupted; the database comes from ADAPTER_DATABASE_URL."""
    from adapter.services import MemberService

    settings = settings_from_env()
    logging.basicConfig(level=settings.log_level)
    facilities = (
        load_facilities(Path(settings.adt_facilities_file)) if settings.adt_facilities_file else {}
    )
    store = open_store(settings.database_url)
    intake = AdtIntake(MemberService(store, settings), facilities)
    listener = MllpListener(
        intake.answer,
        getattr(args, "host", None) or DEFAULT_HOST,
        getattr(args, "port", None) or DEFAULT_PORT,
        max_message_bytes=settings.mllp_max_message_bytes,
        idle_timeout=settings.mllp_idle_timeout,
    )
    try:
        listener.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        store.close()
    return 0
