"""The Markdown summary (`--format markdown`): a page for a board paper or an e-mail. The position
at a glance (the 20-week figure beside England's, cases overdue and due soon, backlog, data
quality), the measures with DfE's field names, findings by rule, the caseworkers' load, and each
definition once, as numbered notes at the end. No personal data: no names of children, UPNs,
dates of birth, record or person ids, no row numbers."""

from __future__ import annotations

import datetime as dt

from sendcheck.audit import Audit
from sendcheck.figures.national import national
from sendcheck.views.changes import markdown_lines
from sendcheck.views.files import display_name
from sendcheck.views.benchmark import markdown_section
from sendcheck.views.breakdowns import markdown_breakdowns
from sendcheck.views.findings import coverage_lines
from sendcheck.views.json import to_json_dict
from sendcheck.views.summary import (
    NOT_AVAILABLE,
    caseload_rows,
    figure,
    headline_field,
    national_line,
    twenty_weeks,
)


def _cell(value: object) -> str:
    """A table cell: pipes and line breaks would break the Markdown table; `<` would start HTML."""
    text = "" if value is None else str(value)
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
            .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    return out + ["| " + " | ".join(_cell(_number(v)) for v in r) + " |" for r in rows]


def _number(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


class Notes:
    """Numbered notes: each text once, referred to by its number."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def ref(self, text: str) -> str:
        if text not in self.texts:
            self.texts.append(text)
        return f"[{self.texts.index(text) + 1}]"

    def lines(self) -> list[str]:
        return [f"{i}. {_cell(t)}" for i, t in enumerate(self.texts, start=1)]


def to_markdown(audit: Audit) -> str:
    data = to_json_dict(audit)
    notes = Notes()
    as_of = audit.options.as_of
    out = [f"# SEND statutory timescales: position at {as_of.strftime('%d/%m/%Y')}"]
    sources = [_cell(display_name(_name(t["path"])))
               + (f" (sheet {_cell(display_name(t['sheet']))})" if t["sheet"] else "")
               + f", {t['rows']:,} rows" for t in data["inputs"]]
    if "reviews" in data:
        r = data["reviews"]
        sources.append(f"review history {_cell(display_name(_name(r['path'])))}, {r['rows']:,} rows "
                       f"({r['matched']:,} matched)")
    rows = data["rows"]
    out.append("- Sources: " + "; ".join(sources) + f". Rows read {rows['read']:,}, evaluated "
               f"{rows['evaluated']:,}, rejected (blank or footer) {rows['rejected']:,}; sendcheck "
               f"{data['sendcheck_version']}")
    out += ["", "## At a glance"]
    skipped, absent = coverage_lines(audit)  # rules that did not run, before any count
    if skipped:
        out.append(f"- **{_cell(skipped)}**")
    if absent:
        out.append(f"- {_cell(absent)}")
    measures = data.get("measures") or {}
    twenty = twenty_weeks(measures)
    if twenty:
        out.append(f"- **{twenty['text']}**, {twenty['period']} "
                   f"{notes.ref(twenty['definition'])}. "
                   f"{national_line()} {notes.ref(_national_note())}")
    load = data.get("caseload") or {}
    total = load.get("total") or {}
    if total:
        out.append(f"- **{_number(total['cases_overdue'])}** cases overdue and "
                   f"**{_number(total['cases_due_soon'])}** due within "
                   f"{audit.options.due_within} days "
                   f"{notes.ref(load['definition'])}")
    backlog = data.get("backlog") or {}
    a, r = backlog.get("assessments"), backlog.get("reviews")
    if a or r:
        parts = []
        if a:
            parts.append(f"**{_number(a['open_assessments'])}** open assessments, "
                         f"{_number(a['past_20_weeks'])} waiting more than 20 weeks")
        if r:
            parts.append(f"**{_number(r['reviews_overdue'])}** annual reviews overdue")
        out.append("- " + "; ".join(parts) + f" {notes.ref(backlog['definition'])}")
    dq = sorted((q for q in data["data_quality"] if q["findings"]), key=lambda q: -q["findings"])
    out.append(f"- **{sum(q['findings'] for q in dq):,}** data-quality findings"
               + (": " + ", ".join(f"{q['check']} {q['name']} {q['findings']:,}" for q in dq[:3])
                  if dq else ""))
    out += markdown_lines(audit)  # with --history: what changed since the last run
    if "benchmark" in data:
        out += markdown_section(data["benchmark"], _cell)

    if "breakdowns" in data:
        out += markdown_breakdowns(data["breakdowns"], _cell)
    items = measures.get("items") or {}
    if items:
        period = measures["period"]
        out += ["", f"## Measures, {period['start']} to {period['end']} ({period['label']})"]
        table = []
        for m in items.values():
            field = headline_field(m)
            if field is None:
                table.append([m["title"], "", m["reason"] or "no figures", "",
                              notes.ref(m["definition"])])
                continue
            value, of = figure(m, field)
            table.append([m["title"], f"`{field}`", value, of, notes.ref(m["definition"])])
        out += _table(["Measure", "DfE field", "Value", "Of", "Note"], table)

    out += ["", "## Findings by rule"]
    for status, what in (("overdue", "Overdue"), ("due_soon", "Due soon"), ("missed", "Missed")):
        counts = [f"{code} {c[status]:,}" for code, c in data["summary"].items() if c[status]]
        out.append(f"- {what}: " + (", ".join(counts) if counts else "none")
                   + f" {notes.ref(_status_note(audit.options.due_within))}")
    skipped = [f"{i['code']} (missing {', '.join(i['skipped'])})" for i in data["rules"]
               if i["skipped"]]
    if skipped:
        out.append("- Not checked, for lack of columns: " + "; ".join(skipped))

    if load.get("caseworkers"):
        t = load["thresholds"]
        out += ["", f"## Caseworkers: benchmark {t['plans_per_caseworker']} plans and "
                    f"{t['assessments_per_caseworker']} open assessments {t['compared']} "
                    f"{notes.ref('benchmark: ' + t['source'])}"]
        out += _table(["Caseworker", "Plans", "Open assessments", "Cases overdue",
                       "Cases due soon", "Above benchmark"], caseload_rows(load, "Total"))
    if "suppressed" in data:
        out += ["", (f"{len(data['suppressed']):,} findings are suppressed in sendcheck.toml "
                     f"(investigated; not counted above as open); "
                     f"{len(data['suppressions_unmatched'])} suppressions match nothing.")]
    out += ["", "## Notes"] + notes.lines()
    return "\n".join(out) + "\n"


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _status_note(days: int) -> str:
    return (f"overdue: not done, and past its time limit on the as-of date; due soon: not done, "
            f"due within {days} days; missed: not done, and the duty ended (the plan ceased, the "
            f"request was withdrawn) after its due date, a breach with nothing left to do; counted "
            f"per finding (a case may have several; advice counts each kind)")


def _national_note() -> str:
    n = national()
    return (f"England: {n['source']} ({n['url']}); "
            f"{n['twenty_weeks']['definition']}")


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
