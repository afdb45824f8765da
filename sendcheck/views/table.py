"""The terminal view of an audit: findings, measures, backlog and caseload, as rich tables on a
terminal or plain aligned text elsewhere."""

from __future__ import annotations

import datetime as dt
import re
import textwrap

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
from sendcheck.history.notes import counts_line, note_counts
from sendcheck.views.changes import screen_lines
from sendcheck.views.files import display_name, one_line, screen_text
from sendcheck.views.findings import (
    GUIDANCE,
    coverage_lines,
    findings_frame,
    listed,
    most_overdue_first,
    quality_summary,
    rows_line,
    rules_list,
    summary,
    totals,
)
from sendcheck.views.fit import fitted_table, plain_lines
from sendcheck.views.json import headline_json
from sendcheck.views.summary import (
    NOT_AVAILABLE,
    HEADLINE_ALL,
    TWENTY,
    case_totals,
    caseload_rows,
    figure,
    headline_field,
    national_line,
    twenty_weeks,
)

TABLE_LIMIT = 20  # rows per list in the table view before "... and N more"
TOP_CASEWORKERS = 5  # on the first screen
SCREEN_NOTE = 100  # characters of a note on the screen; the workbook and JSON hold it whole
NUMBER = re.compile(r"^[<>\-+]?[\d,]+(\.\d+)?%?$")
WRAP = {"message", "what is due", "what to do", "measure", "figure", "what", "latest note"}


