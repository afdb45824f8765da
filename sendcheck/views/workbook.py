"""The Excel workbooks (`--format xlsx`): the audit report a team manager opens, and the workbooks
of `caseload` and `trend`, written with openpyxl in write-only mode.

Audit sheets: Summary (labelled tables: what needs action now, by rule, with a chart; the headline
measures, each figure with its English label, DfE's field name, value and period; the 20-week
figure month by month, unsmoothed, with a chart; data quality; inputs), Overdue, Due soon, Late,
Caseload, Data quality (with empty "Action taken" and "Checked by" columns for the team), Other
findings (excepted and invalid), Suppressed (when the configuration suppresses findings),
Backlog (when the measures give one), Counts (every case per rule and status), Rules, and
Definitions (each measure's definition, said once).

Every sheet: column widths fitted to the content (capped; longer text wrapped), dates as date
cells, Yes/No for booleans, a frozen header, a filter, and print settings (A4 landscape, one page
wide, header rows repeated on every page, as-of date, sheet name and page number in the footer).

The workbook lists problems only: cases met, pending or not applicable are counted but not
listed (writing every on-time case would make a 100,000-episode workbook slow to write and
useless to read; `--format csv --all` lists everything). How cells and sheets are written
(neutralised text, the fast XML for long lists, widths, print settings) is views/xlsx.py's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from sendcheck.audit import Audit
from sendcheck.figures import small_counts
from sendcheck.figures.labels import field_label
from sendcheck.judge.quality import BY_CODE
from sendcheck.views.benchmark import neighbours_chart, workbook_section
from sendcheck.views.breakdowns import workbook_breakdowns
from sendcheck.views.changes import changes_frame
from sendcheck.views.findings import (
    GUIDANCE,
    coverage_lines,
    findings_frame,
    listed,
    most_overdue_first,
    per_caseworker,
    suppressed_findings,
)
from sendcheck.views.json import to_json_dict
from sendcheck.views.rulehelp import limit_text
from sendcheck.views.summary import NOT_AVAILABLE
from sendcheck.views.xlsx import (
    MAX_ROWS,
    PERCENT_FORMAT,
    Col,
    Grid,
    Line,
    Styled,
    Writer,
    bar_chart,
    month,
    pct,
)

DEFINITION_WIDTH = 110  # the Definitions sheet's text column: a landscape page's width
STATUSES = ("overdue", "due_soon", "late", "early", "missed", "met", "pending", "excepted",
            "invalid", "not_applicable")
PROBLEMS_ONLY = ("This workbook lists problems only: overdue, due soon, late, early or missed, "
                 "data quality, excepted and invalid findings. Cases met, pending or not applicable are "
                 "counted on the Counts sheet but not listed; `sendcheck audit FILE --format csv "
                 "--all` lists every case.")
FIELD_NOTE = ("Field names are DfE's, from its SEN2 timeliness data, where DfE publishes the "
              "figure; the others are sendcheck's own.")
# Empty columns the team fills in; read back the next night (audit --notes: history/notes_read.py).
DQ_EXTRA = ("Action taken", "Checked by", "Date checked")
MONTHLY_NOTE = ("Each month on its own, not a rolling figure: new EHC plans issued in the month "
                "without a 20-week exception, and the share of them issued within 20 weeks of "
                "the request (140 days), DfE's headline measure.")
CHART_ROWS = 16  # rows left empty under a chart of 7.5 cm
# Sheets of history, not of work to do, print their first rows only (most recent first); the
# sheet holds every row, and the Summary says how many.
PRINT_ROWS = {"Late": 100, "Other findings": 100}




def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


# ---------------------------------------------------------------- the Summary


def _action(grid: Grid, data: dict) -> tuple[int, int] | None:
    """What needs action now: findings overdue and due soon per rule (not the historic met and
    late), then the cases, each counted once. Returns the rows the chart reads."""
    summary = data["summary"]
    names = {r["code"]: r["name"] for r in data["rules"]}
    grid.add("What needs action now: findings overdue and due soon, by rule", bold=True, span=True)
    first = grid.add("Rule", "Name", "Overdue", "Due soon", header=True)
    for code, c in summary.items():
        if c["overdue"] or c["due_soon"]:
            grid.add(code, names.get(code), c["overdue"], c["due_soon"])
    last = grid.at - 1
    if last == first:
        grid.add("Nothing is overdue or due soon.", span=True)
    total = (data.get("caseload") or {}).get("total") or {}
    if "cases_overdue" in total:
        grid.add("Cases overdue and due soon, each case counted once", None,
                 total["cases_overdue"], total["cases_due_soon"], bold=True)
    return (first, last) if last > first else None


def _measures(grid: Grid, data: dict) -> tuple[int, int] | None:
    """The headline measures: one row per figure, under its measure's title."""
    section = data.get("measures")
    if not section:
        return None
    period = section["period"]
    start, end = _date(period["start"]), _date(period["end"])
    grid.add(f"Headline measures, {period['label']}: {start:%d/%m/%Y} to {end:%d/%m/%Y}"
             + (" (cut at the as-of date)" if period.get("partial") else "")
             + f"; cohort: {section['cohort']}"
             + (f"; counts under {section['suppress_below']} shown as <"
                f"{section['suppress_below']}" if section.get("suppress_below") else ""),
             bold=True, span=True)
    first = grid.add("Measure", "DfE field", "Value", "From", "To", header=True)
    for item in section["items"].values():
        grid.add(item["title"], bold=True)
        if not item["available"]:
            grid.add(item["reason"])
            continue
        if item.get("flag"):
            grid.add("Flag: " + item["flag"])
        for key, value in item["values"].items():
            grid.add(field_label(key), key, pct(value) if key.startswith("pc_") else value,
                     start, end)
    last = grid.at - 1
    grid.add(FIELD_NOTE + " Each measure's definition is on the Definitions sheet.", span=True)
    return first, last


