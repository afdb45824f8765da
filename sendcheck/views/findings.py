"""What an audit reports: findings, per-rule summary, the fail-on verdict, and the JSON shape.

Output formats (table, CSV, JSON) all start from `findings_frame` and `summary` here, so the
numbers agree whatever the format.
"""

from __future__ import annotations

import polars as pl

from sendcheck.audit import Audit
from sendcheck.columns import PERSONAL
from sendcheck.errors import SendcheckError
from sendcheck.history.changes import KEY
from sendcheck.judge.closures import mark_due_in_closure
from sendcheck.judge.engine import STATUSES, add_messages
from sendcheck.judge.quality import BY_CODE
from sendcheck.judge.statuses import LISTED
from sendcheck.judge.suppress import SUPPRESSED_SCHEMA, open_results

NOTED_STATUSES = ("overdue", "due_soon", "invalid")  # the lists the team works from
STATUS_RANK = {s: i for i, s in enumerate(
    ("overdue", "missed", "late", "early", "due_soon", "invalid", "excepted", "pending", "met",
     "not_applicable"))}
# --fail-on categories (contract section 7); `new` is judged against the run history.
FAIL_CATEGORIES = ("overdue", "due_soon", "late", "early", "missed", "invalid", "breach", "new",
                   "skipped", "none")
BREACH_STATUSES = ("late", "early", "overdue", "missed")
FINDING_KEYS = ("rule", "kind", "status", "record_id", "person_id", "caseworker", "source", "row",
                "start", "due", "done", "days_over", "exception", "message")


def _episode_columns(audit: Audit, personal: bool) -> list[str]:
    cols = ["record_id", "person_id", "caseworker"]
    if personal:
        cols += [c for c in PERSONAL]
    return [c for c in cols if c in audit.episodes.columns]


def _attach(audit: Audit, frame: pl.DataFrame, personal: bool) -> pl.DataFrame:
    """Join episode identity (record, person, caseworker, source, row) onto findings by _idx."""
    cols = _episode_columns(audit, personal)
    ident = audit.episodes.select("_idx", *cols, pl.col("_source").alias("source"),
                                  pl.col("_row").alias("row"))
    if audit.reviews is not None:  # findings on review-history rows (per cycle, DQ)
        ident = pl.concat([ident, audit.reviews.identity.select(
            "_idx", *cols, pl.col("_source").alias("source"), pl.col("_row").alias("row"))],
            how="vertical_relaxed")
    out = frame.join(ident, on="_idx", how="left", maintain_order="left")
    for c in ("person_id", "caseworker"):
        if c not in out.columns:
            out = out.with_columns(pl.lit(None, pl.String).alias(c))
    return out


def findings_frame(audit: Audit, all_statuses: bool = False, personal: bool = False,
                   statuses: tuple[str, ...] | None = None, cycle: bool = False) -> pl.DataFrame:
    """Rule findings and data-quality findings, in one stable order, with messages.

    With `cycle`, also the review cycle of a finding judged per cycle from --reviews (null
    otherwise): with rule, kind and record_id it names the same finding from run to run.

    With `statuses`, only the rule findings of those statuses (no data-quality findings): the
    table view lists overdue and due soon, and building a message for each of a million other
    findings to show none of them took seconds.
    """
    if statuses is not None:
        res = open_results(audit.judgement.findings(statuses), audit.suppressed)
        return _findings(audit, res, audit.quality.clear(), personal, ("cycle",) if cycle else ())
    res = open_results(audit.judgement.findings(None if all_statuses else LISTED),
                       audit.suppressed)
    return _findings(audit, res, audit.quality, personal, ("cycle",) if cycle else ())