class View:
    """Writes sections either as rich tables (a terminal) or as plain aligned text.

    On a terminal no table is wider than the screen and no figure, code or id is cut
    (views/fit.py): free text folds, optional columns are left out with a note, and a table that
    still cannot fit is printed as plain lines."""

    def __init__(self, rich: bool, stream=None, width: int | None = None):
        self.rich = rich
        self.width = width  # plain text on a terminal without colour: fit this width too
        self.lines: list[str] = []
        if rich:
            from rich.console import Console

            self.console = Console(file=stream, highlight=False)

    def text(self, line: str = "", style: str | None = None) -> None:
        line = screen_text(line)  # a cell quoted in a line never acts on the terminal
        if self.rich:
            self.console.print(line, style=style, markup=False, highlight=False)
        elif self.width and len(line) > self.width:  # wrapped at spaces, never inside a word
            indent = line[:len(line) - len(line.lstrip())]
            self.lines += textwrap.wrap(line, self.width, subsequent_indent=indent,
                                        break_long_words=False, break_on_hyphens=False)
        else:
            self.lines.append(line)

    def table(self, title: str | None, headers: list[str], rows: list[list[object]],
              optional: tuple[str, ...] = ()) -> None:
        """A table; `optional` headers may be left out, first first, when the terminal is narrow."""
        cells = [["" if v is None else one_line(str(v)) for v in r] for r in rows]
        numeric = {h for i, h in enumerate(headers)
                   if any(r[i] for r in cells) and all(NUMBER.match(r[i]) or r[i] in ("", "-")
                                                       for r in cells)}
        if not self.rich:
            self.lines += [""] if title is not None else []
            if title:
                self.text(title)
            shown, left_out = list(headers), []
            while self.width and optional:
                lines = plain_lines(shown, [[c for c, h in zip(r, headers) if h in shown]
                                            for r in cells], numeric)
                expendable = [h for h in optional if h in shown]
                if max(len(x) for x in lines) <= self.width or not expendable:
                    break
                shown.remove(expendable[0])
                left_out.append(expendable[0])
            kept = [[c for c, h in zip(r, headers) if h in shown] for r in cells]
            self.lines += plain_lines(shown, self._folded(shown, kept, numeric), numeric)
            if left_out:
                self.text(f"  (left out at this width: {', '.join(left_out)})")
            return
        self.console.print()
        if title:  # the whole width, not folded to the table's
            self.console.print(title, style="bold", markup=False, highlight=False)
        table, left_out = fitted_table(self.console, headers, cells, numeric, WRAP, optional)
        if table is None:
            for line in plain_lines([h for h in headers if h not in left_out],
                                    [[c for c, h in zip(r, headers) if h not in left_out]
                                     for r in cells], numeric):
                self.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            self.console.print(table)
        if left_out:
            self.console.print(f"  (left out at this width: {', '.join(left_out)})", markup=False,
                               highlight=False, style="dim")

    def _folded(self, headers: list[str], rows: list[list[str]], numeric: set[str]
                ) -> list[list[str]]:
        """Rows whose free text (one WRAP column) is folded onto continuation rows so the
        plain table fits `self.width`, as the rich view folds it."""
        free = [i for i, h in enumerate(headers) if h in WRAP]
        if not self.width or len(free) != 1 or \
                max(len(x) for x in plain_lines(headers, rows, numeric)) <= self.width:
            return rows
        i = free[0]
        others = sum(max([len(h)] + [len(r[j]) for r in rows])
                     for j, h in enumerate(headers) if j != i)
        room = max(self.width - others - 2 * (len(headers) - 1), 12)
        out = []
        for r in rows:
            parts = textwrap.wrap(r[i], room, break_long_words=False) or [""]
            out.append(r[:i] + [parts[0]] + r[i + 1:])
            out += [[""] * i + [p] + [""] * (len(r) - i - 1) for p in parts[1:]]
        return out

    def panels(self, title: str, headers: list[str], items: list[list[object]]) -> None:
        """Many short rows (a code and its counts) set side by side, as many panels across as
        the width holds, read left to right: a long list of rules in a few lines."""
        cells = [[one_line(str(v)) for v in item] for item in items]
        widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headers)]

        def panel(values: list[str]) -> str:  # one space inside a panel, three between
            return " ".join(v.ljust(w) if i == 0 else v.rjust(w)
                            for i, (v, w) in enumerate(zip(values, widths)))

        size = len(panel(headers))
        limit = self.console.width if self.rich else self.width
        across = max(1, (limit + 3) // (size + 3)) if limit else 4
        self.text()
        self.text(title, style="bold")
        self.text("   ".join([panel(headers)] * min(across, len(cells))), style="bold")
        for start in range(0, len(cells), across):
            self.text("   ".join(panel(c) for c in cells[start:start + across]))

    def getvalue(self) -> str:
        return "\n".join(self.lines) + "\n"


def _share(counts: dict[str, int]) -> str:
    done = counts["met"] + counts["late"] + counts["early"]
    return f"{100 * counts['met'] / done:.1f}%" if done else "-"


def _file(path: str | None) -> str:
    return (path or "").replace("\\", "/").rsplit("/", 1)[-1]


def several_files(audit: Audit) -> bool:
    """True when the run read more than one file: every row number is then shown with its file."""
    return len(audit.tables) + (audit.reviews is not None) > 1


def note_text(r: dict) -> str:
    """A finding's latest note on one line: its date, who, and the text, control and direction
    characters escaped (rich markup is never read: views/fit.py writes cells as Text)."""
    if not r.get("note") and not r.get("note_by"):
        return ""
    text = one_line(f"{r['note_date']:%d/%m/%Y} {r['note_by'] or ''}: {r['note'] or ''}")
    return text if len(text) <= SCREEN_NOTE else text[:SCREEN_NOTE - 1] + "…"


def _overdue_sections(view: View, audit: Audit, found: pl.DataFrame, with_file: bool,
                      view_days: int | None = None) -> None:
    """Statutory breaches first, most overdue first; the guidance rules' (warning severity)
    follow in their own block, never above a legal deadline."""
    rows = most_overdue_first(audit, found.filter(pl.col("status") == "overdue"))
    guidance = rows.filter(pl.col("duty") == GUIDANCE)
    _list_section(view, "Overdue: not done, past a statutory limit", rows.filter(
        pl.col("duty") != GUIDANCE), "overdue", with_file, view_days, sort=False)
    if guidance.height:
        codes = ", ".join(sorted(set(guidance.get_column("rule").cast(pl.String).to_list())))
        _list_section(view, f"Overdue against guidance ({codes}: warning severity, the Code of "
                      f"Practice, not a statutory limit)", guidance, "overdue", with_file,
                      view_days, sort=False)


def _list_section(view: View, title: str, found: pl.DataFrame, status: str,
                  with_file: bool, view_days: int | None = None, sort: bool = True) -> None:
    rows = found.filter(pl.col("status") == status)
    # Every key a finding has, so the order is the same on every run and in every view.
    if sort:
        rows = rows.sort(["due", "rule", "kind", "source", "row"], maintain_order=True)
    if rows.height == 0:
        view.text("")
        view.text(f"{title}: none")
        return
    shown = rows.head(TABLE_LIMIT)
    where = "where" if with_file else "row"
    noted = "note" in rows.columns  # with a history: the latest note beside each finding
    # Due soon counts the days left (0 = due today), overdue the days past: never "days -1".
    days = "days over" if status == "overdue" else "days left"
    view.table(
        f"{title} ({rows.height:,} findings; the {min(TABLE_LIMIT, rows.height)} "
        + ("most overdue" if status == "overdue" else "soonest due") + " shown)"
        + (f"; --untouched: no note in the last {view_days} days" if view_days else ""),
        ["rule", "record", "person", "caseworker", where, "due", days, "what is due"]
        + (["latest note"] if noted else []),
        [[r["rule"] + (f"/{r['kind']}" if r["kind"] else ""), r["record_id"], r["person_id"],
          r["caseworker"] or UNALLOCATED,
          f"{_file(r['source'])} row {r['row']}" if with_file else r["row"],
          r["due"], r["days_over"] if status == "overdue" else -r["days_over"],
          r["message"].split(";")[0]] + ([note_text(r)] if noted else [])
         for r in shown.iter_rows(named=True)],
        # What is due is never left out at any width: it folds; the ids and places go first.
        optional=("person", where, "caseworker", "latest note", "due"))
    if rows.height > TABLE_LIMIT:
        view.text(f"... and {rows.height - TABLE_LIMIT:,} more (see --format csv or json)")


def render_header(view: View, audit: Audit) -> None:
    """As-of date, inputs, the configuration file in use, the rows account."""
    view.text(f"sendcheck {__version__}: as of {audit.options.as_of.isoformat()} "
              f"({audit.options.as_of_source})", style="bold")
    for t in audit.tables:
        sheet = f", sheet {t.sheet!r}" if t.sheet else ""
        # Blank and footer rows when there are any (the rows line below counts them always).
        aside = ", ".join(([f"{t.blank_rows:,} blank"] if t.blank_rows else [])
                          + ([f"{t.footer_rows:,} footer"] if t.footer_rows else []))
        view.text(f"input: {display_name(t.path)}{sheet}: {t.rows:,} rows, header on row "
                  f"{t.header_row}" + (f" ({aside})" if aside else ""))
        for note in t.notes:
            view.text(f"  {note}")
    if audit.reviews is not None:
        r = audit.reviews.summary()
        view.text(f"reviews: {display_name(r['path'])}: {r['rows']:,} rows, {r['matched']:,} "
                  f"matched on {r['joined_on']} ({r['ignored']:,} without a usable meeting date), "
                  f"{r['unmatched']:,} unmatched")
    view.text(f"config: {audit.config.path or 'none (built-in defaults)'}; {rows_line(audit)}")
    for line in screen_lines(audit):  # with --history: what changed since the last run
        view.text(line)


def render_benchmark(view: View, audit: Audit, measures: dict) -> None:
    """Beside the 20-week figure: the authority's published figure, region, England, its
    statistical neighbours and the reconciliation with DfE (views/benchmark.py)."""
    from sendcheck.figures.benchmark import benchmark_for
    from sendcheck.views.benchmark import first_screen_lines

    for line in first_screen_lines(benchmark_for(audit, measures.get("items"))):
        view.text(line)


def render_first_screen(view: View, audit: Audit, whole: bool = True) -> None:
    """The morning questions: what is overdue and due soon (cases, then findings by rule), the
    20-week figure beside England's, who has most overdue, the data-quality headline, totals
    (left to the cron line that follows on a terminal's short view, not `whole`)."""
    opts = audit.options
    cases = case_totals(audit)
    view.text()
    # Rules that did not run are said before any count: under the heading, on lines of their
    # own (the heading and the counts share one line when every rule ran).
    skipped, absent = coverage_lines(audit)
    heading = f"Needs action on {opts.as_of.isoformat()}: "
    if skipped or absent:
        view.text(heading.rstrip(" :"), style="bold")
        if skipped:
            view.text(skipped, style="bold")
        if absent:
            view.text(absent)
        heading = ""
    view.text(f"{heading}{cases['cases_overdue']:,} cases overdue "
              f"now; {cases['cases_due_soon']:,} more due within {opts.due_within} days (to "
              f"{(opts.as_of + dt.timedelta(days=opts.due_within)).isoformat()}); each case "
              f"counted once", style="bold")
    noted = note_counts(audit)
    if noted is not None:  # with a history: the team's notes (history/notes.py)
        view.text(counts_line(noted))
    counts = summary(audit)
    # Rules with nothing overdue or due soon are left out: the rules table (--details) has them.
    view.panels("Findings by rule with any (one case can have several): overdue, and due soon",
                ["rule", "overdue", "soon"],
                [[code, f"{c['overdue']:,}", f"{c['due_soon']:,}"] for code, c in counts.items()
                 if c["overdue"] or c["due_soon"]])
    h = audit.headline
    if h is None:
        return
    data = headline_json(h)
    twenty = twenty_weeks(data["measures"])
    view.text()
    if twenty:
        view.text(f"{twenty['text']}: {twenty['of']}", style="bold")
        view.text(f"  {twenty['period']}"
                  + (f"; including exceptions {twenty['including']} "
                     f"({HEADLINE_ALL})" if twenty["including"] else ""))
        view.text(f"  {national_line()}")
        render_benchmark(view, audit, data["measures"])
    else:
        m = data["measures"]["items"].get(TWENTY, {})
        why = m.get("reason") or ("none for the period (no plans issued, or withheld by "
                                  "--suppress-below)")
        view.text(f"20-week figure: {why}")
    load = data["caseload"]
    if load["caseworkers"]:
        t = load["thresholds"]
        top = sorted(load["caseworkers"], key=lambda r: (
            -r["cases_overdue"] if isinstance(r["cases_overdue"], int) else 0,
            r["caseworker"]))[:TOP_CASEWORKERS]
        view.table(f"Caseworkers with most cases overdue, {len(top)} of "
                   f"{len(load['caseworkers'])} (--details: all); benchmark "
                   f"{t['plans_per_caseworker']} plans, {t['assessments_per_caseworker']} "
                   f"open assessments {t['compared'].split(' (')[0]}",
                   ["caseworker", "cases overdue", "due soon", "plans", "open assessments",
                    "above benchmark"],
                   [[r[0], r[3], r[4], r[1], r[2], r[5]]
                    for r in caseload_rows({"caseworkers": top}, total=None)],
                   optional=("above benchmark",))
    elif load["reason"]:
        view.text()
        view.text(f"Caseworkers: {load['reason']}")
    dq = sorted((q for q in quality_summary(audit) if q["findings"]), key=lambda q: -q["findings"])
    view.text()
    view.text(f"Data quality: {sum(q['findings'] for q in dq):,} findings in {len(dq)} checks"
              + (": " + ", ".join(f"{q['check']} {q['name']} {q['findings']:,}" for q in dq[:3])
                 if dq else ""))
    if not whole:  # the cron line follows on a terminal with the same totals
        return
    t = totals(audit)
    view.text()
    view.text(f"totals: {cases['cases_overdue']:,} cases overdue, {cases['cases_due_soon']:,} due "
              f"soon; {t['overdue']:,} findings overdue, {t['due_soon']:,} due soon; "
              f"{t['data_quality']:,} data-quality findings", style="bold")


def render_table(audit: Audit, rich: bool, stream=None, details: bool = False,
                 width: int | None = None, whole: bool = True) -> str:
    """The table view: header, first screen, the capped lists, the rules, the measures
    (every figure with --details), backlog, caseload and data quality. `width`: plain text for
    a terminal without colour (NO_COLOR), fitted to it as the rich view is. Not `whole`: the
    header and first screen only, and a line naming what --details adds (a terminal's view)."""
    view = View(rich, stream, width)
    opts = audit.options
    render_header(view, audit)
    render_first_screen(view, audit, whole)
    if audit.breakdowns:
        from sendcheck.views.breakdowns import render_breakdowns
        from sendcheck.views.json import breakdowns_section

        render_breakdowns(view, breakdowns_section(audit)["breakdowns"])
    if not whole:
        view.text()
        view.text("--details: the lists, every rule and measure; sendcheck actions: per "
                  "caseworker", style="dim")
        return "" if rich else view.getvalue()
    found = listed(audit, findings_frame(audit, statuses=("overdue", "due_soon")))
    with_file = several_files(audit)
    days = audit.note_days if audit.untouched else None
    _overdue_sections(view, audit, found, with_file, days)
    _list_section(view, f"Due soon: due within {opts.due_within} days", found, "due_soon",
                  with_file, days)
    counts = summary(audit)
    rows = []
    for item in rules_list(audit):
        c = counts.get(item["code"])
        if c is None:  # the reason follows the table, where it can wrap
            rows.append([item["code"], item["name"], *[""] * 10, "skipped"])
            continue
        rows.append([item["code"], item["name"], c["met"], c["late"], c["early"], c["overdue"],
                     c["missed"], c["due_soon"], c["pending"], c["excepted"], c["invalid"], c["not_applicable"],
                     _share(c)])
    view.table("Rules (on time = met / (met + late + early), completed cases only)",
               ["code", "name", "met", "late", "early", "overdue", "missed", "due soon", "pending",
                "excepted", "invalid", "n/a", "on time"], rows,
               optional=("name", "n/a", "pending", "excepted", "early"))
    for item in rules_list(audit):
        if item["code"] not in counts:
            view.text(f"  {item['code']} skipped: missing {', '.join(item['skipped'])}")
    if audit.headline is not None:
        render_headline(view, audit.headline, details)
    dq = [[q["check"], q["name"], "skipped", "not run: missing " + ", ".join(q["skipped"])]
          if q["skipped"] else [q["check"], q["name"], q["findings"], q["action"]]
          for q in quality_summary(audit)]
    view.table("Data quality", ["check", "name", "findings", "what to do"], dq,
               optional=("what to do", "name"))
    if audit.config.suppress:
        n = audit.suppressed.height if audit.suppressed is not None else 0
        view.text("")
        view.text(f"suppressed in {display_name(audit.config.path)}: {n} findings (listed in --format json "
                  f"or xlsx); {len(audit.unmatched_suppressions)} suppressions match nothing")
    if not details and audit.headline is not None:
        view.text()
        view.text("--details shows every measure's figures (each advice kind, reviews, bands), "
                  "the backlog bands, the longest waits and every caseworker")
    return "" if rich else view.getvalue()


def _show(v: object) -> str:
    return "-" if v is None else str(v)


def render_measures(view: View, h: Headline, details: bool) -> None:
    """One line per measure (its headline figure and DfE field); with `details`, every figure
    of every measure with its English label, and each definition once."""
    data = headline_json(h)["measures"]
    below = h.suppress_below
    view.text()
    view.text(f"Measures: {h.period.text}; cohort: {h.cohort}"
              + (f"; counts under {below} shown as <{below}" if below else ""), style="bold")
    rows = []
    for m in data["items"].values():
        field = headline_field(m)
        if field is None:
            rows.append([m["title"], "", m["reason"] or "no figures", ""])
        else:
            rows.append([m["title"], field, *figure(m, field)])
    view.table(None, ["measure", "DfE field", "value", "of"], rows, optional=("of", "measure"))
    if not details:
        return
    for key, m in data["items"].items():
        if not m["available"]:
            continue
        view.table(f"{m['title']} [{key}]", ["figure", "DfE field", "value"],
                   [[m["labels"].get(k, k), k, _show(v)] for k, v in m["values"].items()],
                   optional=("figure",))
        view.text(f"  definition: {m['definition']}")
        for note in m["notes"]:
            view.text(f"  note: {note}")
        if m["flag"]:
            view.text(f"  FLAG: {m['flag']}", style="bold red")


def render_backlog(view: View, b: Backlog, below: int | None, details: bool = True) -> None:
    data = suppressed_backlog(b, below)
    view.text()
    view.text(f"Backlog on {b.as_of}", style="bold")
    a, r = data["assessments"], data["reviews"]
    view.text(f"Open assessments: {data['assessments_reason']}" if a is None else
              f"{a['open_assessments']} open assessments: {a['past_20_weeks']} waiting more than "
              f"20 weeks, {a['past_30_weeks']} more than 30, {a['past_52_weeks']} more than 52")
    view.text(f"Overdue annual reviews: {data['reviews_reason']}" if r is None else
              f"{r['reviews_overdue']} annual reviews overdue: {r['overdue_0_6_months']} by up "
              f"to 6 months, {r['overdue_6_12_months']} by 6-12, {r['overdue_12_24_months']} by "
              f"12-24, {r['overdue_24_plus_months']} by more than 24")
    if not details:
        return
    if a is not None:
        rows = [["open assessments", a["open_assessments"], a["open_with_exception"],
                 _minus(a["open_assessments"], a["open_with_exception"], below)]]
        for w in (20, 30, 52):
            rows.append([f"past {w} weeks", a[f"past_{w}_weeks"],
                         a[f"past_{w}_weeks_with_exception"],
                         a[f"past_{w}_weeks_without_exception"]])
        view.table("Open assessments by weeks waiting since the request",
                   ["waiting", "total", "with exception", "without exception"], rows)
    view.text(f"  definition: {data['definition']}")
    if below is not None:
        view.text(f"Longest waits: {BACKLOG_WITHHELD}")
        return
    if b.longest_assessments:
        view.table("Longest waits: open assessments", ["record", "caseworker", "requested",
                                                       "weeks waiting", "exception"],
                   [[x["record_id"], x.get("caseworker"), x["request_received_date"],
                     x["weeks_waiting"], x["exception"]] for x in b.longest_assessments],
                   optional=("exception",))
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
        r = {**r, **{k: NOT_AVAILABLE for k in c.unavailable}}
        rows.append([r["caseworker"]] + ([r.get("role"), r.get("fte")] if fte else []) + [
            r["plans_in_force"], *([r.get("plans_per_fte")] if fte else []),
            r["open_assessments"], *([r.get("assessments_per_fte")] if fte else []),
            r["reviews_due_next"], r["cases_overdue"], r["cases_due_soon"],
            ", ".join(over) or ("" if r["caseworker"] in ("total", UNALLOCATED) else "no")])
    view.table(f"Caseload: benchmark {t['plans_per_caseworker']} plans and "
               f"{t['assessments_per_caseworker']} open assessments {t['compared']}",
               headers, [[_show(v) for v in row] for row in rows],
               optional=("above benchmark", "role", f"reviews next {t['review_weeks']}w"))
    view.text("  overdue and due soon count cases, each once (a case can have several findings)")
    view.text(f"  definition: {data['definition']}")
    view.text(f"  benchmark: {t['source']}")


def render_headline(view: View, h: Headline, details: bool = False) -> None:
    if h.forecast is not None:
        from sendcheck.views.forecast import summary_lines

        view.text()
        for line in summary_lines(h.forecast, h.suppress_below):
            view.text(line, style="bold" if not line.startswith(" ") else None)
    render_measures(view, h, details)
    render_backlog(view, h.backlog, h.suppress_below, details)
    if details:
        render_caseload(view, h.caseload, h.suppress_below)


def caseload_table(c: Caseload, below: int | None, rich: bool, stream=None,
                   width: int | None = None) -> str:
    from sendcheck import __version__

    view = View(rich, stream, width)
    view.text(f"sendcheck {__version__}: caseload as of {c.as_of.isoformat()}", style="bold")
    render_caseload(view, c, below)
    return "" if rich else view.getvalue()
