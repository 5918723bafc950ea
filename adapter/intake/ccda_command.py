"""`ltsc-adapter ccda FILE...`: C-CDA documents applied to known members, with a summary.

The summary names, per document, what became of it and every entry that was not mapped; the
same facts go to a JSON report with --report. A progress bar counts documents on standard
error and a summary table ends the run (`-q` silences both). Exit 0 when every document was
stored or queued for review, 1 otherwise (2 for bad settings or arguments).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from adapter.config import settings_from_env
from adapter.errors import InvalidRequest
from adapter.intake.ccda_intake import CcdaIntake, CcdaReceipt
from adapter.progress import Progress, report_summary
from adapter.records.ccda.tables import TablesError, use_tables_file
from adapter.store import open_store


def run_ccda(args: argparse.Namespace) -> int:
    from adapter.services import MemberService

    settings = settings_from_env()
    try:
        use_tables_file(args.tables or settings.ccda_tables_file or None)
    except TablesError as exc:
        raise InvalidRequest(str(exc)) from None
    report_path = Path(args.report) if args.report else None
    if report_path is not None and not report_path.parent.is_dir():
        raise InvalidRequest(f"folder {report_path.parent} does not exist; create it first")
    quiet = getattr(args, "quiet", False)
    store = open_store(settings.database_url)
    try:
        intake = CcdaIntake(MemberService(store, settings), strict=args.strict)
        with Progress("ccda", len(args.documents), unit="documents", quiet=quiet) as progress:
            receipts = [intake.process_file(Path(p)) for p in progress.track(args.documents)]
    finally:
        store.close()
    for receipt in receipts:
        summarise(receipt)
    outcomes = [r.outcome for r in receipts]
    kinds = ("stored", "queued", "refused", "rejected")
    say("documents: " + ", ".join(f"{o} {outcomes.count(o)}" for o in kinds))
    counts = {"documents": len(receipts), **{o: outcomes.count(o) for o in kinds}}
    unmapped = sum(len(r.clinical_unmapped()) for r in receipts)
    report_summary("C-CDA documents", {**counts, "entries_not_mapped": unmapped}, quiet=quiet)
    if report_path is not None:
        body = {"documents": [r.as_json() for r in receipts]}
        report_path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r.ok for r in receipts) else 1


def summarise(receipt: CcdaReceipt) -> None:
    """Per document: outcome, what it carried, every problem and unmapped entry."""
    what = f" ({receipt.document_type} {receipt.document_id})" if receipt.document_type else ""
    who = f" member {receipt.member_id}" if receipt.member_id else ""
    queued = f" review {receipt.review_id}" if receipt.review_id else ""
    say(f"{receipt.source}{what}: {receipt.outcome}{who}{queued}")
    carried = ", ".join(f"{k} {n}" for k, n in receipt.carried.items() if n)
    if carried:
        say(f"  carried: {carried}")
    for problem in receipt.problems:
        where = " ".join(p for p in (problem.xpath, problem.field) if p)
        say(
            f"  {'error' if receipt.outcome in ('refused', 'rejected') else 'note'}: "
            f"{where + ': ' if where else ''}{problem.message}"
        )
    clinical = receipt.clinical_unmapped()
    say(
        f"  not mapped: {len(clinical)} entr{'y' if len(clinical) == 1 else 'ies'}"
        f" (+{len(receipt.unmapped) - len(clinical)} header notes)"
    )
    for item in receipt.unmapped:
        say(f"    {'entry' if item.clinical else 'note'}: {item.line()}")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