def _monthly(grid: Grid, trend: list[dict]) -> tuple[int, int] | None:
    """The 20-week figure month by month (each month on its own, not smoothed)."""
    if not any(r["plans_issued_den_ex"] is not None for r in trend):
        return None
    grid.add("New EHC plans issued within 20 weeks (excluding exceptions), month by month",
             bold=True, span=True)
    first = grid.add("Month", field_label("plans_issued_den_ex"), "Within 20 weeks",
                     "% within 20 weeks", "Partial month", header=True)
    for r in trend:
        grid.add(month(_date(r["start"])), r["plans_issued_den_ex"],
                 r["plans_issued_20_weeks_ex"], pct(r["pc_plans_issued_20_weeks_ex"]),
                 r["partial"])
    return first, grid.at - 1


def _room_for_chart(grid: Grid, table: tuple[int, int] | None) -> int:
    """Empty rows under a table for its chart (none when there is no table); the chart's row."""
    at = grid.at
    if table:
        grid.gap(CHART_ROWS)
    grid.gap()
    return at


def _first_figures(grid: Grid, audit: Audit, data: dict) -> tuple[int, int]:
    """The manager's figures, first: cases overdue and due soon, the 20-week figure beside
    England's (with its period), and where the year will land."""
    from sendcheck.figures.national import latest_twenty_weeks

    grid.add("The figures to act on first", bold=True, span=True)
    first = grid.add("Figure", "Value", "Details", "DfE field", header=True)
    total = (data.get("caseload") or {}).get("total") or {}
    if "cases_overdue" in total:
        grid.add("Cases overdue now (each case counted once)", total["cases_overdue"],
                 "Overdue sheet: every finding, most overdue first")
        grid.add(f"Cases due in the next {audit.options.due_within} days", total["cases_due_soon"],
                 "Due soon sheet: soonest first")
    notes = data.get("notes")
    if notes:  # the team's notes, read back from the lists sendcheck wrote (audit --notes)
        grid.add(f"Cases overdue with a note in the last {notes['days']} days",
                 notes["with_note"], "Overdue sheet: the Latest note column")
        grid.add(f"Cases overdue untouched (no note in the last {notes['days']} days)",
                 notes["untouched"], "audit --untouched lists only these")
    item = ((data.get("measures") or {}).get("items") or {}).get("final_plan_20w") or {}
    v = item.get("values") or {}
    if v.get("pc_plans_issued_20_weeks_ex") is not None:
        p = item["period"]
        grid.add("New EHC plans issued within 20 weeks, excluding exceptions",
                 pct(v["pc_plans_issued_20_weeks_ex"]),
                 f"{_date(p['start']):%d/%m/%Y} to {_date(p['end']):%d/%m/%Y}: "
                 f"{_n(v['plans_issued_20_weeks_ex'])} of {_n(v['plans_issued_den_ex'])}",
                 "pc_plans_issued_20_weeks_ex")
    y = latest_twenty_weeks()
    grid.add(f"England, plans issued in calendar year {y['year']}", pct(y["pc_plans_issued_20_weeks_ex"]),
             f"{y['plans_issued_20_weeks_ex']:,} of {y['plans_issued_den_ex']:,} (DfE, "
             f"{y['release']})", "pc_plans_issued_20_weeks_ex")
    h = audit.headline
    f = (data.get("measures") or {}).get("forecast_20w") or {}
    if h is not None and h.forecast is not None and f.get("available"):
        from sendcheck.views.forecast import sentence

        v = f[f["headline"]]
        grid.add(f"Where {f['year']} will land: likely", pct(v["pc_likely"]),
                 f"best {v['pc_best']}%, worst {v['pc_worst']}%, {v['pc_so_far']}% so far")
        grid.add("In one sentence", None, sentence(h.forecast, h.suppress_below))
    return first, grid.at - 1


