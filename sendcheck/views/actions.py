"""Each caseworker's own list (`sendcheck actions`): their cases overdue, due soon and the data
fixes on their cases, one file each, an index, and a manifest of the files it wrote."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import unicodedata
from dataclasses import dataclass

import polars as pl

from sendcheck import __version__
from sendcheck.audit import Audit
from sendcheck.columns import PERSONAL
from sendcheck.figures.caseload import UNALLOCATED
from sendcheck.figures.headline import compute_caseload_for
from sendcheck.history.changes import KEY
from sendcheck.history.notes import counts_line, note_counts, noted_cases
from sendcheck.judge.quality import BY_CODE
from sendcheck.views.files import neutralise_expr
from sendcheck.views.findings import GUIDANCE, duty, findings_frame, listed
from sendcheck.views.markdown import _cell, _table

# Names the folder's own files take; a caseworker whose name slugs to one of them gets "-2".
RESERVED = {"index", "unallocated", "con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
            *(f"lpt{i}" for i in range(10))}
SLUG_LIMIT = 60
EXTENSIONS = {"csv": "csv", "markdown": "md", "html": "html", "xlsx": "xlsx"}
# Statutory overdue first; the guidance rules' overdue (warning severity) in a list of their own,
# written only when a caseworker has one.
LISTS = {"overdue": "Overdue", "guidance": "Overdue against guidance", "due_soon": "Due soon",
         "fix": "Data to fix"}
INVALID_ACTION = ("correct the dates this rule reads (the finding names them) in the case "
                  "system; the rule is judged again on the next export")


@dataclass
class Worklist:
    """One caseworker's (or the unallocated cases') lists, and the file they go to."""

    caseworker: str
    file: str
    rows: pl.DataFrame  # every item: column `list` is overdue, due_soon or fix

    def part(self, name: str) -> pl.DataFrame:
        return self.rows.filter(pl.col("list") == name)

    def counts(self) -> dict[str, int]:
        """Findings on each list (cases are counted as the caseload counts them: index_frame)."""
        listed = pl.col("list")
        row = self.rows.select(*[(listed == k).sum().alias(name) for k, name in (
            ("overdue", "overdue_findings"), ("guidance", "guidance_findings"),
            ("due_soon", "due_soon_findings"), ("fix", "fixes"))]
        ).row(0, named=True)
        return {k: int(v) for k, v in row.items()}


def slug(name: str) -> str:
    """A file name stem from a caseworker's name: ASCII letters, digits and hyphens only, so no
    name can make a path, a hidden file or a device name."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:SLUG_LIMIT].strip("-")
    return text or "caseworker"


def assign_files(names: list[str], ext: str) -> dict[str, str]:
    """File name per caseworker. Names are taken in sorted order; a slug already taken (another
    name, or the folder's own files) gets -2, -3, ...: the same names give the same files."""
    taken = set(RESERVED)
    out = {}
    for name in sorted(names):
        base = slug(name)
        stem, n = base, 1
        while stem in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem)
        out[name] = f"{stem}.{ext}"
    return out


def worklists(audit: Audit, ext: str, overdue_since: pl.DataFrame | None = None,
              personal: bool = False) -> list[Worklist]:
    """Every caseworker with something to do, then the unallocated cases (if any).

    `overdue_since`: the history's (rule, kind, record_id, cycle, overdue_since) for this run.
    """
    found = findings_frame(audit, personal=personal, cycle=True)
    status = pl.col("status")
    actions = {c: q.action for c, q in BY_CODE.items()}
    # What to do on every row: the rule's own action for a duty overdue or due soon.
    actions |= {code: rule.action for code, rule in audit.rules.items() if rule.action}
    who = pl.col("caseworker").str.strip_chars()
    items = (found.filter(status.is_in(["overdue", "due_soon", "invalid"]))
             .with_columns(duty(audit))
             .with_columns(
                 pl.when(status == "invalid").then(pl.lit("fix"))
                 .when((status == "overdue") & (pl.col("duty") == GUIDANCE))
                 .then(pl.lit("guidance"))
                 .otherwise(status.cast(pl.String)).alias("list"),
                 pl.when(who.is_null() | (who == "")).then(pl.lit(UNALLOCATED)).otherwise(who)
                 .alias("caseworker"),
                 pl.when((status == "invalid") & ~pl.col("rule").str.starts_with("DQ"))
                 .then(pl.lit(INVALID_ACTION))
                 .otherwise(pl.col("rule").replace_strict(actions, default=INVALID_ACTION))
                 .alias("what_to_do")))
    items = _one_row_per_problem(items, _headers(audit))
    # Due soon counts the days left (0 = due today), overdue the days past the limit.
    items = items.with_columns(
        pl.when(pl.col("list") == "due_soon").then(-pl.col("days_over")).alias("days_left"),
        pl.when(pl.col("list") == "overdue").then(pl.col("days_over")).alias("days_over"))
    if overdue_since is not None:
        items = items.join(overdue_since.unique(KEY).cast({"kind": items.schema["kind"],
                                                           "cycle": items.schema["cycle"]}),
                           on=KEY, how="left", nulls_equal=True, maintain_order="left")
    # Statutory overdue most overdue first, then guidance overdue the same way, due soon soonest
    # first, fixes by check and row.
    order = pl.col("list").replace_strict({k: i for i, k in enumerate(LISTS)},
                                          return_dtype=pl.Int8)
    urgency = pl.when(pl.col("list").is_in(["overdue", "guidance"])).then(
        -pl.col("days_over")).otherwise(None)
    items = items.sort([order, urgency, pl.col("due"), pl.col("rule"), pl.col("record_id"),
                        pl.col("source"), pl.col("row")], nulls_last=True, maintain_order=True)
    names = [n for n in items.get_column("caseworker").unique().to_list() if n != UNALLOCATED]
    files = assign_files(names, ext)
    out = [Worklist(name, files[name], part) for (name,), part in
           sorted(items.partition_by("caseworker", as_dict=True).items())
           if name != UNALLOCATED]
    unallocated = items.filter(pl.col("caseworker") == UNALLOCATED)
    if unallocated.height:
        out.append(Worklist(UNALLOCATED, f"unallocated.{ext}", unallocated))
    return out


