"""The one command-line entry point: `ltsc-adapter <command>`.

Each command's work lives in its package (`adapter.<package>.command`); this module only
declares the arguments and dispatches, importing a package when its command runs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from adapter import __version__
from adapter.errors import AdapterError
from adapter.progress import add_quiet_argument, add_summary_format_argument


def _run_map(args: argparse.Namespace) -> int:
    from adapter.mapping.command import run_map

    return run_map(args)


def _run_validate(args: argparse.Namespace) -> int:
    from adapter.validation.command import run_validate

    return run_validate(args)


def _run_snapshot(args: argparse.Namespace) -> int:
    from adapter.validation.command import run_snapshot

    return run_snapshot(args)


def _run_package(args: argparse.Namespace) -> int:
    from adapter.conformance.package import run_package

    return run_package(args)


def _run_generate(args: argparse.Namespace) -> int:
    from adapter.records.command import run_generate

    return run_generate(args)


def _run_serve(args: argparse.Namespace) -> int:
    from adapter.api.command import run_serve

    return run_serve(args)


def _run_load(args: argparse.Namespace) -> int:
    from adapter.services.load_command import run_load

    return run_load(args)


def _run_compliance(args: argparse.Namespace) -> int:
    from adapter.rules.command import run_compliance

    return run_compliance(args)


def _run_report(args: argparse.Namespace) -> int:
    from adapter.reports.command import run_report

    return run_report(args)


def _run_ingest(args: argparse.Namespace) -> int:
    from adapter.services.command import run_ingest

    return run_ingest(args)


def _run_reevaluate(args: argparse.Namespace) -> int:
    from adapter.services.command import run_reevaluate

    return run_reevaluate(args)


def _run_migrate(args: argparse.Namespace) -> int:
    from adapter.store.migrate import run_migrate

    return run_migrate(args)


def _run_worker(args: argparse.Namespace) -> int:
    from adapter.exchange.command import run_worker

    return run_worker(args)


def _run_outbox(args: argparse.Namespace) -> int:
    from adapter.exchange.command import run_outbox

    return run_outbox(args)


def _run_mllp(args: argparse.Namespace) -> int:
    from adapter.intake.command import run_mllp

    return run_mllp(args)


def _run_ccda(args: argparse.Namespace) -> int:
    from adapter.intake.ccda_command import run_ccda

    return run_ccda(args)


def _run_check_server(args: argparse.Namespace) -> int:
    from adapter.testkit.command import run_check_server

    return run_check_server(args)


def _run_clients(args: argparse.Namespace) -> int:
    from adapter.security.clients_command import run_clients

    return run_clients(args)


def _run_token(args: argparse.Namespace) -> int:
    from adapter.security.command import run_token

    return run_token(args)


AS_OF_HELP = "evaluate the rules as of this date (default: the export's generated_at)"
MODEL_CHECK_HELP = "also check every resource with the fhir.resources R4B models (slower)"
JOBS_HELP = "worker processes (default: one per core); output is the same for any N"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ltsc-adapter",
        description="One Care plan records to FHIR R4 care plans with LTS-C participation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace], int], text: str):
        p = sub.add_parser(name, help=text, description=text)
        p.set_defaults(handler=handler)
        return p

    p = add("map", _run_map, "Map plan exports (JSON, NDJSON, CSV folder) to FHIR Bundles.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="export file or CSV folder")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    p.add_argument("--format", choices=("json", "ndjson", "xml"), default="json")
    p.add_argument("--no-validate", action="store_true", help="skip profile validation")
    p.add_argument("--model-check", action="store_true", help=MODEL_CHECK_HELP)
    p.add_argument("--as-of", metavar="DATE", help=AS_OF_HELP)
    p.add_argument("-j", "--jobs", type=_positive, metavar="N", help=JOBS_HELP)
    add_summary_format_argument(p, "--summary")  # -o/--output names the folder here
    add_quiet_argument(p)

    p = add("validate", _run_validate, "Validate FHIR JSON, NDJSON or XML against profiles.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--profile", action="append", default=[], metavar="URL")
    p.add_argument("--ig", action="append", default=[], metavar="PATH")
    p.add_argument("--output", choices=("text", "json"), default="text")
    add_quiet_argument(p)

    p = add("snapshot", _run_snapshot, "Generate profile snapshots from their differentials.")
    p.add_argument("--check", action="store_true", help="fail if committed snapshots are stale")

    p = add("package", _run_package, "Write our FHIR package (.tgz) of profiles and terminology.")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR")

    p = add("generate", _run_generate, "Generate a synthetic plan export of N members.")
    p.add_argument("--members", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--format", choices=("json", "ndjson", "csv"), default="json")
    add_summary_format_argument(p, "--summary")  # -o/--output names the file here
    add_quiet_argument(p)

    p = add("serve", _run_serve, "Run the FHIR REST service.")
    p.add_argument("--load-samples", action="store_true", help="load the bundled samples first")
    p.add_argument("--dev", action="store_true", help="Flask's development server, one process")

    p = add(
        "load", _run_load, "Load mapped Bundles (JSON, NDJSON or XML) through the member service."
    )
    p.add_argument("bundles", nargs="+", metavar="BUNDLE")
    add_summary_format_argument(p)
    add_quiet_argument(p)

    p = add("compliance", _run_compliance, "Show LTS-C offer compliance per member.")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("--as-of", metavar="DATE", help=AS_OF_HELP)
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    add_quiet_argument(p)

    p = add("report", _run_report, "Report LTS-C offers and uptake for a period (REPORT).")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="plan export file or CSV folder")
    p.add_argument("--from", dest="period_start", required=True, metavar="DATE")
    p.add_argument("--to", dest="period_end", required=True, metavar="DATE")
    p.add_argument("--plan", metavar="PLAN_ID", help="only this plan's members")
    p.add_argument("--as-of", metavar="DATE", help=AS_OF_HELP)
    p.add_argument("--format", choices=("json", "csv", "html"), default="json")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    add_quiet_argument(p)

    p = add("ingest", _run_ingest, "Store plan exports as member records and their FHIR resources.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="plan export file or CSV folder")
    p.add_argument("--as-of", metavar="DATE", help=AS_OF_HELP)
    p.add_argument("-j", "--jobs", type=_positive, metavar="N", help=JOBS_HELP)
    add_summary_format_argument(p, "--summary")
    add_quiet_argument(p)

    text = "Re-run the rules for every stored member as of a day (due dates pass with no event)."
    p = add("reevaluate", _run_reevaluate, text)
    p.add_argument("--as-of", metavar="DATE", help="the day to evaluate as of (default: today)")
    add_summary_format_argument(p)
    add_quiet_argument(p)

    p = add("migrate", _run_migrate, "Bring the database schema to the latest revision.")
    p.add_argument("--check", action="store_true", help="only report; exit 1 unless at head")

    p = add("worker", _run_worker, "Deliver queued changes to partner FHIR servers.")
    p.add_argument("--once", action="store_true", help="drain what is due, then exit")
    p.add_argument("--partners", metavar="FILE", help="partner registry (YAML)")

    p = add("outbox", _run_outbox, "List or retry outbound deliveries.")
    p.add_argument("action", choices=("list", "retry"))
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--state", help="only deliveries in this state (e.g. dead)")
    add_quiet_argument(p)

    p = add("mllp", _run_mllp, "Receive HL7 v2 ADT messages over MLLP and apply them.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2575)

    p = add("ccda", _run_ccda, "Apply C-CDA documents to known members (partial updates).")
    p.add_argument("documents", nargs="+", metavar="DOCUMENT", help="C-CDA XML file")
    p.add_argument("--strict", action="store_true", help="refuse documents with unmapped entries")
    p.add_argument("--report", metavar="FILE", help="write a JSON report of every document")
    p.add_argument("--tables", metavar="FILE", help="the plan's C-CDA tables (id roots, codes)")
    add_quiet_argument(p)

    p = add("token", _run_token, "Print a development bearer token signed by the local dev key.")
    p.add_argument("--client", required=True, metavar="CLIENT_ID")
    p.add_argument("--scope", action="append", default=[], metavar="SCOPE")
    p.add_argument("--minutes", type=int, default=60)

    p = add("clients", _run_clients, "Register, list or disable clients of /auth/token.")
    p.add_argument("action", choices=("add", "list", "disable", "enable", "rotate-key"))
    p.add_argument("client_id", nargs="?", metavar="CLIENT_ID")
    p.add_argument("--org-kind", help="plan | cbo | ehr | auditor | admin")
    p.add_argument("--org-id", help="the plan_id or cbo_id the client acts for")
    p.add_argument("--staff-id", help="a CBO client acting for one LTS-C")
    p.add_argument("--scope", action="append", default=[], metavar="SCOPE")
    p.add_argument("--jwks", metavar="FILE", help="the client's public JWKS (JSON file)")
    p.add_argument("--jwks-url", metavar="URL", help="where the client publishes its JWKS")
    add_quiet_argument(p)

    p = add("check-server", _run_check_server, "Check a FHIR server against our profiles.")
    p.add_argument("url", metavar="URL", help="the server's FHIR base URL")
    p.add_argument("--token", help="bearer token to send")
    p.add_argument("--output", choices=("text", "json"), default="text")
    return parser


# Arguments naming files or folders a command reads: each must exist before it starts.
INPUT_ARGUMENTS = ("inputs", "files", "bundles", "partners", "ig", "documents", "tables", "jwks")


def missing_input(args: argparse.Namespace) -> str | None:
    for name in INPUT_ARGUMENTS:
        value = getattr(args, name, None)
        for path in value if isinstance(value, list) else [value]:
            if isinstance(path, str) and path and not Path(path).exists():
                return path
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    missing = missing_input(args)
    if missing is not None:
        print(f"error: {missing}: no such file or folder", file=sys.stderr)
        return 2
    try:
        return args.handler(args)
    except AdapterError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:  # a path that cannot be read or written, a refused connection
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: one line for the user, the details in the debug log
        logging.getLogger(__name__).debug("command failed", exc_info=True)
        print(f"error: the command failed unexpectedly ({type(exc).__name__})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