def _n(v: object) -> str:
    return f"{v:,}" if isinstance(v, int) else str(v)


def _summary(w: Writer, audit: Audit, data: dict, written: dict[str, int],
             monthly: tuple[object, tuple[int, int]] | None) -> None:
    """One printed A4 page: the manager's figures, the monthly 20-week chart, where the rest is,
    and what was read."""
    grid = Grid()
    grid.add(f"sendcheck {data['sendcheck_version']}: SEND statutory timescales, position at "
             f"{audit.options.as_of:%d/%m/%Y}", bold=True, span=True)
    grid.add(Styled("As of"), audit.options.as_of, bold=True)
    grid.add("Problems only are listed; each measure's definition is on the Definitions sheet.",
             span=True)
    skipped, absent = coverage_lines(audit)  # rules that did not run, before any count
    for line, bold in ((skipped, True), (absent, False)):
        if line:
            grid.add(line, bold=bold, span=True)
    grid.gap()
    figures = _first_figures(grid, audit, data)
    grid.gap()
    chart_at = _room_for_chart(grid, monthly[1] if monthly else None)
    grid.add("Findings listed on the other sheets", bold=True, span=True)
    grid.add("Findings", "Sheet", "Rows", header=True)
    for label, sheet in (("Overdue", "Overdue"), ("Due soon", "Due soon"),
                         ("Late, early or missed in the measures' period (the 100 most recent "
                          "print)", "Late"),
                         ("Data quality", "Data quality"),
                         ("Excepted or invalid (the first 100 print)", "Other findings"), ("Suppressed", "Suppressed"),
                         ("Changes since the previous run", "Changes")):
        if sheet in written:
            grid.add(label, sheet, written[sheet])
    grid.add("Every measure, and findings by rule with a chart", "Measures", None)
    if written.get("_capped"):
        grid.add(f"Some sheets were cut at Excel's limit of {MAX_ROWS} rows; use --format csv.",
                 span=True)
    grid.gap()
    _inputs(grid, data)
    ws = w.grid_sheet("Summary", grid, filter_rows=figures, title_rows="1:2", freeze="A3",
                      index=0)
    ws.page_setup.fitToHeight = 1  # the Summary is one page: the manager's sheet
    if monthly:
        source, (first, last) = monthly
        ws.add_chart(_monthly_chart(source, 4, first, last), f"A{chart_at}")


