"""The Markdown board paper (`--format markdown`): a page a manager pastes unedited. The position
at a glance (cases overdue and due soon, the 20-week figure beside England's, the forecast,
backlog, data quality), the measures in plain English (DfE's field name only where DfE publishes
the figure), the duties by name, the team's load, and what the words mean. No personal data: no
children's names, UPNs, dates of birth, record or person ids, row numbers; caseworkers by name
only when asked (--include-personal-data)."""

from __future__ import annotations

import datetime as dt

from sendcheck.audit import Audit
from sendcheck.figures.caseload import UNALLOCATED
from sendcheck.figures.national import latest_twenty_weeks, national
from sendcheck.views.changes import markdown_lines
from sendcheck.views.files import display_name
from sendcheck.views.benchmark import markdown_section
from sendcheck.views.breakdowns import markdown_breakdowns
from sendcheck.views.findings import coverage_lines
from sendcheck.views.json import to_json_dict
from sendcheck.views.summary import (
    NOT_AVAILABLE,
    HEADLINE_ALL,
    HEADLINE_EX,
    TWENTY,
    caseload_rows,
    figure,
    headline_field,
)


def _cell(value: object) -> str:
    """Text from the data (a file or caseworker's name) made inert: Markdown's own backslash
    escapes, so `<` starts no HTML and `|` breaks no table, and the text reads as written when
    pasted as plain text (no `&lt;` entities)."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return "".join("\\" + ch if ch in "\\|<>&" else ch for ch in text)


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    return out + ["| " + " | ".join(_number(v) for v in r) + " |" for r in rows]


def _number(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


# DfE's own name for a figure, where DfE publishes one (domain/sen2.md): the 20-week figures and
# the 2025 companions. Every other measure is sendcheck's, and shows no field name.
DFE_FIELDS = {"final_plan_20w": "pc_plans_issued_20_weeks_ex",
              "decision_to_assess_6w": "request_outcome_six_weeks",
              "no_plan_decision_16w": "outcome_decision_within_time",
              "review_decisions_4w": "number_decsion_4weeks"}

# The rule families a board reads by, in the order of a case's life; codes by prefix.
FAMILIES = (("AS", "Assessment and the new plan"), ("RV", "Annual reviews and amendments"),
            ("PT", "Phase transfers"), ("RA", "Re-assessments"),
            ("TR", "Plans transferred in"), ("TO", "Tribunal orders"),
            ("UA", "Appeals conceded (unopposed)"), ("ME", "Mediation and its agreements"))
FAMILY_ONE_ROW = {"TO", "UA", "ME"}  # few cases each: one row for the family


def _day(text: str | dt.date) -> str:
    day = dt.date.fromisoformat(text) if isinstance(text, str) else text
    return f"{day.day} {day:%B %Y}"


def to_markdown(audit: Audit, named: bool = False) -> str:
    """The board paper: plain English names, definitions in words, counts only; caseworkers
    by name only when `named` (--include-personal-data), else the team's load in one line."""
    data = to_json_dict(audit)
    opts = audit.options
    as_of = opts.as_of
    out = [f"# SEND statutory timescales: position at {_day(as_of)}", ""]
    sources = [_cell(display_name(_name(t["path"])))
               + (f" (sheet {_cell(display_name(t['sheet']))})" if t["sheet"] else "")
               + f", {t['rows']:,} rows" for t in data["inputs"]
               if "reviews" not in data or t["path"] != data["reviews"]["path"]]
    if "reviews" in data:
        r = data["reviews"]
        sources.append(f"review history {_cell(display_name(_name(r['path'])))}, {r['rows']:,} "
                       f"rows ({r['matched']:,} matched to a case)")
    rows = data["rows"]
    out.append("Sources: " + "; ".join(sources) + f". Rows read {rows['read']:,}, checked "
               f"{rows['evaluated']:,}, set aside as blank or a footer {rows['rejected']:,}. "
               f"Made by sendcheck {data['sendcheck_version']}.")
    out += ["", "## At a glance", ""]
    skipped, absent = coverage_lines(audit)  # rules that did not run, before any count
    if skipped:
        out.append(f"- **{_cell(skipped)}**")
    if absent:
        out.append(f"- {_cell(absent)}")
    measures = data.get("measures") or {}
    load = data.get("caseload") or {}
    total = load.get("total") or {}
    soon_to = as_of + dt.timedelta(days=opts.due_within)
    if total:
        n = total["cases_overdue"]
        out.append(f"- **{_number(n)}** {'case is' if n == 1 else 'cases are'} overdue and "
                   f"**{_number(total['cases_due_soon'])}** more fall due by {_day(soon_to)}.")
    m20 = (measures.get("items") or {}).get(TWENTY) or {}
    v = m20.get("values") or {}
    if isinstance(v.get(HEADLINE_EX), (int, float)):
        period = m20["period"]
        out.append(f"- **{v[HEADLINE_EX]}%** of new EHC plans were issued within 20 weeks from "
                   f"{_day(period['start'])} to {_day(period['end'])} "
                   f"({v['plans_issued_20_weeks_ex']:,} of {v['plans_issued_den_ex']:,}, "
                   f"leaving out exception cases; {v[HEADLINE_ALL]}% counting them). "
                   f"{_england()}")
    elif m20:
        out.append(f"- 20-week figure: {m20.get('reason') or 'no plans issued in the period'}.")
    if audit.headline is not None and audit.headline.forecast is not None:
        from sendcheck.views.forecast import sentence

        line = sentence(audit.headline.forecast, audit.headline.suppress_below)
        if line:
            out.append(f"- {line}")
    backlog = data.get("backlog") or {}
    a, r = backlog.get("assessments"), backlog.get("reviews")
    parts = []
    if a:
        parts.append(f"**{_number(a['open_assessments'])}** assessments are open, "
                     f"{_number(a['past_20_weeks'])} of them past 20 weeks")
    if r:
        parts.append(f"**{_number(r['reviews_overdue'])}** annual reviews are overdue")
    if parts:
        out.append("- " + "; ".join(parts) + ".")
    dq = sorted((q for q in data["data_quality"] if q["findings"]), key=lambda q: -q["findings"])
    out.append(f"- **{sum(q['findings'] for q in dq):,}** entries need correcting in the "
               f"case-management system"
               + (", most often: " + ", ".join(f"{_check_words(q['name'])} ({q['findings']:,})"
                                             for q in dq[:3]) if dq else "") + ".")
    out += markdown_lines(audit)  # with --history: what changed since the last run
    if "benchmark" in data:
        out += markdown_section(data["benchmark"], _cell)

    if "breakdowns" in data:
        out += markdown_breakdowns(data["breakdowns"], _cell)
    items = measures.get("items") or {}
    if items:
        period = measures["period"]
        out += ["", f"## Measures, {_day(period['start'])} to {_day(period['end'])}", ""]
        table = []
        for key, m in items.items():
            field = headline_field(m)
            if field is None:
                table.append([m["title"], m["reason"] or "no figures", "", ""])
                continue
            value, of = figure(m, field)
            table.append([m["title"], value, of, f"`{DFE_FIELDS[key]}`" if key in DFE_FIELDS
                          else ""])
        out += _table(["Measure", "Figure", "Out of", "DfE's name"], table)

    out += ["", "## Overdue and due soon, by duty", ""]
    out += _table(["Duty (rule)", "Overdue", f"Due in {opts.due_within} days", "Missed"],
                  _duty_rows(audit, data["summary"]))
    skipped = [f"{i['code']} (missing {', '.join(i['skipped'])})" for i in data["rules"]
               if i["skipped"]]
    if skipped:
        out += ["", "Not checked, for lack of columns: " + "; ".join(skipped) + "."]

    if load.get("caseworkers"):
        out += ["", "## Caseload", ""]
        t = load["thresholds"]
        staff = [c for c in load["caseworkers"] if c["caseworker"] != UNALLOCATED]
        over = [c for c in staff if c.get("over_plans") or c.get("over_assessments")]
        none = next((c for c in load["caseworkers"] if c["caseworker"] == UNALLOCATED), None)
        out.append(f"{len(staff):,} caseworkers hold {_number(total['plans_in_force'])} plans and "
                   f"{_number(total['open_assessments'])} open assessments; {len(over):,} of "
                   f"them are above the benchmark of {t['plans_per_caseworker']} plans or "
                   f"{t['assessments_per_caseworker']} open assessments each (one council's "
                   f"figure; there is no official one)."
                   + (f" {_number(none['cases_overdue'])} overdue cases have no caseworker."
                      if none and none["cases_overdue"] else ""))
        if named:
            out += [""] + _table(["Caseworker", "Plans", "Open assessments", "Cases overdue",
                                  "Cases due soon", "Above benchmark"],
                                 [[_cell(r[0]), *r[1:]] for r in caseload_rows(load, "Total")])
    if "suppressed" in data:
        out += ["", (f"{len(data['suppressed']):,} findings are set aside in sendcheck.toml "
                     f"(investigated; not counted above as open); "
                     f"{len(data['suppressions_unmatched'])} of those notes match nothing.")]
    out += ["", "## What the words mean", ""] + _definitions(audit, measures)
    return "\n".join(out) + "\n"


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