def suppressed_findings(audit: Audit, personal: bool = False) -> pl.DataFrame:
    """The findings set apart by [[suppress]], as findings_frame shows them, with the reason."""
    sup = audit.suppressed if audit.suppressed is not None else pl.DataFrame(schema=SUPPRESSED_SCHEMA)
    dq_sup = audit.quality_suppressed if audit.quality_suppressed is not None else audit.quality.clear()
    found = audit.judgement.findings(LISTED)  # (the only statuses suppressed)
    res = found.join(sup.drop("suppression").cast(
        {c: found.schema[c] for c in ("rule", "kind")}), on=["rule", "kind", "_idx"],
        nulls_equal=True)
    dq = dq_sup.join(
        sup.select(pl.col("rule").alias("check"), "_idx", "suppression_reason"), on=["check", "_idx"])
    return _findings(audit, res, dq, personal, ("suppression_reason",))


def _findings(audit: Audit, res: pl.DataFrame, quality: pl.DataFrame, personal: bool,
              extra: tuple[str, ...] = ()) -> pl.DataFrame:
    res = add_messages(res, audit.rules)
    if audit.closures is not None:  # "...; due in the summer closure"
        res = mark_due_in_closure(res, audit.closures)
    rules = _attach(audit, res, personal)
    dq = _attach(audit, quality, personal).with_columns(
        pl.col("check").alias("rule"), pl.lit(None, pl.String).alias("kind"),
        pl.lit(None, pl.Int32).alias("cycle"), pl.lit("invalid").alias("status"), pl.lit(None, pl.Date).alias("start"),
        pl.lit(None, pl.Date).alias("due"), pl.lit(None, pl.Date).alias("done"),
        pl.lit(None, pl.Int64).alias("days_over"), pl.lit(None, pl.String).alias("exception"),
    )
    keys = list(FINDING_KEYS) + [c for c in PERSONAL if personal and c in rules.columns] + list(extra)
    cycle = [] if "cycle" in keys else ["cycle"]  # a finding's identity, for its note
    both = pl.concat([rules.select(*keys, *cycle), dq.select(*keys, *cycle)],
                     how="vertical_relaxed")
    if audit.notes is not None:  # the latest note of each finding (history/notes.py)
        both = both.join(audit.notes.cast({c: both.schema[c] for c in KEY}), on=KEY,
                         how="left", nulls_equal=True, maintain_order="left")
        # Shown beside the findings still to act on; a finding resolved since (met, late) keeps
        # its notes in the history only.
        acting = pl.col("status").is_in(NOTED_STATUSES)
        both = both.with_columns(pl.when(acting).then(pl.col(c)).alias(c)
                                 for c in ("note", "note_by", "note_date"))
        keys += ["note", "note_by", "note_date"]
    both = both.select(keys)
    rank = pl.col("status").replace_strict(STATUS_RANK, return_dtype=pl.Int32)
    return both.sort(
        [pl.col("rule"), pl.col("kind"), rank, pl.col("days_over"), pl.col("source"), pl.col("row"),
         pl.col("message")],
        descending=[False, False, False, True, False, False, False], nulls_last=True,
        maintain_order=True)


def listed(audit: Audit, found: pl.DataFrame) -> pl.DataFrame:
    """The findings a list shows: with --untouched, only those with no note in the window (the
    counts, the caseload and --fail-on are never filtered)."""
    if not audit.untouched:
        return found
    from sendcheck.history.notes import untouched_only

    return untouched_only(found, audit.options.as_of, audit.note_days)


def summary(audit: Audit) -> dict[str, dict[str, int]]:
    counts = audit.judgement.counts()
    out: dict[str, dict[str, int]] = {
        run.rule.code: {s: 0 for s in STATUSES} for run in audit.runs if run.skipped is None}
    for rule, status, n in counts.iter_rows():
        out[rule][status] = n
    return out


def quality_summary(audit: Audit) -> list[dict]:
    counts = dict(audit.quality.group_by("check").len().iter_rows())
    out = []
    for code, skipped in audit.quality_skipped.items():
        check = BY_CODE[code]
        out.append({"check": code, "name": check.name, "title": check.title,
                    "findings": counts.get(code, 0), "action": check.action,
                    "skipped": list(skipped) if skipped else None})
    return out