def _measures_sheet(w: Writer, audit: Audit, data: dict, trend: list[dict]
                    ) -> tuple[object, tuple[int, int]] | None:
    """Findings overdue and due soon by rule (with a chart), every headline measure, the
    20-week figure month by month, data quality, and suppressions that match nothing. Returns
    the sheet and the monthly table's rows, for the Summary's chart."""
    grid = Grid()
    grid.add(f"Measures and findings by rule, as of {audit.options.as_of:%d/%m/%Y}", bold=True,
             span=True)
    grid.gap()
    action = _action(grid, data)
    action_chart = _room_for_chart(grid, action)
    measures = _measures(grid, data)
    grid.gap()
    neighbours = neighbours_at = None
    if (data.get("benchmark") or {}).get("authority"):
        neighbours = workbook_section(grid, data["benchmark"])
        neighbours_at = _room_for_chart(grid, neighbours)
    monthly = _monthly(grid, trend)
    grid.gap()
    grid.add("Data quality", bold=True, span=True)
    grid.add("Check", "Code", "Findings", header=True)
    for q in data.get("data_quality", []):
        found = q["findings"] if not q["skipped"] else "skipped: missing " + ", ".join(q["skipped"])
        grid.add(q["title"], q["check"], found)
    grid.add("Data-quality findings", None,
             sum(q["findings"] for q in data.get("data_quality", [])), bold=True)
    unmatched = data.get("suppressions_unmatched") or []
    if unmatched:
        grid.gap()
        grid.add("Suppressions in sendcheck.toml that match no finding (remove them if resolved)",
                 bold=True, span=True)
        grid.add("Entry", "Record", "Rule", "Reason", header=True)
        for u in unmatched:
            grid.add(u["entry"], u["record_id"], u["rule"], u["reason"])
    ws = w.grid_sheet("Measures", grid, filter_rows=measures, index=0)
    if action:
        first, last = action
        chart = bar_chart(ws, "Findings overdue and due soon, by rule", (3, 4), first, last)
        chart.y_axis.title = "findings"
        ws.add_chart(chart, f"A{action_chart}")
    if neighbours:
        ws.add_chart(neighbours_chart(ws, *neighbours), f"A{neighbours_at}")
    return (ws, monthly) if monthly else None


def _monthly_chart(ws, col: int, first: int, last: int):
    """A line of the monthly 20-week percentage in column `col` (header row `first`)."""
    from openpyxl.chart import LineChart, Reference

    line = LineChart()
    line.title = "New EHC plans within 20 weeks (excluding exceptions), by month of issue"
    line.y_axis.number_format = "0%"
    line.y_axis.scaling.min, line.y_axis.scaling.max = 0, 1
    line.add_data(Reference(ws, min_col=col, min_row=first, max_row=last), titles_from_data=True)
    line.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
    line.height, line.width = 7.5, 20
    return line


def _inputs(grid: Grid, data: dict) -> None:
    grid.add("Inputs", bold=True, span=True)
    grid.add("File", "Sheet", "Rows", header=True)
    reviews = data.get("reviews")
    for t in data["inputs"]:  # the review history among them
        grid.add(t["path"], t["sheet"], t["rows"])
        grid.lines.append(Line(["SHA-256", t["sha256"]], span=True))
    rows = data.get("rows")
    if rows:
        grid.add("Export rows read", None, rows["read"])
        grid.add("Export rows evaluated", None, rows["evaluated"])
        grid.add("Export rows rejected (blank or footer)", None, rows["rejected"])
    if reviews:
        grid.add("Review meetings matched to an export row", None, reviews["matched"])
        grid.add("Review meetings matching no export row", None, reviews["unmatched"])
        grid.add("Review rows ignored", None, reviews["ignored"])


# ---------------------------------------------------------------- the other small sheets


def caseload_grid(section: dict) -> tuple[Grid, tuple[int, int] | None]:
    """The caseload per caseworker, then the total: one row each, booleans as Yes/No."""
    grid = Grid()
    if section.get("reason"):
        grid.add("Caseload", header=True)
        grid.add("Caseload " + section["reason"])
        return grid, None
    weeks = section["thresholds"]["review_weeks"]
    rows = section["caseworkers"]
    keys = [k for k in ("caseworker", "role", "fte", "plans_in_force", "plans_per_fte",
                        "open_assessments", "assessments_per_fte", "reviews_due_next",
                        "cases_overdue", "cases_due_soon", "over_plans", "over_assessments")
            if any(k in r for r in rows) or k in section["total"]]
    headers = [f"Reviews due in the next {weeks} weeks" if k == "reviews_due_next"
               else field_label(k) for k in keys]
    first = grid.add(*headers, header=True)
    gone = section.get("not_available") or {}  # counts the export lacks a column for
    for r in rows:
        grid.add(*[NOT_AVAILABLE if k in gone else r.get(k) for k in keys])
    total = {**section["total"], "caseworker": f"All caseworkers ({section['total']['caseworkers']})"}
    last = grid.add(*[NOT_AVAILABLE if k in gone else total.get(k) for k in keys], bold=True)
    return grid, (first, last)