CHECK_WORDS = {"unreadable-date": "dates that cannot be read",
               "dates-out-of-order": "dates in an impossible order",
               "date-after-as-of": "dates in the future",
               "duplicate-record-id": "the same case twice",
               "open-case-no-caseworker": "open cases with no caseworker"}


def _check_words(name: str) -> str:
    """A data-quality check's name in words ("unreadable-date": "dates that cannot be read")."""
    return CHECK_WORDS.get(name, name.replace("-", " "))


def _england() -> str:
    y = latest_twenty_weeks()
    return (f"England: {y['pc_plans_issued_20_weeks_ex']}% for plans issued in calendar year "
            f"{y['year']} ({y['plans_issued_20_weeks_ex']:,} of {y['plans_issued_den_ex']:,}; "
            f"DfE, {y['release']}).")


def _duty_rows(audit: Audit, summary: dict) -> list[list[object]]:
    """One row per rule with anything overdue, due soon or missed, named by its title; the
    small families (Tribunal orders, conceded appeals, mediation) one row each."""
    titles = {code: r.title for code, r in audit.rules.items()}
    rows = []
    for prefix, family in FAMILIES:
        codes = [c for c in summary if c.startswith(prefix)]
        counts = [summary[c] for c in codes]
        if prefix in FAMILY_ONE_ROW:
            if any(c["overdue"] or c["due_soon"] or c["missed"] for c in counts):
                rows.append([f"{family} ({codes[0]}-{codes[-1]})",
                             *(sum(c[k] for c in counts) for k in ("overdue", "due_soon",
                                                                    "missed"))])
            continue
        rows += [[f"{titles.get(code, code)} ({code})", c["overdue"], c["due_soon"], c["missed"]]
                 for code, c in zip(codes, counts) if c["overdue"] or c["due_soon"] or c["missed"]]
    return rows


