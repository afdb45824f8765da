"""The trend as people and scripts read it: a terminal bar chart, JSON and CSV series."""

from __future__ import annotations

import io

import polars as pl

from sendcheck import __version__
from sendcheck.audit import Audit
from sendcheck.figures import small_counts as suppression
from sendcheck.figures.trend import AVERAGES, CHART_FIELD, FIELDS, RATIOS

CHART_WIDTH = 40


def series_shown(rows: list[dict], below: int | None) -> list[dict]:
    return [suppression.values(r, below, RATIOS, AVERAGES) for r in rows]


def trend_json(audit: Audit, rows: list[dict], below: int | None,
               by: list[dict] | None = None) -> str:
    missing = [f for f in FIELDS if all(r[f] is None for r in rows)]
    out = {
        "sendcheck_version": __version__,
        "as_of": audit.options.as_of.isoformat(),
        "inputs": [{"path": t.path, "sheet": t.sheet, "rows": t.rows, "sha256": t.sha256}
                   for t in audit.tables],
        "months": len(rows),
        "suppress_below": below,
        "definitions": FIELDS,
        "not_available": missing,
        "series": series_shown(rows, below),
        **({"by": by} if by else {}),
    }
    if audit.reviews is not None:
        # The trend's series are assessment and plan figures; the review history is read and
        # checked (its data-quality findings are the audit's) but no series uses it.
        out["reviews"] = {**audit.reviews.summary(),
                          "used_by": "no series (the trend has no review figures)"}
    from sendcheck.views.json import dumps

    return dumps(out) + "\n"


def trend_csv(rows: list[dict], below: int | None) -> str:
    from sendcheck.views.files import neutralise_expr

    frame = pl.DataFrame(series_shown(rows, below), infer_schema_length=None,
                         schema_overrides={f: pl.String for f in FIELDS}
                         if below is not None else None)
    text = [c for c, t in frame.schema.items() if t == pl.String]
    buf = io.StringIO()
    frame.with_columns(neutralise_expr(c) for c in text).write_csv(buf)
    return buf.getvalue()


def bar(value: float | None, width: int = CHART_WIDTH, rich: bool = False) -> str:
    """A bar for a percentage: full blocks on a terminal, '#' in plain text (logs, files)."""
    if value is None:
        return ""
    cells = round(width * max(0.0, min(value, 100.0)) / 100)
    return ("█" if rich else "#") * cells + ("·" if rich else ".") * (width - cells)


def trend_table(audit: Audit, rows: list[dict], below: int | None, rich: bool,
                stream=None, width: int | None = None, by: list[dict] | None = None) -> str:
    from sendcheck.views.table import View

    view = View(rich, stream, width)
    shown = series_shown(rows, below)
    view.text(f"sendcheck {__version__}: trend as of {audit.options.as_of.isoformat()}, "
              f"last {len(rows)} months" + (f"; counts under {below} shown as <{below}"
                                             if below else ""), style="bold")

    def fmt(v: object) -> str:
        return "-" if v is None else str(v)

    view.table("Month by month",
               ["month", "plans", "within 20w", "% incl", "plans excl", "% excl", "avg weeks",
                "decisions", "% 6w", "open", "open >20w"],
               [[r["month"] + (" (to as-of)" if r["partial"] else ""),
                 *[fmt(r[f]) for f in FIELDS if f not in ("plans_issued_20_weeks_ex",
                                                          "request_outcome_six_weeks")]]
                for r in shown],
               optional=("within 20w", "plans excl", "avg weeks", "decisions", "open >20w"))
    view.text()
    view.text("% of new plans issued within 20 weeks, excluding exceptions "
              "(DfE's headline), by month of issue")
    for r in shown:
        v = r[CHART_FIELD]
        label = f"{v}%" if isinstance(v, float) else fmt(v)
        view.text(f"{r['month']} |{bar(v if isinstance(v, float) else None, rich=rich):{CHART_WIDTH}}| "
                  f"{label} of {fmt(r['plans_issued_den_ex'])}")
    if by:
        from sendcheck.views.breakdowns import render_trend_by

        render_trend_by(view, by)
    view.text()
    for f, text in FIELDS.items():
        view.text(f"  {f}: {text}")
    return "" if rich else view.getvalue()
