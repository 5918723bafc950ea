"""REPORT as an HTML page: self-contained, accessible, every chart with a table, text escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from adapter.reports import compute_report, to_html
from tests.reports.dataset import MEMBERS, OFFERS, Q2_END, Q2_START


@pytest.fixture(scope="module")
def page():
    return to_html(compute_report(MEMBERS, OFFERS, Q2_START, Q2_END))


class Outline(HTMLParser):
    """Tags, headings and attributes of a page, checked for balance as it goes."""

    VOID = frozenset({"meta", "rect", "line", "br", "img", "link"})

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.headings, self.attrs = [], [], [], []
        self._heading = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag in ("h1", "h2"):
            self._heading = ""

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag in ("h1", "h2"):
            self.headings.append(self._heading)
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data


def outline(page):
    parser = Outline()
    parser.feed(page)
    parser.close()
    assert parser.stack == [], "unclosed elements"
    return parser


def test_report_html_is_well_formed_with_its_sections(page):
    parsed = outline(page)
    assert parsed.headings == [
        "LTS-C offers and uptake, 2026-04-01 to 2026-06-30",
        "Summary",
        "Offers over time",
        "Uptake by CBO type",
        "Days from enrollment to first offer",
        "Overdue offers by member",
        "Breakdowns",
    ]
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page


def test_report_html_has_three_labelled_svg_charts_each_with_a_table(page):
    parsed = outline(page)
    assert parsed.tags.count("svg") == 3
    for chart in ("chart-offers-over-time", "chart-uptake-by-cbo-type", "chart-days-to-offer"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in page
    assert parsed.tags.count("table") >= 4
    assert "<caption>Offers by month</caption>" in page
    assert "<caption>Uptake by CBO type</caption>" in page
    assert "<caption>Days to first offer</caption>" in page


def test_report_html_needs_no_script_or_external_asset(page):
    parsed = outline(page)
    assert "script" not in parsed.tags
    assert not [v for k, v in parsed.attrs if k in ("src", "href")]
    assert "@import" not in page and "url(" not in page


def test_report_html_shows_hand_computed_figures(page):
    # tests/reports/dataset.py: uptake 2 of 3, OFFER-90 2 of 4, median 61 days, p90 97 days.
    assert "<td>66.7%</td>" in page
    assert "<td>50.0%</td>" in page
    assert "<td>61 days</td>" in page
    assert "<td>97 days</td>" in page
    # The month table: June had 1 due, 2 made, 0 accepted.
    assert re.search(r'<th scope="row">2026-06</th><td class="n">1</td><td class="n">2</td>'
                     r'<td class="n">0</td>', page)  # fmt: skip


def test_choice_html_absent_rate_reads_not_available(page):
    # "other" appears only in O5, still pending.
    assert '<th scope="row">other</th><td class="n">0</td><td class="n">0</td>' in page
    assert "<td>not available</td>" in page


def test_report_html_escapes_text_from_the_data():
    hostile = "<script>alert(1)</script>"
    members = [dict(m, plan_id=hostile) for m in MEMBERS]
    offers = [dict(o, plan_id=hostile, rating_category="C3&<b>") for o in OFFERS]
    page = to_html(compute_report(members, offers, Q2_START, Q2_END, plan_id=hostile))
    assert hostile not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "C3&amp;&lt;b&gt;" in page
    outline(page)


def test_report_html_names_each_overdue_member_with_the_days_overdue(page):
    start = page.index('id="overdue-members"')
    section = page[start : page.index("</section>", start)]
    assert "Days overdue" in section
    assert "<td" in section or "No member has an offer open past its due date" in section