def new_findings(audit: Audit, strict: bool = False) -> int:
    """`--fail-on new`: overdue, due-soon and invalid findings the previous run in the history
    did not have, and rules that ran then and are skipped now (rules at error severity unless
    `strict`; every data-quality check)."""
    changes = audit.changes
    if changes is None:
        return 0
    counted = [code for code, r in audit.rules.items() if strict or r.severity == "error"]
    chosen = pl.col("rule").is_in(counted) | pl.col("rule").str.starts_with("DQ")
    return sum(f.filter(chosen).height
               for f in (changes.new_overdue, changes.new_due_soon, changes.new_invalid)) + sum(
        code in counted for code in changes.newly_skipped)


def parse_fail_on(text: str) -> frozenset[str]:
    """--fail-on's comma-separated categories (contract section 7). They do not nest: each names
    the statuses it fails on; `breach` is short for late, early, overdue and missed."""
    chosen = [p.strip().lower().replace("-", "_") for p in text.split(",") if p.strip()]
    unknown = [c for c in chosen if c not in FAIL_CATEGORIES]
    if unknown or not chosen:
        raise SendcheckError(f"--fail-on: {', '.join(unknown) or repr(text)} is not a category "
                             f"(choose from {', '.join(FAIL_CATEGORIES)}, comma-separated)")
    if "none" in chosen and len(chosen) > 1:
        raise SendcheckError("--fail-on: none cannot be combined with other categories")
    expanded = set(chosen) - {"breach", "none"}
    if "breach" in chosen:
        expanded |= set(BREACH_STATUSES)
    return frozenset(expanded)


def failing(audit: Audit, categories: frozenset[str], strict: bool = False) -> list[str]:
    """The chosen categories that have a finding at error severity (warning-severity rules count
    only with --strict; suppressed findings never count), in FAIL_CATEGORIES order."""
    severity = {r.code: r.severity for r in audit.rules.values()}
    counted = [code for code, sev in severity.items() if strict or sev == "error"]
    # (Every category is a status that can be suppressed: the open findings of those statuses.)
    found = audit.judgement.findings(LISTED, counted)
    statuses = set(open_results(found, audit.suppressed).get_column("status").unique().to_list())
    if audit.quality.height:  # a data-quality check is an invalid finding
        statuses.add("invalid")
    if "new" in categories and new_findings(audit, strict):
        statuses.add("new")
    skipped = audit.coverage.skipped if audit.coverage is not None else {}
    if any(code in counted for code in skipped):
        statuses.add("skipped")
    return [c for c in FAIL_CATEGORIES if c in categories and c in statuses]


def totals(audit: Audit) -> dict[str, int]:
    res = open_results(audit.judgement.findings(("overdue", "due_soon")), audit.suppressed)
    return {
        "overdue": res.filter(pl.col("status") == "overdue").height,
        "due_soon": res.filter(pl.col("status") == "due_soon").height,
        "data_quality": audit.quality.height,
    }


def rows_account(audit: Audit) -> dict[str, int]:
    """Rows read = rows evaluated + rows rejected (blank rows and report footers are the only
    rows not evaluated)."""
    return {"read": audit.rows_read, "evaluated": audit.episodes.height,
            "rejected": audit.rows_blank + audit.rows_footer}


def rows_line(audit: Audit) -> str:
    """The rows account as every text view prints it, with why rows were rejected."""
    acc = rows_account(audit)
    return (f"rows: {acc['read']:,} read, {acc['evaluated']:,} evaluated, {acc['rejected']:,} "
            f"rejected ({audit.rows_blank:,} blank, {audit.rows_footer:,} footer)")


def rejected_rows(audit: Audit) -> dict:
    """JSON `rejected_rows`: how many blank rows, and each footer row with its text."""
    return {"blank": audit.rows_blank,
            "footer": [{"source": t.path.replace("\\", "/").rsplit("/", 1)[-1], "row": row,
                        "text": text} for t in audit.tables for row, text in t.footers]}


def rules_list(audit: Audit) -> list[dict]:
    out = []
    for run in audit.runs:
        r = run.rule
        item = {"code": r.code, "name": r.name, "severity": r.severity, "source": r.source,
                "url": r.url, "skipped": list(run.skipped) if run.skipped else None}
        if run.missing_kinds:
            item["kinds_skipped"] = list(run.missing_kinds)
        out.append(item)
    return out