def _headers(audit: Audit) -> dict[str, dict[str, str]]:
    """Per input file name: canonical column -> the header as the export writes it."""
    tables = list(audit.tables) + ([audit.reviews.table] if audit.reviews is not None else [])
    return {t.path.replace("\\", "/").rsplit("/", 1)[-1]: t.mapping for t in tables}


def _one_row_per_problem(items: pl.DataFrame, headers: dict[str, dict[str, str]]) -> pl.DataFrame:
    """The data to fix, one row per problem, in the export's own words.

    A cell check (DQnn) names the cell; the rules it stops (invalid findings on the same case
    whose reason names the same column, and DQ14's restatement of them) become its `rules`
    column, not rows of their own. An invalid finding no cell check names is one row per case
    and reason, its rules listed. Column names in a message are the file's own headers."""
    fix = pl.col("list") == "fix"
    cell = fix & pl.col("rule").str.starts_with("DQ") & (pl.col("rule") != "DQ14")
    reason = (pl.col("message").str.replace(r"^.*? cannot be judged: ", "")
              .str.replace(r"^review cycle \d+: ", "").str.replace(r"^[A-Za-z ]+ advice: ", "")
              .str.replace(r"^a review meeting date in the history", "review_meeting_date"))
    items = items.with_columns(reason.str.extract(r"^([a-z0-9]+_[a-z0-9_]+)").alias("_col"),
                               reason.alias("_reason"))
    checks = items.filter(cell)
    others = items.filter(fix & ~cell)
    named = others.join(checks.select("record_id", "_col").unique(), on=["record_id", "_col"],
                        how="semi", nulls_equal=False)
    stops = (named.with_columns(pl.col("message").str.extract(r"^((?:[A-Z]{2}\d\d, )*[A-Z]{2}\d\d) "
                                                            r"cannot be judged").alias("_many"))
             .with_columns(pl.coalesce(pl.col("_many"), pl.col("rule")).str.split(", ")
                           .alias("_rules"))
             .explode("_rules").filter(~pl.col("_rules").str.starts_with("DQ"))
             .group_by("record_id", "_col").agg(pl.col("_rules").unique().sort()
                                                .str.join(", ").alias("rules")))
    checks = checks.join(stops, on=["record_id", "_col"], how="left", nulls_equal=False,
                         maintain_order="left")
    alone = (others.join(named.select("record_id", "_col").unique(), on=["record_id", "_col"],
                         how="anti", nulls_equal=True)
             .group_by("record_id", "_reason", maintain_order=True)
             .agg(pl.all().exclude("rule").first(), pl.col("rule").unique().sort()
                  .str.join(", ").alias("rules"), pl.col("rule").first())
             .filter(pl.col("rule") != "DQ14") .drop("_reason"))
    alone = alone.with_columns(pl.col("message").str.replace(r"^review cycle \d+: ", ""))
    out = pl.concat([items.filter(~fix).drop("_reason"), checks.drop("_reason"), alone],
                    how="diagonal_relaxed").drop("_col")
    return out.with_columns(_in_own_words(pl.col("message"), pl.col("source"), headers))


