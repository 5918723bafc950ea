"""`python -m tests.bulkclient BASE --token T --out DIR [--path $export] [--param k=v ...]`

Follows the Bulk Data Access 2.0 flow with plain HTTP: kick-off with `Prefer: respond-async`,
poll the Content-Location honouring Retry-After, download every output file with the same
bearer token, write them to DIR, and print the manifest's `{type: count}` as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import requests

POLL_LIMIT_S = 120


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bulkclient")
    parser.add_argument("base")
    parser.add_argument("--token", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--path", default="$export")
    parser.add_argument("--param", action="append", default=[])
    args = parser.parse_args(argv)
    auth = {"Authorization": f"Bearer {args.token}"}
    params = [tuple(p.split("=", 1)) for p in args.param]
    kick = requests.get(
        f"{args.base}/{args.path}",
        params=params,
        headers={**auth, "Accept": "application/fhir+json", "Prefer": "respond-async"},
        timeout=30,
    )
    if kick.status_code != 202:
        sys.stderr.write(f"kick-off refused: {kick.status_code} {kick.text}\n")
        return 1
    status_url = kick.headers["Content-Location"]
    deadline = time.monotonic() + POLL_LIMIT_S
    while True:
        status = requests.get(status_url, headers=auth, timeout=30)
        if status.status_code == 200:
            break
        if status.status_code != 202 or time.monotonic() > deadline:
            sys.stderr.write(f"export failed: {status.status_code} {status.text}\n")
            return 1
        time.sleep(float(status.headers.get("Retry-After", "1")))
    manifest = status.json()
    args.out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for number, item in enumerate(manifest["output"]):
        headers = {**auth, "Accept": "application/fhir+ndjson"}
        with requests.get(item["url"], headers=headers, stream=True, timeout=60) as download:
            download.raise_for_status()
            target = args.out / f"{number:03d}-{item['type']}.ndjson"
            with target.open("wb") as handle:
                for chunk in download.iter_content(65536):
                    handle.write(chunk)
        with target.open("rb") as handle:
            lines = sum(1 for line in handle if line.strip())
        counts[item["type"]] = counts.get(item["type"], 0) + lines
    requests.delete(status_url, headers=auth, timeout=30)  # done: the server may drop the files
    sys.stdout.write(json.dumps({"transactionTime": manifest["transactionTime"], "counts": counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
