"""The Excel workbook report (`--format xlsx`): the sheets a manager opens, written with openpyxl.

Sheets: Summary (as-of date, inputs, counts per rule and status, headline measures, charts),
Overdue, Due soon, Late, Caseload, Data quality (with empty "Action taken" and "Checked by"
columns for the team), Other findings (excepted and invalid), Suppressed (when the
configuration suppresses findings), Backlog (when measures give one) and Rules.

The workbook lists problems only: cases met, pending or not applicable are counted on the Summary
but not listed (writing every on-time case would make a 100,000-episode workbook slow to write
and useless to read; `--format csv --all` lists everything). Every text cell is neutralised
against formula injection and written as an explicit string cell, so openpyxl never stores a
formula. Dates are real Excel dates shown dd/mm/yyyy. openpyxl is imported only here, when a
workbook is written, and in write-only mode (streamed, constant memory per row).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from sendcheck.audit import Audit
from sendcheck.judge.quality import BY_CODE
from sendcheck.views.changes import changes_frame
from sendcheck.views.files import neutralise, neutralise_expr
from sendcheck.views.findings import findings_frame, per_caseworker, suppressed_findings
from sendcheck.views.json import to_json_dict
from sendcheck.views.rulehelp import limit_text

DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.0%"
MAX_ROWS = 1_048_575  # Excel's sheet limit less the header row
MAX_WIDTH = 60
SHOWN_STATUSES = ("met", "late", "early", "overdue", "missed", "due_soon", "pending", "excepted",
                  "invalid", "not_applicable")
CHART_STATUSES = ("met", "late", "early", "overdue", "missed", "due_soon", "pending", "excepted",
                  "invalid")
PROBLEMS_ONLY = ("This workbook lists problems only: overdue, due soon, late, early or missed, data "
                 "quality, excepted and invalid findings. Cases met, pending or not applicable are "
                 "counted below but not listed; `sendcheck audit FILE --format csv --all` lists "
                 "every case.")
DQ_EXTRA = ("Action taken", "Checked by")


@dataclass(frozen=True)
class Col:
    """One column of a list sheet: the frame column, its header, and how cells are written."""

    name: str
    header: str
    kind: str = "text"  # "text", "date", "int"
    width: int | None = None


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
    return cols + [Col("message", "What the finding is", width=MAX_WIDTH)]


class Writer:
    """A write-only workbook: small sheets cell by cell through openpyxl, the long finding lists
    as whole-column XML.

    openpyxl spends about 40 microseconds on each cell it serialises (a 175,000-row finding list
    took 78 s). The long lists are therefore built by `_body_xml`, as polars string expressions
    over whole columns, and put into the sheets openpyxl wrote (header, frozen pane, filter,
    widths) after it saves: text as inline strings (never formulas), dates as serial numbers in
    the dd/mm/yyyy style openpyxl registered, numbers as numbers.
    """

    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        self.wb = Workbook(write_only=True)
        self.bold = Font(bold=True)
        self.link = Font(color="0563C1", underline="single")
        self.bodies: list[tuple[object, pl.DataFrame, Sequence[Col]]] = []

    def cell(self, ws, value: object, *, bold: bool = False, fmt: str | None = None,
             link: str | None = None):
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, str):
            c = WriteOnlyCell(ws, clean_text(str(neutralise(value))))
            c.data_type = "s"  # never a formula, whatever the text
        else:
            c = WriteOnlyCell(ws, value)
        if isinstance(value, dt.date) and fmt is None:
            fmt = DATE_FORMAT
        if fmt:
            c.number_format = fmt
        if bold:
            c.font = self.bold
        if link:
            c.hyperlink = link
            c.font = self.link
        return c

    def row(self, ws, values: Iterable[object], bold: bool = False) -> None:
        """Append a row; values already made into cells (by `cell`) pass through."""
        from openpyxl.cell import Cell

        ws.append([v if v is None or isinstance(v, Cell) else self.cell(ws, v, bold=bold)
                   for v in values])

    def list_sheet(self, title: str, frame: pl.DataFrame, cols: Sequence[Col],
                   extra_headers: Sequence[str] = ()) -> int:
        """A sheet of one table: bold frozen header, filter, fitting widths. Returns rows written."""
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title)
        frame = frame.head(MAX_ROWS).select([c.name for c in cols])
        headers = [c.header for c in cols] + list(extra_headers)
        widths = _widths(frame, cols) + [len(h) + 4 for h in extra_headers]
        for i, w in enumerate(widths, 1):  # must be set before the first row in write-only mode
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(frame.height + 1, 2)}"
        self.row(ws, headers, bold=True)
        if frame.height:
            self.bodies.append((ws, frame, cols))
        return frame.height

    def save(self) -> bytes:
        import zipfile

        date_style = self.cell(self.wb.worksheets[0], dt.date(2000, 1, 1)).style_id
        buf = io.BytesIO()
        self.wb.save(buf)
        if not self.bodies:
            return buf.getvalue()
        rows = {ws.path.lstrip("/"): _body_xml(frame, cols, date_style)
                for ws, frame, cols in self.bodies}
        out = io.BytesIO()
        with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename in rows:
                    xml = data.decode("utf-8")
                    at = xml.index("</sheetData>")
                    data = (xml[:at] + rows[item.filename] + xml[at:]).encode("utf-8")
                dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
        return out.getvalue()


# XML 1.0 cannot hold these control characters (openpyxl refuses them); Excel holds at most
# 32,767 characters in a cell.
ILLEGAL_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
CELL_LIMIT = 32_767
EXCEL_EPOCH = dt.date(1899, 12, 30)


def clean_text(text: str) -> str:
    import re

    return re.sub(ILLEGAL_XML, "", text)[:CELL_LIMIT]


def _body_xml(frame: pl.DataFrame, cols: Sequence[Col], date_style: int) -> str:
    """Rows 2.. of a list sheet as SpreadsheetML, built column-wise by polars expressions."""
    from openpyxl.utils import get_column_letter

    n = pl.int_range(2, pl.len() + 2, dtype=pl.Int64).cast(pl.String)
    cells = []
    for i, c in enumerate(cols, 1):
        ref = pl.concat_str([pl.lit(f'<c r="{get_column_letter(i)}'), n])
        v = pl.col(c.name)
        if c.kind == "text":
            text = (neutralise_expr(c.name).cast(pl.String).str.replace_all(ILLEGAL_XML, "")
                    .str.slice(0, CELL_LIMIT).str.replace_all("&", "&amp;", literal=True)
                    .str.replace_all("<", "&lt;", literal=True)
                    .str.replace_all(">", "&gt;", literal=True))
            xml = pl.concat_str([ref, pl.lit('" t="inlineStr"><is><t xml:space="preserve">'),
                                 text, pl.lit("</t></is></c>")])
        elif c.kind == "date":
            serial = (v - pl.lit(EXCEL_EPOCH)).dt.total_days().cast(pl.String)
            xml = pl.concat_str([ref, pl.lit(f'" s="{date_style}"><v>'), serial, pl.lit("</v></c>")])
        else:
            xml = pl.concat_str([ref, pl.lit('"><v>'), v.cast(pl.String), pl.lit("</v></c>")])
        cells.append(xml.fill_null(""))
    row = pl.concat_str([pl.lit('<row r="'), n, pl.lit('">'), *cells, pl.lit("</row>")])
    return "".join(frame.select(row.alias("xml")).get_column("xml").to_list())


def _widths(frame: pl.DataFrame, cols: Sequence[Col]) -> list[int]:
    out = []
    for c in cols:
        if c.width:
            out.append(c.width)
            continue
        if c.kind == "date":
            longest = 10
        elif frame.height:
            longest = frame.select(pl.col(c.name).cast(pl.String).str.len_chars().max()).item() or 0
        else:
            longest = 0
        out.append(min(MAX_WIDTH, max(len(c.header), longest) + 2))
    return out


# ---------------------------------------------------------------- generic sections


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


def _write_blocks(put, items: list[tuple]) -> None:
    """Write blocks through `put(values, bold=False)`."""
    for block in items:
        if block[0] == "value":
            _, path, value, definition = block
            put([_label(path), value, definition])
        else:
            _, path, headers, rows = block
            put([])
            put([_label(path)], bold=True)
            put([str(h).replace("_", " ") for h in headers], bold=True)
            for r in rows:
                put(r)


# ---------------------------------------------------------------- summary


def monthly_20w(audit: Audit, months: int = 12) -> pl.DataFrame | None:
    """Final plans issued per calendar month (AS05 statuses), for the last `months` months.

    Within 20 weeks = AS05 `met`; over = `late`; plans issued late under an allowed exception
    (`excepted`) are counted apart and left out of the share, as DfE's "excluding exceptions"
    figure leaves them out. None when AS05 did not run."""
    if "AS05" not in audit.rules or not any(r.rule.code == "AS05" and r.skipped is None
                                            for r in audit.runs):
        return None
    end = audit.options.as_of.replace(day=1)
    first = (pl.Series([end]).dt.offset_by(f"-{months - 1}mo").item())
    months_frame = pl.DataFrame({"month": pl.date_range(first, end, "1mo", eager=True)})
    issued = (audit.results.filter((pl.col("rule") == "AS05") & pl.col("done").is_not_null()
                                   & pl.col("status").is_in(["met", "late", "excepted"]))
              .with_columns(pl.col("done").dt.truncate("1mo").alias("month"))
              .group_by("month").agg(
                  (pl.col("status") == "met").sum().alias("within"),
                  (pl.col("status") == "late").sum().alias("over"),
                  (pl.col("status") == "excepted").sum().alias("excepted")))
    out = months_frame.join(issued, on="month", how="left").fill_null(0).with_columns(
        (pl.col("within") + pl.col("over") + pl.col("excepted")).alias("issued"))
    share = pl.col("within") / (pl.col("within") + pl.col("over"))
    return out.with_columns(pl.when(pl.col("within") + pl.col("over") > 0).then(share)
                            .otherwise(None).alias("share")).sort("month")


def _summary(w: Writer, audit: Audit, data: dict, written: dict[str, int]) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.utils import get_column_letter

    ws = w.wb.create_sheet("Summary", 0)
    for col, width in zip("ABCDEFGHIJKLM", (34, 26, 12, 12, 12, 12, 12, 12, 12, 12, 14, 12, 12)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    at = 0

    def put(values: Iterable[object], bold: bool = False) -> int:
        nonlocal at
        w.row(ws, list(values), bold=bold)
        at += 1
        return at

    put([f"sendcheck {data['sendcheck_version']} audit report"], bold=True)
    put([w.cell(ws, "As of", bold=True), audit.options.as_of])
    put([PROBLEMS_ONLY])
    put([])
    put(["Inputs"], bold=True)
    put(["File", "Sheet", "Rows", "SHA-256"], bold=True)
    for t in data["inputs"]:
        put([t["path"], t["sheet"], t["rows"], t["sha256"]])
    rows = data.get("rows")
    if rows:
        put(["Rows read / evaluated / rejected (blank or footer)",
             f"{rows['read']} / {rows['evaluated']} / {rows['rejected']}"])
    put([])
    put(["Counts per rule and status (every case, as the law sees it)"], bold=True)
    header = put(["Rule", "Name", *[s.replace("_", " ") for s in SHOWN_STATUSES],
                  "On time (met / completed)"], bold=True)
    summary = data["summary"]
    ran = [r for r in data["rules"] if r["code"] in summary]
    for item in ran:
        c = summary[item["code"]]
        done = c["met"] + c["late"] + c["early"]
        put([item["code"], item["name"], *[c[s] for s in SHOWN_STATUSES],
             w.cell(ws, c["met"] / done, fmt=PERCENT_FORMAT) if done else None])
    last_rule_row = at
    for item in data["rules"]:
        if item["code"] not in summary:
            put([item["code"], item["name"], "skipped: missing " + ", ".join(item["skipped"] or [])])
    put([])
    put(["Open findings (listed on the other sheets)"], bold=True)
    for label, sheet in (("Overdue", "Overdue"), ("Due soon", "Due soon"),
                         ("Late, early or missed", "Late"), ("Data quality", "Data quality"),
                         ("Excepted or invalid", "Other findings"), ("Suppressed", "Suppressed"),
                         ("Changes since the previous run", "Changes")):
        if sheet in written:
            put([label, written[sheet]])
    if written.get("_capped"):
        put([f"Some sheets were cut at Excel's limit of {MAX_ROWS} rows; use --format csv."])
    unmatched = data.get("suppressions_unmatched") or []
    if unmatched:
        put([])
        put(["Suppressions in sendcheck.toml that match no finding (remove them if resolved)"],
            bold=True)
        put(["Entry", "Record", "Rule", "Reason"], bold=True)
        for u in unmatched:
            put([u["entry"], u["record_id"], u["rule"], u["reason"]])
    put([])
    put(["Data-quality checks"], bold=True)
    put(["Check", "Name", "Findings", "What to do"], bold=True)
    for q in data.get("data_quality", []):
        found = q["findings"] if not q["skipped"] else "skipped: missing " + ", ".join(q["skipped"])
        put([q["check"], q["name"], found, q["action"]])
    for key in ("measures", "backlog"):
        if data.get(key):
            put([])
            put([key.capitalize() + " (value, then its definition)"], bold=True)
            _write_blocks(put, blocks(data[key]))
    monthly = monthly_20w(audit)
    month_rows = None
    if monthly is not None and monthly["issued"].sum() > 0:
        put([])
        put([("Final plans issued per month (AS05). Within 20 weeks = met; share = within / "
             "(within + over); plans issued late under an allowed exception are left out of the "
             "share, as DfE's figure excluding exceptions leaves them out.")])
        first = put(["Month", "Issued", "Within 20 weeks", "Over 20 weeks", "Excepted",
                     "Share within 20 weeks"], bold=True)
        for m in monthly.iter_rows(named=True):
            put([w.cell(ws, m["month"], fmt="mmm yyyy"), m["issued"], m["within"], m["over"],
                 m["excepted"],
                 None if m["share"] is None else w.cell(ws, m["share"], fmt=PERCENT_FORMAT)])
        month_rows = (first, at)

    anchor_col = get_column_letter(len(SHOWN_STATUSES) + 5)
    if ran:
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
        chart.title = "Cases by status per rule"
        chart.y_axis.title = "cases"
        first_status = 3  # column C
        for s in CHART_STATUSES:
            col = first_status + SHOWN_STATUSES.index(s)
            chart.add_data(Reference(ws, min_col=col, min_row=header, max_row=last_rule_row),
                           titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last_rule_row))
        chart.height, chart.width = 9, 18
        ws.add_chart(chart, f"{anchor_col}2")
    if month_rows:
        first, last = month_rows
        line = LineChart()
        line.title = "Final plans within 20 weeks (excluding exceptions), by month issued"
        line.y_axis.number_format = "0%"
        line.y_axis.scaling.min, line.y_axis.scaling.max = 0, 1
        line.add_data(Reference(ws, min_col=6, min_row=first, max_row=last), titles_from_data=True)
        line.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
        line.height, line.width = 9, 18
        ws.add_chart(line, f"{anchor_col}22")


# ---------------------------------------------------------------- the other sheets


def _caseload(w: Writer, audit: Audit, data: dict, found: pl.DataFrame) -> int:
    section = data.get("caseload")
    if section:
        items = blocks(section, ())
        if len(items) == 1 and items[0][0] == "table":
            _, _, headers, rows = items[0]
            frame = pl.DataFrame(rows, schema=[str(h) for h in headers], orient="row",
                                 infer_schema_length=None)
            # Numbers and dates keep their type; anything else is shown as text.
            frame = frame.with_columns([pl.col(h).cast(pl.String) for h, t in frame.schema.items()
                                        if not (t.is_numeric() or t == pl.Date)])
            cols = [Col(h, str(h).replace("_", " "),
                        "text" if t == pl.String else "date" if t == pl.Date else "num")
                    for h, t in frame.schema.items()]
            return w.list_sheet("Caseload", frame, cols)
        ws = w.wb.create_sheet("Caseload")
        _write_blocks(lambda values, bold=False: w.row(ws, values, bold), items)
        return len(items)
    # No caseload section in this build: open findings per caseworker, from the findings.
    per = per_caseworker(found)
    return w.list_sheet("Caseload", per, [
        Col("caseworker", "Caseworker"), Col("overdue", "Overdue findings", "int"),
        Col("cases", "Cases with an overdue finding", "int"),
        Col("due_soon", "Due soon findings", "int"), Col("late", "Late or early findings", "int"),
        Col("dq", "Data-quality findings", "int")])


def _rules_sheet(w: Writer, audit: Audit, data: dict) -> None:
    from openpyxl.utils import get_column_letter

    ws = w.wb.create_sheet("Rules")
    headers = ["Code", "Name", "Title", "Severity", "Limit", "Legal source", "Link", "Ran"]
    for i, width in enumerate((8, 28, 60, 10, 32, 34, 60, 40), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:H{len(data['rules']) + 1}"
    w.row(ws, headers, bold=True)
    for item in data["rules"]:
        rule = audit.rules[item["code"]]
        ran = "yes" if not item["skipped"] else "skipped: missing " + ", ".join(item["skipped"])
        if item.get("kinds_skipped"):
            ran += "; no columns for advice kinds " + ", ".join(item["kinds_skipped"])
        w.row(ws, [rule.code, rule.name, rule.title, rule.severity, limit_text(rule), rule.source,
                   w.cell(ws, rule.url, link=rule.url), ran])


CHANGES_COLS = [Col("change", "Change"), Col("rule", "Rule"), Col("kind", "Advice kind"),
                Col("cycle", "Review cycle", "int"), Col("record_id", "Record"),
                Col("person_id", "Person"), Col("caseworker", "Caseworker"),
                Col("status", "Status"), Col("due", "Due", "date"),
                Col("days_over", "Days over", "int"), Col("overdue_since", "Overdue since", "date"),
                Col("status_now", "Status now"), Col("done_now", "Done now", "date")]


def to_xlsx(audit: Audit, personal: bool = False) -> bytes:
    """The workbook as bytes (the caller writes it atomically)."""
    data = to_json_dict(audit, False, personal)
    found = findings_frame(audit, False, personal)
    status = pl.col("status")
    is_dq = pl.col("rule").str.starts_with("DQ")
    w = Writer()
    written: dict[str, int] = {}

    def sheet(title: str, frame: pl.DataFrame, cols: list[Col], extra: Sequence[str] = ()) -> None:
        written[title] = w.list_sheet(title, frame, cols, extra)
        if frame.height > MAX_ROWS:
            written["_capped"] = 1

    overdue = found.filter(status == "overdue").sort(
        ["days_over", "rule", "source", "row"], descending=[True, False, False, False])
    sheet("Overdue", overdue, _rule_cols(found, personal, done=False))
    soon = found.filter(status == "due_soon").sort(["due", "rule", "source", "row"]).with_columns(
        (-pl.col("days_over")).alias("days_over"))
    sheet("Due soon", soon, _rule_cols(found, personal, done=False, days="Days left"))
    late = found.filter(status.is_in(["late", "early", "missed"]))
    sheet("Late", late, _rule_cols(found, personal, status=True))
    written["Caseload"] = _caseload(w, audit, data, found)
    dq = found.filter(is_dq).with_columns(
        pl.col("rule").replace_strict({c: q.name for c, q in BY_CODE.items()}, default=None)
        .alias("check_name"),
        pl.col("rule").replace_strict({c: q.action for c, q in BY_CODE.items()}, default=None)
        .alias("action"))
    sheet("Data quality", dq, [Col("rule", "Check"), Col("check_name", "Name"),
                               *_identity(found, personal),
                               Col("message", "Finding", width=MAX_WIDTH),
                               Col("action", "What to do", width=MAX_WIDTH)], DQ_EXTRA)
    other = found.filter(~is_dq & status.is_in(["excepted", "invalid"]))
    sheet("Other findings", other, _rule_cols(found, personal, status=True, exception=True))
    changed = changes_frame(audit)
    if changed is not None:  # --history: what changed since the previous run
        sheet("Changes", changed, CHANGES_COLS)
    if audit.config.suppress:
        sup = suppressed_findings(audit, personal)
        sheet("Suppressed", sup, [*_rule_cols(sup, personal, status=True),
                                  Col("suppression_reason", "Why suppressed", width=MAX_WIDTH)])
    if data.get("backlog"):
        ws = w.wb.create_sheet("Backlog")
        _write_blocks(lambda values, bold=False: w.row(ws, values, bold), blocks(data["backlog"]))
    _forecast_sheet(w, data)
    _rules_sheet(w, audit, data)
    _summary(w, audit, data, written)
    return w.save()


def _forecast_sheet(w: Writer, data: dict) -> None:
    """Where the year will land: the JSON's measures.forecast_20w as two labelled tables."""
    from sendcheck.views.forecast import forecast_tables

    f = (data.get("measures") or {}).get("forecast_20w")
    if not f:
        return
    ws = w.wb.create_sheet("Forecast")
    ws.column_dimensions["A"].width = 48
    for col in "BCDE":
        ws.column_dimensions[col].width = 22
    w.row(ws, [f"{f['title']} (as of {f['as_of']}; target: {f['target']['source']})"],
          bold=True)
    if not f["available"]:
        w.row(ws, [f["reason"]])
        return
    head, rows, month_head, months = forecast_tables(f)
    w.row(ws, head, bold=True)
    for r in rows:
        w.row(ws, r)
    w.row(ws, [])
    w.row(ws, month_head, bold=True)
    for r in months:
        w.row(ws, [dt.date.fromisoformat(r[0]), *r[1:]])
    w.row(ws, [])
    w.row(ws, ["Assumptions"], bold=True)
    for a in f["assumptions"]:
        w.row(ws, [a])

