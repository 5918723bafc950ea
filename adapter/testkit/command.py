"""`ltsc-adapter check-server URL`: run the conformance script and print a pass/fail report."""

from __future__ import annotations

import argparse
import sys

from adapter.testkit.client import FhirClient, ServerUnreachable
from adapter.testkit.conformance import run_checks
from adapter.testkit.results import json_report, text_report
from adapter.testkit.scenarios import load_scenario_bundles

EXIT_PASSED, EXIT_FAILED, EXIT_UNREACHABLE = 0, 1, 2


def run_check_server(args: argparse.Namespace) -> int:
    client = FhirClient(args.url, token=args.token)
    try:
        results = run_checks(client, load_scenario_bundles())
    except ServerUnreachable as exc:
        sys.stderr.write(
            f"error: cannot reach the FHIR server ({exc}).\n"
            "Check the URL (the FHIR base, e.g. http://127.0.0.1:8080/fhir) and that the server "
            "is running.\n"
        )
        return EXIT_UNREACHABLE
    finally:
        client.close()
    render = json_report if args.output == "json" else text_report
    sys.stdout.write(render(client.base_url, results))
    return EXIT_FAILED if any(r.failed for r in results) else EXIT_PASSED