def _caseload(w: Writer, data: dict, found: pl.DataFrame) -> int:
    section = data.get("caseload")
    if section:
        grid, table = caseload_grid(section)
        w.grid_sheet("Caseload", grid, filter_rows=table)
        return len(section.get("caseworkers") or [])
    # No caseload section (the measures were not computed): open findings per caseworker.
    per = per_caseworker(found)
    return w.list_sheet("Caseload", per, [
        Col("caseworker", "Caseworker"), Col("overdue", "Overdue findings", "int"),
        Col("cases", "Cases with an overdue finding", "int"),
        Col("due_soon", "Due soon findings", "int"), Col("late", "Late or early findings", "int"),
        Col("dq", "Data-quality findings", "int")])


def _backlog(w: Writer, section: dict, below: int | None) -> None:
    grid = Grid()
    first = grid.add("Backlog", "Field", "Cases", "With an exception", "Without an exception",
                     header=True)
    a = section["assessments"]
    if a is None:
        grid.add("Open assessments " + section["assessments_reason"])
    else:
        total, with_exc = a["open_assessments"], a["open_with_exception"]
        # Without an exception = total less those with one; withheld as the table view does
        # when either count is suppressed.
        without = (small_counts.count(total - with_exc, below)
                   if isinstance(total, int) and isinstance(with_exc, int) else f"<{below}")
        grid.add(field_label("open_assessments"), "open_assessments", total, with_exc, without)
        for weeks in (20, 30, 52):
            key = f"past_{weeks}_weeks"
            grid.add(f"Open assessments waiting more than {weeks} weeks", key, a[key],
                     a[f"{key}_with_exception"], a[f"{key}_without_exception"])
    r = section["reviews"]
    if r is None:
        grid.add("Overdue annual reviews " + section["reviews_reason"])
    else:
        for key in ("reviews_overdue", "overdue_0_6_months", "overdue_6_12_months",
                    "overdue_12_24_months", "overdue_24_plus_months"):
            grid.add(field_label(key), key, r[key])
    last = grid.at - 1
    for title, rows, head in (
            ("Longest waits: open assessments", section["longest_assessments"],
             [("record_id", "Record"), ("caseworker", "Caseworker"),
              ("request_received_date", "Request received"), ("weeks_waiting", "Weeks waiting"),
              ("exception", "Exception")]),
            ("Longest waits: overdue annual reviews", section["longest_reviews"],
             [("record_id", "Record"), ("caseworker", "Caseworker"), ("review_due", "Review due"),
              ("days_overdue", "Days overdue")])):
        grid.gap()
        grid.add(title, bold=True, span=True)
        if isinstance(rows, str):  # withheld under --suppress-below
            grid.add(rows, span=True)
            continue
        grid.add(*[h for _, h in head], header=True)
        for row in rows:
            grid.add(*[_date(row.get(k)) if k in ("request_received_date", "review_due")
                       else row.get(k) for k, _ in head])
    w.grid_sheet("Backlog", grid, filter_rows=(first, last))


def _counts(w: Writer, data: dict) -> None:
    """Every case per rule and status, as the law sees it (the JSON's `summary`)."""
    grid = Grid()
    first = grid.add("Rule", "Name", *[s.replace("_", " ").capitalize() for s in STATUSES],
                     "On time (met / completed)", header=True)
    names = {r["code"]: r["name"] for r in data["rules"]}
    for code, c in data["summary"].items():
        done = c["met"] + c["late"] + c["early"]
        grid.add(code, names.get(code), *[c.get(s, 0) for s in STATUSES],
                 Styled(c["met"] / done, PERCENT_FORMAT) if done else None)
    last = grid.at - 1
    for item in data["rules"]:
        if item["code"] not in data["summary"]:
            grid.add(item["code"], item["name"], "skipped: missing " + ", ".join(item["skipped"]))
    w.grid_sheet("Counts", grid, filter_rows=(first, max(last, grid.at - 1)))


