"""`sendcheck history PATH`: the runs kept in a history file with their counts, and overdue and
due soon over time (terminal bars; JSON, CSV, workbook)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendcheck import __version__
from sendcheck.views.actions import to_csv

CHART_WIDTH = 40
COLUMNS = {"as_of": "as of", "input_files": "inputs", "rows_read": "rows", "overdue": "overdue",
           "due_soon": "due soon", "invalid": "invalid",
           "data_quality": "of which data quality", "cases_overdue": "cases overdue",
           "cases_due_soon": "cases due soon", "new_overdue": "new overdue",
           "new_due_soon": "new due soon", "new_invalid": "new invalid", "resolved": "resolved",
           "compared_with": "compared with", "run_at": "run at (UTC)"}
DEFINITION = ("one run per as-of date (a re-run replaces that day's run); overdue, due soon and "
              "invalid count findings (invalid: the rules' invalid findings and the "
              "data-quality findings, of which data quality counts the latter; blank for runs "
              "kept before sendcheck recorded it); cases overdue and due soon are the cases "
              "every report counts (judge/cases.py: a case is one episode, overdue when one of "
              "its findings is, due soon when none is overdue and one is due soon); new and resolved are against the run named in compared_with "
              "(the latest earlier as-of date); run_at is the wall clock, kept but never used to "
              "order or compare runs")


def _bar(value: int, top: int, mark: str) -> str:
    cells = round(CHART_WIDTH * value / top) if top else 0
    return mark * cells + "." * (CHART_WIDTH - cells)


# Two tables, each within 80 columns; the inputs, rows and run time are in JSON, CSV and xlsx.
TABLES = {"Runs (oldest first): cases, each counted once": (
              "as_of", "cases_overdue", "cases_due_soon"),
          "Findings at each run (a case can have several)": (
              "as_of", "overdue", "due_soon", "invalid", "data_quality"),
          "What changed at each run": (
              "as_of", "new_overdue", "new_due_soon", "new_invalid", "resolved", "compared_with")}


def history_text(runs: pl.DataFrame, path: str) -> str:
    """Plain aligned text (on a terminal too): a figure is never cut to fit."""
    from sendcheck.views.table import View

    view = View(False)
    view.text(f"sendcheck {__version__}: history {path}: {runs.height:,} {'run' if runs.height == 1 else 'runs'}")
    for title, cols in TABLES.items():
        view.table(title, [COLUMNS[c] for c in cols],
                   [["" if v is None else v for v in r] for r in runs.select(cols).rows()])
    top = int(runs.select(pl.max_horizontal(pl.col("overdue").max(), pl.col("due_soon").max()))
              .item() or 0) if runs.height else 0
    for col, mark, label in (("overdue", "#", "Overdue findings"),
                             ("due_soon", "=", "Due soon findings")):
        view.text()
        view.text(f"{label} by as-of date (each {mark} is {top / CHART_WIDTH:.1f} findings)")
        for as_of, n in runs.select("as_of", col).rows():
            view.text(f"{as_of} |{_bar(n, top, mark)}| {n}")
    return view.getvalue()


def history_json(runs: pl.DataFrame, path: str) -> str:
    from sendcheck.views.json import dumps

    return dumps({"sendcheck_version": __version__, "history": path,
                  "definition": DEFINITION, "runs": runs.to_dicts()}) + "\n"


def history_csv(runs: pl.DataFrame) -> str:
    return to_csv(runs)


def history_xlsx(runs: pl.DataFrame) -> bytes:
    from openpyxl.chart import LineChart, Reference

    from sendcheck.views.xlsx import Col, Writer

    dated = runs.with_columns(pl.col("as_of").str.to_date())
    # The footer's as-of date: the latest run's.
    w = Writer(dated["as_of"].max() if runs.height else dt.date.today())
    cols = [Col(c, h, "int" if runs.schema[c] == pl.Int64 else "text")
            for c, h in COLUMNS.items()]
    w.list_sheet("Runs", dated, [Col("as_of", "as of", "date"), *cols[1:]])
    ws = w.wb.worksheets[0]
    if runs.height:
        chart = LineChart()
        chart.title = "Overdue and due soon findings by as-of date"
        names = list(COLUMNS)
        for col in ("overdue", "due_soon"):
            at = names.index(col) + 1
            chart.add_data(Reference(ws, min_col=at, min_row=1, max_row=runs.height + 1),
                           titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=runs.height + 1))
        ws.add_chart(chart, f"A{runs.height + 4}")
    return w.save()