def _definitions(audit: Audit, measures: dict) -> list[str]:
    days = audit.options.due_within
    out = [
        "- **Case**: one request for an EHC needs assessment and everything that followed it "
        "(the assessment, the plan, its reviews). A case is counted once however many duties "
        "in it are late.",
        f"- **Overdue**: a duty not yet done whose time limit has passed. **Due soon**: not yet "
        f"done, due in the next {days} days. **Missed**: never done, and no longer can be (the "
        f"plan ceased or the case left) after its time limit passed.",
        "- **Within 20 weeks**: the final plan issued no more than 140 days after the request "
        "was received, counted as DfE counts it.",
        "- **Exception cases**: where the law allows more time (a school closure, the family's "
        "exceptional circumstances or absence). DfE's headline figure leaves them out.",
    ]
    period = measures.get("period")
    if period:
        out.append(f"- **The period**: the measures count what was done between "
                   f"{_day(period['start'])} and {_day(period['end'])}; England's figure is "
                   f"for a calendar year, so the two overlap but are not the same months.")
    n = national()
    out.append(f"- **England**: {n['source']}, {n['url']}.")
    out.append("- **Entries to correct**: dates that cannot be read, are in an impossible "
               "order or lie in the future, duplicate rows and missing caseworkers; each is "
               "listed with its row in the workbook report.")
    return out


def _figure(field: str, value: object) -> str:
    """A figure of the caseload or trend: percentages (pc_ fields) are 0-100, not fractions."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" + ("%" if field.startswith("pc_") else "")
    return _cell(_number(value))


def caseload_markdown(section: dict) -> str:
    """`sendcheck caseload --format markdown`: the load per caseworker as one table, the
    definition and benchmark as notes at the end."""
    from sendcheck.figures.labels import field_label

    as_of = dt.date.fromisoformat(section["as_of"])
    out = [f"# Caseload per caseworker at {as_of:%d/%m/%Y}", ""]
    if section.get("reason"):
        return "\n".join(out + [f"Caseload {section['reason']}."]) + "\n"
    t = section["thresholds"]
    keys = [k for k in ("caseworker", "role", "fte", "plans_in_force", "plans_per_fte",
                        "open_assessments", "assessments_per_fte", "reviews_due_next",
                        "cases_overdue", "cases_due_soon")
            if any(k in r for r in section["caseworkers"])]
    headers = [f"Reviews due in the next {t['review_weeks']} weeks" if k == "reviews_due_next"
               else field_label(k) for k in keys] + ["Above the benchmark"]
    gone = section.get("not_available") or {}

    def cell(key: str, value: object) -> str:  # a count the export lacks a column for
        return NOT_AVAILABLE if key in gone else _figure(key, value)

    rows = []
    for r in section["caseworkers"]:
        above = [what for what, k in (("plans", "over_plans"), ("assessments", "over_assessments"))
                 if r.get(k)]
        rows.append([cell(k, r.get(k)) for k in keys] + [", ".join(above) or "no"])
    total = {**section["total"], "caseworker": f"All caseworkers ({section['total']['caseworkers']})"}
    rows.append([cell(k, total.get(k)) for k in keys] + [""])
    out += _table(headers, rows)
    out += ["", f"_Definition: {_cell(section['definition'])}._", "",
            f"_Benchmark: {t['plans_per_caseworker']} plans and {t['assessments_per_caseworker']} "
            f"open assessments, compared {t['compared']}; {_cell(t['source'])}._"]
    return "\n".join(out) + "\n"


def trend_markdown(as_of: dt.date, series: list[dict], definitions: dict[str, str]) -> str:
    """`sendcheck trend --format markdown`: one row per month, each column's definition once,
    as notes at the end."""
    from sendcheck.figures.labels import field_label

    out = [f"# Month by month to {as_of:%d/%m/%Y}", ""]
    rows = [[r["month"] + (" (to the as-of date)" if r["partial"] else ""),
             *[_figure(f, r[f]) for f in definitions]] for r in series]
    out += _table(["Month", *[field_label(f) for f in definitions]], rows)
    out += ["", "Notes:", ""]
    out += [f"- {field_label(f)} (`{f}`): {_cell(text)}." for f, text in definitions.items()]
    return "\n".join(out) + "\n"