def _rules_sheet(w: Writer, audit: Audit, data: dict) -> None:
    grid = Grid()
    first = grid.add("Code", "Name", "Title", "Severity", "Limit", "Legal source", "Link", "Ran",
                     header=True)
    for item in data["rules"]:
        rule = audit.rules[item["code"]]
        ran = "Yes" if not item["skipped"] else "No: missing " + ", ".join(item["skipped"])
        if item.get("kinds_skipped"):
            ran += "; no columns for advice kinds " + ", ".join(item["kinds_skipped"])
        grid.add(rule.code, rule.name, rule.title, rule.severity, limit_text(rule), rule.source,
                 Styled(rule.url, link=rule.url), ran)
    w.grid_sheet("Rules", grid, filter_rows=(first, grid.at - 1))


def _definitions(w: Writer, data: dict, due_within: int) -> None:
    """Each definition once: the workbook, what needs action, each measure, the backlog, the
    caseload."""
    grid = Grid()
    first = grid.add("Section", "Definition", header=True)
    grid.add("This workbook", PROBLEMS_ONLY)
    grid.add("What needs action now",
             f"Overdue = not done and the as-of date is past the due date; due soon = not done, "
             f"due within {due_within} days (--due-within). The rule rows count findings; a case "
             f"can be behind on several rules. The cases row counts each case once, as the "
             f"Caseload sheet does.")
    grid.add("Field names", FIELD_NOTE)
    section = data.get("measures") or {}
    for item in (section.get("items") or {}).values():
        notes = "".join(f" Note: {n}." for n in item.get("notes") or [])
        grid.add(item["title"], item["definition"] + "." + notes)
    grid.add("Month by month", MONTHLY_NOTE)
    if data.get("backlog"):
        grid.add("Backlog", data["backlog"]["definition"])
    if data.get("caseload"):
        _caseload_definitions(grid, data["caseload"])
    w.grid_sheet("Definitions", grid, filter_rows=(first, grid.at - 1), max_width=DEFINITION_WIDTH)


def _caseload_definitions(grid: Grid, section: dict) -> None:
    if section.get("reason"):
        return
    t = section["thresholds"]
    grid.add("Caseload", section["definition"])
    grid.add("Caseload benchmark",
             f"{t['plans_per_caseworker']} plans and {t['assessments_per_caseworker']} open "
             f"assessments, compared {t['compared']}; {t['source']}.")


# ---------------------------------------------------------------- the finding lists


def _identity(frame: pl.DataFrame, personal: bool) -> list[Col]:
    cols = [Col("record_id", "Record"), Col("person_id", "Person"), Col("caseworker", "Caseworker")]
    if personal:
        cols += [c for c in (Col("forename", "Forename"), Col("surname", "Surname"),
                             Col("upn", "UPN"), Col("birth_date", "Date of birth", "date"))
                 if c.name in frame.columns]
    return cols + [Col("source", "File"), Col("row", "Row", "int")]


def _rule_cols(frame: pl.DataFrame, personal: bool, *, status: bool = False, done: bool = True,
               days: str | None = "Days over", exception: bool = False) -> list[Col]:
    cols = [Col("rule", "Rule"), Col("kind", "Advice kind")]
    cols += [Col("status", "Status")] if status else []
    cols += _identity(frame, personal)
    cols += [Col("start", "Start", "date"), Col("due", "Due", "date")]
    cols += [Col("done", "Done", "date")] if done else []
    cols += [Col("days_over", days, "int")] if days else []
    cols += [Col("exception", "Exception")] if exception else []
    return cols + [Col("message", "What the finding is")] + _note_cols(frame)


