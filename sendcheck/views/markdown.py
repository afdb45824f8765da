"""The Markdown summary (`--format markdown`): a short text an officer pastes into an e-mail or a
board paper. As-of date, inputs, headline measures with their definitions (when the build has
them), counts per rule, and the caseworkers with the most overdue findings. No personal data:
no names of children, UPNs, dates of birth, record or person ids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sendcheck.audit import Audit
from sendcheck.views.changes import markdown_lines
from sendcheck.views.findings import findings_frame, per_caseworker
from sendcheck.views.files import display_name
from sendcheck.views.json import to_json_dict

TOP_CASEWORKERS = 10


def _cell(value: object) -> str:
    """A table cell: pipes and line breaks would break the Markdown table; `<` would start HTML."""
    text = "" if value is None else str(value)
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
            .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    return out + ["| " + " | ".join(_cell(v) for v in r) + " |" for r in rows]


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1%}" if 0 <= value <= 1 else f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _scalar(v: object) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _label(path: Sequence[str]) -> str:
    return " / ".join(str(p).replace("_", " ") for p in path)


def blocks(obj: object, path: tuple[str, ...] = ()) -> list[tuple]:
    """Flatten a JSON section (measures, backlog, caseload) into printable blocks, whatever its
    exact shape: ("value", path, value, definition) and ("table", path, headers, rows).

    A dict with a "definition" text gives that definition to each of its values; a list of
    records, or a dict of records, becomes a table."""
    if isinstance(obj, list):
        if obj and all(isinstance(r, dict) and all(_scalar(v) for v in r.values()) for r in obj):
            headers = list(dict.fromkeys(k for r in obj for k in r))
            return [("table", path, headers, [[r.get(h) for h in headers] for r in obj])]
        if all(_scalar(v) for v in obj):
            return [("value", path, ", ".join("" if v is None else str(v) for v in obj), None)]
        return [b for i, v in enumerate(obj) for b in blocks(v, (*path, str(i + 1)))]
    if not isinstance(obj, dict):
        return [("value", path, obj, None)]
    records = [v for v in obj.values() if isinstance(v, dict)]
    if obj and len(records) == len(obj) and all(all(_scalar(x) for x in r.values()) for r in records) \
            and not any("definition" in r for r in records) and len(obj) > 1:
        headers = list(dict.fromkeys(k for r in records for k in r))
        first = path[-1] if path else "name"
        return [("table", path, [first, *headers], [[k, *[r.get(h) for h in headers]]
                                                     for k, r in obj.items()])]
    definition = obj.get("definition") if isinstance(obj.get("definition"), str) else None
    out: list[tuple] = []
    for key, value in obj.items():
        if key == "definition" and definition is not None:
            continue
        if _scalar(value):
            out.append(("value", (*path, key), value, definition))
        else:
            out += blocks(value, (*path, key))
    return out


def _section(title: str, section: object) -> list[str]:
    """A measures/backlog section of the JSON, whatever its shape (see `blocks`)."""
    out = ["", f"## {title}", ""]
    for block in blocks(section):
        if block[0] == "value":
            _, path, value, definition = block
            label = _label(path)
            out.append(f"- **{_cell(label)}**: {_cell(_number(value))}"
                       + (f" ({_cell(definition)})" if definition else ""))
        else:
            _, path, headers, rows = block
            out += ["", f"**{_cell(' / '.join(path))}**", ""]
            out += _table([str(h).replace("_", " ") for h in headers],
                          [[_number(v) for v in r] for r in rows])
    return out


def to_markdown(audit: Audit) -> str:
    data = to_json_dict(audit)
    as_of = audit.options.as_of
    out = [f"# SEND statutory timescales: position at {as_of.strftime('%d/%m/%Y')}", ""]
    for t in data["inputs"]:
        sheet = f" (sheet {display_name(t['sheet'])})" if t["sheet"] else ""
        name = t["path"].replace("\\", "/").rsplit("/", 1)[-1]
        out.append(f"- Source: {_cell(display_name(name))}{_cell(sheet)}, {t['rows']:,} rows, "
                   f"sha256 `{t['sha256'][:12]}`")
    rows = data.get("rows")
    if rows:
        out.append(f"- Rows read {rows['read']:,}, evaluated {rows['evaluated']:,}, rejected "
                   f"(blank or footer) {rows['rejected']:,}")
    for key, title in (("measures", "Headline measures"), ("backlog", "Backlog")):
        if data.get(key):
            # A paper for a board names no case: the longest-wait lists stay in the other formats.
            section = {k: v for k, v in data[key].items() if not k.startswith("longest")}
            out += _section(title, section)
    out += markdown_lines(audit)
    out += ["", "## Cases per rule", ""]
    table = []
    for item in data["rules"]:
        c = data["summary"].get(item["code"])
        if c is None:
            continue
        done = c["met"] + c["late"] + c["early"]
        table.append([item["code"], item["name"], c["overdue"], c["due_soon"], c["late"],
                      c["early"], c["missed"], c["met"], c["excepted"], c["invalid"],
                      f"{c['met'] / done:.1%}" if done else "-"])
    out += _table(["Rule", "Name", "Overdue", "Due soon", "Late", "Early", "Missed", "Met",
                   "Excepted",
                   "Invalid", "On time"], [[_number(v) for v in r] for r in table])
    out += ["", ("On time = met / (met + late + early): completed cases only. Overdue and due soon "
            f"are cases not yet done (due soon: within {audit.options.due_within} days). Missed = not "
            "done, and the duty ended (the plan ceased, the request was withdrawn) after its due "
            "date: a breach with nothing left to do.")]
    skipped = [f"{i['code']} (missing {', '.join(i['skipped'])})" for i in data["rules"] if i["skipped"]]
    if skipped:
        out.append("Not checked, for lack of columns: " + "; ".join(skipped) + ".")
    per = per_caseworker(findings_frame(audit))
    with_overdue = per.filter(per["overdue"] > 0)
    top = with_overdue.head(TOP_CASEWORKERS)
    out += ["", f"## Overdue by caseworker (top {TOP_CASEWORKERS})", ""]
    if top.height:
        out += _table(["Caseworker", "Overdue findings", "Cases overdue", "Due soon"],
                      [[r["caseworker"], _number(r["overdue"]), _number(r["cases"]),
                        _number(r["due_soon"])] for r in top.iter_rows(named=True)])
        if with_overdue.height > TOP_CASEWORKERS:
            out.append(f"\n{with_overdue.height - TOP_CASEWORKERS} more caseworkers have overdue "
                       f"findings.")
    else:
        out.append("No overdue findings.")
    dq = sum(q["findings"] for q in data["data_quality"])
    out += ["", "## Data quality", "",
            (f"{dq:,} data-quality findings (the workbook's Data quality sheet lists each one with "
            f"what to do).")]
    worst = sorted((q for q in data["data_quality"] if q["findings"]), key=lambda q: -q["findings"])
    out += [f"- {q['check']} {q['title']}: {q['findings']:,}" for q in worst[:5]]
    if "suppressed" in data:
        out += ["", (f"{len(data['suppressed']):,} findings are suppressed in sendcheck.toml "
                f"(investigated; not counted above as open); "
                f"{len(data['suppressions_unmatched'])} suppressions match nothing.")]
    out += ["", (f"_sendcheck {data['sendcheck_version']}; statutory limits from the SEND "
            f"Regulations 2014. Counts are cases per rule; a case can appear under several rules._")]
    return "\n".join(out) + "\n"


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
    rows = []
    for r in section["caseworkers"]:
        above = [what for what, k in (("plans", "over_plans"), ("assessments", "over_assessments"))
                 if r.get(k)]
        rows.append([_figure(k, r.get(k)) for k in keys] + [", ".join(above) or "no"])
    total = {**section["total"], "caseworker": f"All caseworkers ({section['total']['caseworkers']})"}
    rows.append([_figure(k, total.get(k)) for k in keys] + [""])
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
