"""Rendering an audit for people (table) and for spreadsheets (CSV), and writing files safely."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import polars as pl

from sendcheck import __version__
from sendcheck.audit import Audit
from sendcheck.errors import SendcheckError
from sendcheck.views.report import (
    findings_frame,
    quality_summary,
    rows_account,
    rules_list,
    summary,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMERIC_HEADERS = {"met", "late", "early", "overdue", "due soon", "pending", "excepted", "invalid",
                   "n/a", "on time", "row", "days", "findings"}
TABLE_LIMIT = 20  # rows per list in the table view before "... and N more"


def neutralise_expr(col: str) -> pl.Expr:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    c = pl.col(col)
    risky = c.str.contains(r"^[=+\-@\t\r]").fill_null(False)
    return pl.when(risky).then(pl.lit("'") + c).otherwise(c).alias(col)


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write to a temporary file beside the target, then rename: never half a report."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SendcheckError(f"--output {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise SendcheckError(f"--output {path}: is a folder; give a file name")
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as fh:
            fh.write(data)
        # mkstemp makes the file private (0600); a report is shared like any file the user
        # writes, so give it the permissions the umask allows.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def csv_preamble(audit: Audit) -> str:
    """The CSV report's first line: as-of date and the rows account, as a `#` comment line
    (polars `comment_prefix="#"`, pandas `comment="#"`), so even a report with no findings
    says what it read."""
    acc = rows_account(audit)
    inputs = ", ".join(t.path.rsplit("/", 1)[-1] for t in audit.tables)
    return (f"# sendcheck {__version__}; as of {audit.options.as_of.isoformat()}; {inputs}; "
            f"rows: {acc['read']} read, {acc['evaluated']} evaluated, "
            f"{acc['rejected']} rejected (blank)\n")


def to_csv(audit: Audit, all_statuses: bool = False, personal: bool = False) -> str:
    found = findings_frame(audit, all_statuses, personal)
    text_cols = [c for c, t in found.schema.items() if t == pl.String]
    safe = found.with_columns([neutralise_expr(c) for c in text_cols])
    buf = io.StringIO()
    buf.write(csv_preamble(audit))
    safe.write_csv(buf, date_format="%Y-%m-%d")
    return buf.getvalue()


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
    acc = rows_account(audit)
    for t in audit.tables:
        sheet = f", sheet {t.sheet!r}" if t.sheet else ""
        view.text(f"input: {t.path}{sheet}: {t.rows} rows below the header on row {t.header_row}"
                  f" ({t.blank_rows} blank)")
        for note in t.notes:
            view.text(f"  {note}")
    view.text(f"rows: {acc['read']} read, {acc['evaluated']} evaluated, {acc['rejected']} rejected (blank)")
    if audit.reviews is not None:
        r = audit.reviews.summary()
        view.text(f"reviews: {r['path']}: {r['rows']} rows, {r['matched']} matched on {r['joined_on']}"
                  f" ({r['ignored']} without a usable meeting date), {r['unmatched']} unmatched")
    counts = summary(audit)
    rows = []
    for item in rules_list(audit):
        c = counts.get(item["code"])
        if c is None:
            rows.append([item["code"], item["name"], *[""] * 9,
                         "skipped: missing " + ", ".join(item["skipped"])])
            continue
        rows.append([item["code"], item["name"], c["met"], c["late"], c["early"], c["overdue"],
                     c["due_soon"], c["pending"], c["excepted"], c["invalid"], c["not_applicable"],
                     _share(c)])
    view.table("Rules (on time = met / (met + late + early), completed cases only)",
               ["code", "name", "met", "late", "early", "overdue", "due soon", "pending",
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
        view.text(f"suppressed in {audit.config.path}: {n} findings (listed in --format json "
                  f"or xlsx); {len(audit.unmatched_suppressions)} suppressions match nothing")
    return "" if rich else view.getvalue()