def _in_own_words(message: pl.Expr, source: pl.Expr, headers: dict[str, dict[str, str]]
                  ) -> pl.Expr:
    """The message with each canonical column name replaced by the file's own header, quoted."""
    out = message
    for name, mapping in headers.items():
        pairs = sorted(mapping.items(), key=lambda kv: -len(kv[0]))  # longest name first
        if pairs:
            out = pl.when(source.str.ends_with(name)).then(out.str.replace_many(
                [k for k, _ in pairs], [f'"{v}"' for _, v in pairs])).otherwise(out)
    return out


def _columns(rows: pl.DataFrame, personal: bool) -> list[str]:
    cols = ["list", "rule", "kind", "record_id", "person_id"]
    cols += [c for c in PERSONAL if personal and c in rows.columns]
    cols += ["source", "row", "start", "due", "days_over", "days_left"]
    cols += ["overdue_since", "first_seen"] if "overdue_since" in rows.columns else []
    # The review cycle is part of a finding's key (with --reviews): a note typed on the row is
    # matched back to the finding by it (history/notes_read.py).
    cols += ["cycle"] if rows.get_column("cycle").is_not_null().any() else []
    cols += ["message", "rules", "what_to_do"]
    return cols + (["note", "note_by", "note_date"] if "note" in rows.columns else [])


# Empty columns the caseworker fills in (the editable formats); read back by --notes.
ENTRY = {"action_taken": pl.String, "checked_by": pl.String, "date_checked": pl.String}
EDITABLE = ("csv", "xlsx")

# The columns each list shows (the CSV, one table, shows them all).
NOT_ON = {"overdue": {"days_left", "rules"}, "guidance": {"days_left", "rules"},
          "due_soon": {"days_over", "overdue_since", "rules"},
          "fix": {"days_over", "days_left", "overdue_since", "first_seen", "start", "due"}}


HEADERS = {"list": "List", "rule": "Rule", "kind": "Advice kind", "record_id": "Record",
           "person_id": "Person", "forename": "Forename", "surname": "Surname", "upn": "UPN",
           "birth_date": "Date of birth", "source": "File", "row": "Row", "start": "Start",
           "due": "Due", "days_over": "Days over", "days_left": "Days left",
           "overdue_since": "Overdue since", "first_seen": "First seen",
           "message": "Finding", "rules": "Rules it stops", "what_to_do": "What to do", "caseworker": "Caseworker",
           "cases_overdue": "Cases overdue", "cases_due_soon": "Cases due soon",
           "overdue_findings": "Overdue findings",
           "guidance_findings": "Overdue against guidance (findings)",
           "due_soon_findings": "Due soon findings",
           "fixes": "Data to fix", "file": "File", "cycle": "Review cycle",
           "note": "Latest note", "note_by": "Note by", "note_date": "Note date",
           "action_taken": "Action taken", "checked_by": "Checked by",
           "date_checked": "Date checked", "with_note": "Overdue cases with a note",
           "untouched": "Overdue cases untouched"}


def _title(w: Worklist, audit: Audit) -> str:
    return (f"{w.caseworker}: cases to act on, as of {audit.options.as_of.isoformat()} "
            f"(due soon = within {audit.options.due_within} days)")


def to_csv(frame: pl.DataFrame) -> str:
    text = [c for c, t in frame.schema.items() if t == pl.String]
    buf = io.StringIO()
    frame.with_columns(neutralise_expr(c) for c in text).write_csv(buf, date_format="%Y-%m-%d")
    return buf.getvalue()


def _strings(frame: pl.DataFrame) -> list[list[str]]:
    return frame.with_columns(pl.all().cast(pl.String).fill_null("")).rows()


def to_markdown(title: str, sections: list[tuple[str, pl.DataFrame]]) -> str:
    out = [f"# {_cell(title)}"]
    for heading, frame in sections:
        out += ["", f"## {_cell(heading)} ({frame.height})", ""]
        out += (_table([HEADERS.get(c, c) for c in frame.columns], _strings(frame))
                if frame.height else ["None."])
    return "\n".join(out) + "\n"


def to_html(title: str, sections: list[tuple[str, pl.DataFrame]],
            links: str | None = None) -> str:
    """A plain, self-contained page; every value escaped. `links`: the column holding file
    names to link to (the index)."""
    esc = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{esc(title)}</title>",
           "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}"
           "th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}"
           "</style></head><body>", f"<h1>{esc(title)}</h1>"]
    for heading, frame in sections:
        out.append(f"<h2>{esc(heading)} ({frame.height})</h2>")
        if not frame.height:
            out.append("<p>None.</p>")
            continue
        out.append("<table><thead><tr>" + "".join(
            f'<th scope="col">{esc(HEADERS.get(c, c))}</th>' for c in frame.columns)
            + "</tr></thead><tbody>")
        at = frame.columns.index(links) if links in frame.columns else -1
        for row in _strings(frame):
            cells = [f'<a href="{esc(v)}">{esc(v)}</a>' if i == at and v else esc(v)
                     for i, v in enumerate(row)]
            out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        out.append("</tbody></table>")
    out.append(f"<p>sendcheck {esc(__version__)}</p></body></html>")
    return "\n".join(out) + "\n"


