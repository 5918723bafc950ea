"""Progress and summaries for long commands: plain lines off a terminal, silence when quiet."""

from __future__ import annotations

import io
import json

from adapter.progress import Progress, print_summary, report_summary


def test_plain_lines_show_count_share_rate_and_eta_off_a_terminal():
    stream = io.StringIO()
    with Progress("map", total=4, unit="members", stream=stream, interval=0) as progress:
        for _ in progress.track(range(2)):
            pass
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("map: 0/4 members (0%)")
    assert lines[1].startswith("map: 1/4 members (25%)")
    assert "members/s" in lines[1] and "ETA" in lines[1]
    assert lines[-1].startswith("map: 2/4 members (50%)")


def test_lines_are_spaced_by_the_interval():
    stream = io.StringIO()
    with Progress("load", unit="bundles", stream=stream, interval=3600) as progress:
        progress.advance(500)
    lines = stream.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == ["load: 0 bundles", "load: 500 bundles"]


def test_quiet_prints_nothing():
    stream = io.StringIO()
    with Progress("map", total=3, quiet=True, stream=stream) as progress:
        progress.advance(3)
    print_summary("Mapped", [("members", 3)], quiet=True, stream=stream)
    assert stream.getvalue() == ""
    assert progress.done == 3


def test_summary_is_a_table_with_thousands_separated():
    stream = io.StringIO()
    print_summary("Mapped", [("members", 20000), ("invalid", 0)], stream=stream)
    text = stream.getvalue()
    assert "Mapped" in text and "20,000" in text and "invalid" in text


def test_a_sized_collection_sets_the_total_when_none_was_given():
    stream = io.StringIO()
    with Progress("reevaluate", unit="members", stream=stream, interval=0) as progress:
        for _ in progress.track(["a", "b"]):
            pass
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("reevaluate: 0 members")
    assert lines[-1].startswith("reevaluate: 2/2 members (100%)")


def test_json_summary_goes_to_stdout_even_when_quiet():
    err, out = io.StringIO(), io.StringIO()
    counts = {"bundles_loaded": 2, "bundles_failed": 0}
    report_summary("Loaded", counts, summary_format="json", quiet=True, stream=err, out=out)
    assert json.loads(out.getvalue()) == counts and err.getvalue() == ""
    report_summary("Loaded", counts, stream=err, out=out)
    assert "bundles loaded" in err.getvalue()
