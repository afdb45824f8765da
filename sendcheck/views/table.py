"""The terminal view of an audit: findings, measures, backlog and caseload, as rich tables on a
terminal or plain aligned text elsewhere."""

from __future__ import annotations

import polars as pl

from sendcheck import __version__
from sendcheck.audit import Audit
from sendcheck.figures import small_counts as suppression
from sendcheck.figures.backlog import Backlog
from sendcheck.figures.caseload import (
    UNALLOCATED,
    Caseload,
)
from sendcheck.figures.headline import (
    BACKLOG_WITHHELD,
    Headline,
    suppressed_backlog,
    suppressed_caseload,
)
from sendcheck.figures.measures import Measure
from sendcheck.figures.periods import Period
from sendcheck.views.changes import screen_lines
from sendcheck.views.files import display_name
from sendcheck.views.findings import (
    findings_frame,
    quality_summary,
    rows_line,
    rules_list,
    summary,
)

NUMERIC_HEADERS = {"met", "late", "early", "overdue", "missed", "due soon", "pending", "excepted", "invalid",
                   "n/a", "on time", "row", "days", "findings"}
TABLE_LIMIT = 20  # rows per list in the table view before "... and N more"


# ---------------------------------------------------------------- table view


def _plain_table(headers: list[str], rows: list[list[object]]) -> list[str]:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    return out


class View:
    """Writes sections either as rich tables (a terminal) or as plain aligned text."""

    def __init__(self, rich: bool, stream=None):
        self.rich = rich
        self.lines: list[str] = []
        if rich:
            from rich.console import Console

            self.console = Console(file=stream, highlight=False)

    def text(self, line: str = "", style: str | None = None) -> None:
        if self.rich:
            self.console.print(line, style=style, markup=False, highlight=False)
        else:
            self.lines.append(line)

    def table(self, title: str, headers: list[str], rows: list[list[object]]) -> None:
        if self.rich:
            from rich.table import Table

            t = Table(title=title, title_justify="left", show_lines=False)
            for h in headers:
                # Ids, codes and numbers never wrap (a cron log or a narrow terminal must not
                # cut a record id); only the free text columns fold.
                wraps = h in ("message", "what to do")
                t.add_column(h, overflow="fold", no_wrap=not wraps,
                             justify="right" if h in NUMERIC_HEADERS else "left")
            for r in rows:
                t.add_row(*["" if v is None else str(v) for v in r])
            self.console.print(t)
        else:
            self.lines += ["", title] + _plain_table(headers, rows)

    def getvalue(self) -> str:
        return "\n".join(self.lines) + "\n"


def _share(counts: dict[str, int]) -> str:
    done = counts["met"] + counts["late"] + counts["early"]
    return f"{100 * counts['met'] / done:.1f}%" if done else "-"


def _list_section(view: View, title: str, found: pl.DataFrame, status: str, rules_order: dict) -> None:
    rows = found.filter(pl.col("status") == status)
    if status == "overdue":
        rows = rows.sort(["days_over", "rule", "row"], descending=[True, False, False])
    else:
        rows = rows.sort(["due", "rule", "row"])
    if rows.height == 0:
        view.text("")
        view.text(f"{title}: none")
        return
    shown = rows.head(TABLE_LIMIT)
    view.table(
        f"{title} ({rows.height})",
        ["rule", "record", "person", "caseworker", "row", "due", "days", "message"],
        [[r["rule"] + (f"/{r['kind']}" if r["kind"] else ""), r["record_id"], r["person_id"],
          r["caseworker"], r["row"], r["due"], r["days_over"], r["message"]]
         for r in shown.iter_rows(named=True)])
    if rows.height > TABLE_LIMIT:
        view.text(f"... and {rows.height - TABLE_LIMIT} more (see --format csv or json)")