def _note_cols(frame: pl.DataFrame) -> list[Col]:
    """The review cycle (part of a finding's key, with --reviews) and the latest note (with a
    history): a note typed beside the finding is matched back to it by these."""
    cols = [Col("cycle", "Review cycle", "int")] if "cycle" in frame.columns and \
        frame.get_column("cycle").is_not_null().any() else []
    return cols + ([Col("note", "Latest note"), Col("note_by", "Note by"),
                    Col("note_date", "Note date", "date")] if "note" in frame.columns else [])


def _trend_rows(audit: Audit) -> list[dict]:
    from sendcheck.figures.trend import compute_trend
    from sendcheck.views.trend import series_shown

    below = audit.headline.suppress_below if audit.headline is not None else None
    return series_shown(compute_trend(audit), below)


CHANGES_COLS = [Col("change", "Change"), Col("rule", "Rule"), Col("kind", "Advice kind"),
                Col("cycle", "Review cycle", "int"), Col("record_id", "Record"),
                Col("person_id", "Person"), Col("caseworker", "Caseworker"),
                Col("status", "Status"), Col("due", "Due", "date"),
                Col("days_over", "Days over", "int"), Col("overdue_since", "Overdue since", "date"),
                Col("first_seen", "First seen", "date"),
                Col("status_now", "Status now"), Col("done_now", "Done now", "date")]


def _forecast_sheet(w: Writer, data: dict) -> None:
    """Where the year will land: the JSON's measures.forecast_20w as two labelled tables (the
    percentages as the JSON gives them, 0-100, as the labels say)."""
    from sendcheck.views.forecast import forecast_tables

    f = (data.get("measures") or {}).get("forecast_20w")
    if not f:
        return
    grid = Grid()
    grid.add(f"{f['title']} (as of {f['as_of']}; target: {f['target']['source']})", bold=True,
             span=True)
    if not f["available"]:
        grid.add(f["reason"], span=True)
        w.grid_sheet("Forecast", grid, title_rows="1:1")
        return
    head, rows, month_head, months = forecast_tables(f)
    first = grid.add(*head, header=True)
    for r in rows:
        grid.add(*r)
    last = grid.at - 1
    grid.gap()
    grid.add(*month_head, header=True)
    for r in months:
        grid.add(_date(r[0]), *r[1:])
    grid.gap()
    grid.add("Assumptions", bold=True, span=True)
    for a in f["assumptions"]:
        grid.add(a)
    w.grid_sheet("Forecast", grid, filter_rows=(first, last), freeze="A3")