def to_xlsx(sections: list[tuple[str, pl.DataFrame]], as_of: dt.date) -> bytes:
    from sendcheck.views.xlsx import Col, Writer

    kinds = {pl.Date: "date", pl.Int64: "int", pl.Int32: "int", pl.UInt32: "int"}
    w = Writer(as_of)
    for heading, frame in sections:
        # Long text (the message, what to do) wraps at the writer's width cap.
        cols = [Col(c, HEADERS.get(c, c), kinds.get(t, "text")) for c, t in frame.schema.items()]
        w.list_sheet(heading, frame.with_columns(
            pl.col(c).cast(pl.String) for c, t in frame.schema.items()
            if kinds.get(t, "text") == "text"), cols)
    return w.save()


def render(fmt: str, title: str, sections: list[tuple[str, pl.DataFrame]], as_of: dt.date,
           links: str | None = None) -> str | bytes:
    if fmt == "csv":
        return to_csv(pl.concat([f for _, f in sections], how="diagonal_relaxed"))
    if fmt == "markdown":
        return to_markdown(title, sections)
    if fmt == "html":
        return to_html(title, sections, links)
    return to_xlsx(sections, as_of)


def worklist_file(w: Worklist, audit: Audit, fmt: str, personal: bool) -> str | bytes:
    cols = _columns(w.rows, personal)
    rows = listed(audit, w.rows)  # --untouched: the list only; the index counts every case
    if fmt in EDITABLE:
        rows = rows.with_columns(pl.lit(None, t).alias(c) for c, t in ENTRY.items())
        cols += list(ENTRY)
    if fmt == "csv":  # one table: the `list` column says which list a row is on
        return render(fmt, "", [("", rows.select(cols))], audit.options.as_of)
    cols.remove("list")
    return render(fmt, _title(w, audit),
                  [(LISTS[k], part.select([c for c in cols if c not in NOT_ON[k]]))
                   for k in LISTS for part in [rows.filter(pl.col("list") == k)]
                   if k != "guidance" or part.height], audit.options.as_of)


def index_frame(lists: list[Worklist], audit: Audit) -> pl.DataFrame:
    """One line per caseworker of the caseload (and per list): cases overdue and due soon as
    the caseload counts them (the one definition), findings per list, and the file (blank for a
    caseworker with nothing to do)."""
    load = compute_caseload_for(audit, None)
    cases = pl.DataFrame(load.rows, schema_overrides={"caseworker": pl.String}).select(
        "caseworker", "cases_overdue", "cases_due_soon") if load.rows else pl.DataFrame(
        schema={"caseworker": pl.String, "cases_overdue": pl.Int64, "cases_due_soon": pl.Int64})
    counts = ("overdue_findings", "guidance_findings", "due_soon_findings", "fixes")
    files = pl.DataFrame([{"caseworker": w.caseworker, **w.counts(), "file": w.file}
                          for w in lists],
                         schema={"caseworker": pl.String, **dict.fromkeys(counts, pl.Int64),
                                 "file": pl.String}, orient="row")
    both = cases.join(files, on="caseworker", how="full", coalesce=True)
    noted = []
    if audit.notes is not None:  # cases overdue with a note in the window, and untouched
        per = noted_cases(audit, audit.note_days).group_by("caseworker").agg(
            pl.col("noted").sum().cast(pl.Int64).alias("with_note"),
            (~pl.col("noted")).sum().cast(pl.Int64).alias("untouched"))
        both = both.join(per, on="caseworker", how="left")
        noted = ["with_note", "untouched"]
    return (both.with_columns(pl.col(*counts, *noted).fill_null(0))
            .sort([pl.col("caseworker") == UNALLOCATED, pl.col("caseworker").str.to_lowercase()])
            .select("caseworker", "cases_overdue", *noted, "cases_due_soon", *counts, "file"))


def index_file(lists: list[Worklist], audit: Audit, fmt: str) -> str | bytes:
    counts = note_counts(audit)
    title = (f"Cases to act on by caseworker, as of {audit.options.as_of.isoformat()} "
             f"(due soon = within {audit.options.due_within} days)"
             + (f": {counts_line(counts)}" if counts is not None else ""))
    return render(fmt, title, [("Caseworkers", index_frame(lists, audit))], audit.options.as_of,
                  links="file")