def render_table(audit: Audit, rich: bool, stream=None) -> str:
    view = View(rich, stream)
    opts = audit.options
    view.text(f"sendcheck {__version__}: as of {opts.as_of.isoformat()}", style="bold")
    for t in audit.tables:
        sheet = f", sheet {t.sheet!r}" if t.sheet else ""
        footer = f", {t.footer_rows} footer" if t.footer_rows else ""
        view.text(f"input: {display_name(t.path)}{sheet}: {t.rows} rows below the header on row "
                  f"{t.header_row} ({t.blank_rows} blank{footer})")
        for note in t.notes:
            view.text(f"  {note}")
    view.text(rows_line(audit))
    if audit.reviews is not None:
        r = audit.reviews.summary()
        view.text(f"reviews: {r['path']}: {r['rows']} rows, {r['matched']} matched on {r['joined_on']}"
                  f" ({r['ignored']} without a usable meeting date), {r['unmatched']} unmatched")
    for line in screen_lines(audit):
        view.text(line)
    counts = summary(audit)
    rows = []
    for item in rules_list(audit):
        c = counts.get(item["code"])
        if c is None:
            rows.append([item["code"], item["name"], *[""] * 10,
                         "skipped: missing " + ", ".join(item["skipped"])])
            continue
        rows.append([item["code"], item["name"], c["met"], c["late"], c["early"], c["overdue"],
                     c["missed"], c["due_soon"], c["pending"], c["excepted"], c["invalid"], c["not_applicable"],
                     _share(c)])
    view.table("Rules (on time = met / (met + late + early), completed cases only)",
               ["code", "name", "met", "late", "early", "overdue", "missed", "due soon", "pending",
                "excepted", "invalid", "n/a", "on time"], rows)
    found = findings_frame(audit, statuses=("overdue", "due_soon"))
    order = {r: i for i, r in enumerate(counts)}
    _list_section(view, "Overdue: not done, past the limit", found, "overdue", order)
    _list_section(view, f"Due soon: due within {opts.due_within} days", found, "due_soon", order)
    dq = [[q["check"], q["name"], q["findings"] if not q["skipped"] else
           "skipped: missing " + ", ".join(q["skipped"]), q["action"]]
          for q in quality_summary(audit)]
    view.table("Data quality", ["check", "name", "findings", "what to do"], dq)
    if audit.config.suppress:
        n = audit.suppressed.height if audit.suppressed is not None else 0
        view.text("")
        view.text(f"suppressed in {display_name(audit.config.path)}: {n} findings (listed in --format json "
                  f"or xlsx); {len(audit.unmatched_suppressions)} suppressions match nothing")
    return "" if rich else view.getvalue()


def _show(v: object) -> str:
    return "-" if v is None else str(v)


def render_measures(view: View, measures: list[Measure], period: Period, cohort: str,
                    below: int | None) -> None:
    view.text()
    view.text(f"Headline measures: {period.text}; cohort: {cohort}"
              + (f"; counts under {below} shown as <{below}" if below else ""), style="bold")
    for m in measures:
        if not m.available:
            view.text()
            view.text(f"{m.title}: {m.reason}")
            continue
        vals = suppression.values(m.values, below, m.ratios, m.averages)
        view.table(f"{m.title} [{m.id}]", ["figure", "value"],
                   [[k, _show(v)] for k, v in vals.items()])
        view.text(f"  definition: {m.definition}")
        for note in m.notes:
            view.text(f"  note: {note}")
        if m.flag:
            view.text(f"  FLAG: {m.flag}", style="bold red")