def to_xlsx(audit: Audit, personal: bool = False) -> bytes:
    """The audit workbook as bytes (the caller writes it atomically)."""
    # The findings come from findings_frame, with their dates; the JSON's are not made into
    # Python dicts (seconds for 100,000 episodes, for nothing).
    data = to_json_dict(audit, False, personal, findings_frame_only=True)
    found = findings_frame(audit, False, personal, cycle=True)
    shown = listed(audit, found)  # --untouched: the lists only; the counts are found's
    status = pl.col("status")
    is_dq = pl.col("rule").str.starts_with("DQ")
    w = Writer(audit.options.as_of)
    written: dict[str, int] = {}

    def sheet(title: str, frame: pl.DataFrame, cols: list[Col], extra: Sequence[str] = ()) -> None:
        written[title] = w.list_sheet(title, frame, cols, extra, PRINT_ROWS.get(title))
        if frame.height > MAX_ROWS:
            written["_capped"] = 1

    # Statutory breaches first, most overdue first; guidance (warning severity) below them.
    overdue = most_overdue_first(audit, shown.filter(status == "overdue")).with_columns(
        pl.when(pl.col("duty") == GUIDANCE).then(pl.lit("Guidance (Code of Practice)"))
        .otherwise(pl.lit("Statutory")).alias("duty"))
    sheet("Overdue", overdue, [Col("duty", "Duty"), *_rule_cols(found, personal, done=False)],
          DQ_EXTRA)
    soon = shown.filter(status == "due_soon").sort(["due", "rule", "source", "row"]).with_columns(
        (-pl.col("days_over")).alias("days_over"))
    sheet("Due soon", soon, _rule_cols(found, personal, done=False, days="Days left"), DQ_EXTRA)
    # Breaches that happened, in the measures' period (done, or missed, from its first day):
    # the years before it are history the JSON and CSV keep, not pages to print.
    since = _date(((data.get("measures") or {}).get("period") or {}).get("start"))
    late = found.filter(status.is_in(["late", "early", "missed"]))
    if since is not None:
        late = late.filter(pl.coalesce("done", "due") >= since)
    late = late.sort(pl.coalesce("done", "due"), descending=True, maintain_order=True)
    sheet("Late", late, _rule_cols(found, personal, status=True))
    written["Caseload"] = _caseload(w, data, found)
    dq = shown.filter(is_dq).with_columns(
        pl.col("rule").replace_strict({c: q.name for c, q in BY_CODE.items()}, default=None)
        .alias("check_name"),
        pl.col("rule").replace_strict({c: q.action for c, q in BY_CODE.items()}, default=None)
        .alias("action"))
    sheet("Data quality", dq, [Col("rule", "Check"), Col("check_name", "Name"),
                               *_identity(found, personal), Col("message", "Finding"),
                               Col("action", "What to do"), *_note_cols(dq)], DQ_EXTRA)
    other = found.filter(~is_dq & status.is_in(["excepted", "invalid"]))
    sheet("Other findings", other, _rule_cols(found, personal, status=True, exception=True))
    changed = changes_frame(audit)
    if changed is not None:  # --history: what changed since the previous run
        sheet("Changes", changed, [c for c in CHANGES_COLS if c.name in changed.columns])
    if audit.config.suppress:
        sup = suppressed_findings(audit, personal)
        sheet("Suppressed", sup, [*_rule_cols(sup, personal, status=True),
                                  Col("suppression_reason", "Why suppressed")])
    if data.get("backlog"):
        _backlog(w, data["backlog"], (data.get("measures") or {}).get("suppress_below"))
    _forecast_sheet(w, data)
    if data.get("breakdowns"):  # --by
        grid = Grid()
        workbook_breakdowns(grid, data["breakdowns"])
        w.grid_sheet("Breakdowns", grid, title_rows="1:1", freeze="A2")
    _counts(w, data)
    _rules_sheet(w, audit, data)
    _definitions(w, data, audit.options.due_within)
    monthly = _measures_sheet(w, audit, data, _trend_rows(audit))
    _summary(w, audit, data, written, monthly)
    return w.save()


# ---------------------------------------------------------------- caseload and trend commands


def caseload_xlsx(as_of: dt.date, section: dict) -> bytes:
    """`sendcheck caseload --format xlsx`: the Caseload sheet and its definitions."""
    w = Writer(as_of)
    grid, table = caseload_grid(section)
    w.grid_sheet("Caseload", grid, filter_rows=table)
    defs = Grid()
    first = defs.add("Section", "Definition", header=True)
    _caseload_definitions(defs, section)
    w.grid_sheet("Definitions", defs, filter_rows=(first, defs.at - 1), max_width=DEFINITION_WIDTH)
    return w.save()


def trend_xlsx(as_of: dt.date, series: list[dict], definitions: dict[str, str]) -> bytes:
    """`sendcheck trend --format xlsx`: one row per month with a chart of the 20-week figure,
    and what each column means."""
    w = Writer(as_of)
    grid = Grid()
    fields = list(definitions)
    first = grid.add("Month", "Partial month", *[field_label(f) for f in fields], header=True)
    for r in series:
        grid.add(month(_date(r["start"])), r["partial"],
                 *[pct(r[f]) if f.startswith("pc_") else r[f] for f in fields])
    last = grid.at - 1
    grid.gap()
    chart_at = grid.at
    grid.gap(CHART_ROWS)
    ws = w.grid_sheet("Trend", grid, filter_rows=(first, last))
    ws.add_chart(_monthly_chart(ws, 3 + fields.index("pc_plans_issued_20_weeks_ex"), first, last),
                 f"A{chart_at}")
    defs = Grid()
    top = defs.add("Column", "DfE field", "Definition", header=True)
    for f, text in definitions.items():
        defs.add(field_label(f), f, text)
    defs.add("Month by month", None, MONTHLY_NOTE)
    w.grid_sheet("Definitions", defs, filter_rows=(top, defs.at - 1), max_width=DEFINITION_WIDTH)
    return w.save()