def coverage_json(audit: Audit) -> dict:
    """JSON `coverage`: the rules that ran, those skipped in the sense of --fail-on skipped
    (with the columns each lacked) and the families not in this export (with their rules)."""
    c = audit.coverage
    if c is None:
        return {"ran": [r.rule.code for r in audit.runs if r.skipped is None], "skipped": {},
                "not_in_export": {}}
    return {"ran": list(c.ran), "skipped": {k: list(v) for k, v in c.skipped.items()},
            "not_in_export": {k: list(v) for k, v in c.absent.items()}}


def coverage_lines(audit: Audit) -> tuple[str | None, str | None]:
    """What every view says before any count of cases: the rules skipped (how many, which,
    missing what; None when none was), and, quietly, the families not in this export."""
    c = audit.coverage
    return (c.skipped_line(), c.absent_line()) if c is not None else (None, None)


def cron_line(audit: Audit) -> str:
    """The one line every run ends with on stderr: as-of date, inputs, the rows account, the
    rules skipped (before any count), then the cases (judge/cases.py) and the findings a nightly
    log is read for, each saying which it counts (stable: scripts grep it)."""
    from sendcheck.judge.cases import case_counts
    from sendcheck.views.files import display_name

    names = " ".join(display_name(t.path.rsplit("/", 1)[-1]) for t in audit.tables)
    t, cases = totals(audit), case_counts(audit.cases)
    acc = rows_account(audit)
    skipped = audit.coverage.skipped_line() if audit.coverage is not None else None
    from sendcheck.views.changes import new_since

    return (f"sendcheck: {audit.options.as_of} {names} {acc['read']} rows read, "
            f"{acc['evaluated']} evaluated, {acc['rejected']} rejected: "
            + (f"{skipped}; " if skipped else "")
            + f"{cases['cases_overdue']} cases overdue, {cases['cases_due_soon']} due soon; "
            f"{t['overdue']} findings overdue, {t['due_soon']} due soon; "
            f"{t['data_quality']} data-quality findings" + new_since(audit))


GUIDANCE = "guidance"  # a warning-severity rule: the Code of Practice's "should", not the law's


def duty(audit: Audit) -> pl.Expr:
    """`statutory` for a rule at error severity (a legal "must"), `guidance` for one at warning
    severity (RV05: the Code of Practice); data-quality checks are statutory's records."""
    guidance = [code for code, r in audit.rules.items() if r.severity == "warning"]
    return (pl.when(pl.col("rule").cast(pl.String).is_in(guidance)).then(pl.lit(GUIDANCE))
            .otherwise(pl.lit("statutory")).alias("duty"))


def most_overdue_first(audit: Audit, overdue: pl.DataFrame) -> pl.DataFrame:
    """The overdue findings as every list a team reads first orders them: statutory breaches,
    most overdue first, then the guidance rules' in their own block (column `duty`); ties in a
    fixed order (rule, kind, file, row), the same on every run and in every view."""
    return (overdue.with_columns(duty(audit))
            .sort([pl.col("duty") == GUIDANCE, "days_over", "rule", "kind", "source", "row"],
                  descending=[False, True, False, False, False, False], nulls_last=True,
                  maintain_order=True))


def per_caseworker(found: pl.DataFrame) -> pl.DataFrame:
    """Open findings per caseworker (a blank caseworker is "(unallocated)"), most overdue first."""
    who = pl.col("caseworker").fill_null("(unallocated)").replace("", "(unallocated)")
    return (found.group_by(who.alias("caseworker")).agg(
        (pl.col("status") == "overdue").sum().alias("overdue"),
        pl.col("record_id").filter(pl.col("status") == "overdue").n_unique().alias("cases"),
        (pl.col("status") == "due_soon").sum().alias("due_soon"),
        pl.col("status").is_in(["late", "early"]).sum().alias("late"),
        (pl.col("status") == "missed").sum().alias("missed"),
        pl.col("rule").str.starts_with("DQ").sum().alias("dq"))
        .sort(["overdue", "due_soon", "caseworker"], descending=[True, True, False]))