def render_backlog(view: View, b: Backlog, below: int | None) -> None:
    data = suppressed_backlog(b, below)
    view.text()
    view.text(f"Backlog on {b.as_of}", style="bold")
    a = data["assessments"]
    if a is None:
        view.text(f"Open assessments: {data['assessments_reason']}")
    else:
        rows = [["open assessments", a["open_assessments"], a["open_with_exception"],
                 _minus(a["open_assessments"], a["open_with_exception"], below)]]
        for w in (20, 30, 52):
            rows.append([f"past {w} weeks", a[f"past_{w}_weeks"],
                         a[f"past_{w}_weeks_with_exception"],
                         a[f"past_{w}_weeks_without_exception"]])
        view.table("Open assessments by weeks waiting since the request",
                   ["waiting", "total", "with exception", "without exception"], rows)
    r = data["reviews"]
    if r is None:
        view.text(f"Overdue annual reviews: {data['reviews_reason']}")
    else:
        view.table("Annual reviews overdue (months past the 12-month due date)",
                   ["overdue by", "plans"],
                   [["any", r["reviews_overdue"]], ["0-6 months", r["overdue_0_6_months"]],
                    ["6-12 months", r["overdue_6_12_months"]],
                    ["12-24 months", r["overdue_12_24_months"]],
                    ["24+ months", r["overdue_24_plus_months"]]])
    view.text(f"  definition: {data['definition']}")
    if below is not None:
        view.text(f"Longest waits: {BACKLOG_WITHHELD}")
        return
    if b.longest_assessments:
        view.table("Longest waits: open assessments", ["record", "caseworker", "requested",
                                                       "weeks waiting", "exception"],
                   [[x["record_id"], x.get("caseworker"), x["request_received_date"],
                     x["weeks_waiting"], x["exception"]] for x in b.longest_assessments])
    if b.longest_reviews:
        view.table("Longest waits: overdue reviews", ["record", "caseworker", "review due",
                                                      "days overdue"],
                   [[x["record_id"], x.get("caseworker"), x["review_due"], x["days_overdue"]]
                    for x in b.longest_reviews])


def _minus(total: object, part: object, below: int | None) -> object:
    if isinstance(total, int) and isinstance(part, int):
        return suppression.count(total - part, below)
    return f"<{below}" if below else "-"


def render_caseload(view: View, c: Caseload, below: int | None) -> None:
    data = suppressed_caseload(c, below)
    view.text()
    view.text(f"Caseworker load on {c.as_of}", style="bold")
    if data["reason"]:
        view.text(f"Caseload: {data['reason']}")
        return
    t = data["thresholds"]
    fte = c.staff_file is not None
    headers = ["caseworker"] + (["role", "FTE"] if fte else []) + [
        "plans", *(["plans/FTE"] if fte else []), "assessments",
        *(["assess./FTE"] if fte else []), f"reviews next {t['review_weeks']}w", "overdue",
        "due soon", "above benchmark"]
    rows = []
    for r in data["caseworkers"] + [{**data["total"], "caseworker": "total"}]:
        over = [w for w, k in (("plans", "over_plans"), ("assessments", "over_assessments"))
                if r.get(k)]
        rows.append([r["caseworker"]] + ([r.get("role"), r.get("fte")] if fte else []) + [
            r["plans_in_force"], *([r.get("plans_per_fte")] if fte else []),
            r["open_assessments"], *([r.get("assessments_per_fte")] if fte else []),
            r["reviews_due_next"], r["cases_overdue"], r["cases_due_soon"],
            ", ".join(over) or ("" if r["caseworker"] in ("total", UNALLOCATED) else "no")])
    view.table(f"Caseload: benchmark {t['plans_per_caseworker']} plans and "
               f"{t['assessments_per_caseworker']} open assessments {t['compared']}",
               headers, [[_show(v) for v in row] for row in rows])
    view.text(f"  definition: {data['definition']}")
    view.text(f"  benchmark: {t['source']}")


def render_headline(view: View, h: Headline) -> None:
    if h.forecast is not None:
        from sendcheck.views.forecast import summary_lines

        view.text()
        for line in summary_lines(h.forecast, h.suppress_below):
            view.text(line, style="bold" if not line.startswith(" ") else None)
    render_measures(view, h.measures, h.period, h.cohort, h.suppress_below)
    render_backlog(view, h.backlog, h.suppress_below)
    render_caseload(view, h.caseload, h.suppress_below)


def headline_table(h: Headline, rich: bool, stream=None) -> str:
    view = View(rich, stream)
    render_headline(view, h)
    return "" if rich else view.getvalue()


def caseload_table(c: Caseload, below: int | None, rich: bool, stream=None) -> str:
    from sendcheck import __version__

    view = View(rich, stream)
    view.text(f"sendcheck {__version__}: caseload as of {c.as_of.isoformat()}", style="bold")
    render_caseload(view, c, below)
    return "" if rich else view.getvalue()
