"""to_html: the report as one self-contained, accessible page with inline SVG charts."""

from __future__ import annotations

from html import escape
from typing import Any

from adapter.reports.charts import Chart, bar_chart
from adapter.reports.figures import SCORE_UNITS, group_spec
from adapter.reports.rows import CBO_TYPES
from adapter.reports.vocabulary import MEASURE_URL, display

STYLE = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}
th,td{border:1px solid #999;padding:0.25rem 0.5rem;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:0.25rem 0}
figure{margin:0.5rem 0}svg{max-width:100%;height:auto}
"""


def to_html(report: dict[str, Any]) -> str:
    """The whole page; every text from the data is escaped."""
    title = f"LTS-C offers and uptake, {_period_text(report)}"
    sections = [
        _summary(report["groups"]),
        _offers_over_time(report["offers_by_month"]),
        _uptake_by_cbo_type(report["groups"]["uptake"]),
        _days_to_offer(report["days_to_offer_bins"]),
        _overdue_members(report.get("overdue_members") or []),
        _breakdowns(report["groups"]),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>{escape(title)}</h1><p>{escape(_scope_text(report))}</p></header>\n"
        "<main>\n" + "\n".join(sections) + "\n</main>\n"
        f"<footer><p>Measure: {escape(MEASURE_URL)}. Rule ids: REPORT, OFFER-90, AVAIL-ASSESS, "
        "CHOICE, CHOICE-TWO.</p></footer>\n</body>\n</html>\n"
    )


def _period_text(report: dict[str, Any]) -> str:
    return f"{report['period']['start']} to {report['period']['end']}"


def _scope_text(report: dict[str, Any]) -> str:
    plan = report.get("plan_id")
    return f"Plan {plan}." if plan else "All plans in the input."


def format_score(group: str, score: float | None) -> str:
    if score is None:
        return "not available"
    unit = SCORE_UNITS[group_spec(group).score or ""]
    return f"{score * 100:.1f}%" if unit == "ratio" else f"{score:g} days"


def _section(section_id: str, heading: str, body: str) -> str:
    return (
        f'<section aria-labelledby="{section_id}">'
        f'<h2 id="{section_id}">{escape(heading)}</h2>\n{body}</section>'
    )


def _table(caption: str, header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + f'<th scope="row">{escape(str(row[0]))}</th>' + "".join(_cell(v) for v in row[1:])
        + "</tr>"
        for row in rows
    )  # fmt: skip
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>\n"
    )


def _cell(value: Any) -> str:
    numeric = isinstance(value, int | float)
    return f'<td class="n">{value}</td>' if numeric else f"<td>{escape(str(value))}</td>"


def _summary(groups: dict[str, Any]) -> str:
    """Each count once (median and p90 share theirs); a score is named after its group."""
    rows: list[list[Any]] = []
    shown: set[str] = set()
    for code, group in groups.items():
        for name, count in group["populations"].items():
            if name not in shown:
                rows.append([display(name), count])
                shown.add(name)
        if group_spec(code).score:
            rows.append([display(code), format_score(code, group["score"])])
    table = _table("Figures for the period", ["Figure", "Value"], rows)
    return _section("summary", "Summary", table)


def _overdue_members(overdue: list[dict[str, Any]]) -> str:
    """REPORT: each member with offers open past due, and by how many days."""
    if not overdue:
        body = "<p>No member has an offer open past its due date.</p>\n"
    else:
        rows = [[m["member_id"], m["offers_overdue"], m["days_overdue"]] for m in overdue]
        body = _table(
            "Members with offers open past due at the end of the period, most overdue first",
            ["Member", "Offers overdue", "Days overdue"],
            rows,
        )
    return _section("overdue-members", "Overdue offers by member", body)


def _offers_over_time(months: list[dict[str, Any]]) -> str:
    labels = [m["month"] for m in months]
    chart = Chart(
        "chart-offers-over-time",
        "Offers over time",
        "LTS-C offers due, made, and made then accepted, by month of the period.",
        labels,
        [(name, [m[key] for m in months]) for key, name in _MONTH_SERIES],
    )
    rows = [[m["month"], m["due"], m["made"], m["accepted"]] for m in months]
    table = _table("Offers by month", ["Month", *(n for _, n in _MONTH_SERIES)], rows)
    return _section("offers-over-time", "Offers over time", _figure(chart) + table)


_MONTH_SERIES = (("due", "Due"), ("made", "Made"), ("accepted", "Made and accepted"))


def _uptake_by_cbo_type(uptake: dict[str, Any]) -> str:
    strata = uptake["strata"].get("cbo-type", {})
    types = [t for t in CBO_TYPES if t in strata] + [t for t in strata if t not in CBO_TYPES]
    chart = Chart(
        "chart-uptake-by-cbo-type",
        "Uptake by CBO type",
        "Of the decided offers naming a CBO type, the share where the member chose that type.",
        types,
        [("Uptake", [_percent(strata[t]["score"]) for t in types])],
        value_label="{:g}%",
        maximum=100,
    )
    rows = [
        [t, strata[t]["populations"]["offers-decided"], strata[t]["populations"]["accepted"],
         format_score("uptake", strata[t]["score"])]
        for t in types
    ]  # fmt: skip
    header = ["CBO type", "Offers with an outcome", "Accepted this type", "Uptake"]
    table = _table("Uptake by CBO type", header, rows)
    return _section("uptake-by-cbo-type", "Uptake by CBO type", _figure(chart) + table)


def _percent(score: float | None) -> float | None:
    return None if score is None else round(score * 100, 1)


def _days_to_offer(bins: list[dict[str, Any]]) -> str:
    chart = Chart(
        "chart-days-to-offer",
        "Days from enrollment to first offer",
        "Enrollments whose first LTS-C offer was made in the period, by days waited.",
        [b["label"] for b in bins],
        [("Enrollments", [b["members"] for b in bins])],
    )
    rows = [[b["label"], b["members"]] for b in bins]
    table = _table("Days to first offer", ["Days", "Enrollments"], rows)
    return _section("days-to-offer", "Days from enrollment to first offer", _figure(chart) + table)


def _figure(chart: Chart) -> str:
    caption = f"<figcaption>{escape(chart.description)}</figcaption>"
    return f"<figure>{bar_chart(chart)}{caption}</figure>\n"


def _breakdowns(groups: dict[str, Any]) -> str:
    tables = [_breakdown(code, group) for code, group in groups.items() if group["strata"]]
    return _section("breakdowns", "Breakdowns", "".join(tables))


def _breakdown(code: str, group: dict[str, Any]) -> str:
    names = list(group["populations"])
    scored = bool(group_spec(code).score)
    header = ["Stratum", *(display(n) for n in names), *(["Score"] if scored else [])]
    rows = [
        [f"{display(stratifier)}: {value}", *(m["populations"][n] for n in names),
         *([format_score(code, m["score"])] if scored else [])]
        for stratifier, strata in group["strata"].items()
        for value, m in strata.items()
    ]  # fmt: skip
    return _table(display(code), header, rows)
