"""The engine: every (rule, episode) pair gets exactly one status, by whole-table expressions.

Order of judgement for one pair (first that holds wins):
  0. not_applicable the start event (recorded, or derived from readable columns) has not
                    happened and no end is recorded
  1. invalid        a date the rule needs is unreadable, or after the as-of date, or a derived
                    date (sendcheck.anchors) cannot be worked out from what is recorded, or a
                    coded value a condition reads is not a known value
  2. not_applicable a `not_applicable` condition holds (e.g. due before the plan transferred
                    in: the previous authority's), or an `applies` condition fails
     invalid        an `undated_outcome` holds: the end event is recorded without its date
     missed         the duty ended undone (`ends_with`: the plan ceased, the request was
                    withdrawn) after its due date had passed; not_applicable when it ended on
                    or before the due date
  3. invalid        the end event is recorded but the start is not
  4. not_applicable the start event has not happened
  5. invalid        the end is before the start
  6. excepted       an exception the rule's regulation allows applies
  7. met / late / early (end recorded) or overdue / due_soon / pending (not yet done)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from sendcheck.columns import BY_NAME, DEADLINE_COLUMNS, PERSONAL
from sendcheck.judge.anchors import ANCHORS, DEFAULT_SCHOOL_TRANSFER_YEARS, ENDINGS, Context
from sendcheck.judge.durations import HOLIDAY_YEARS
from sendcheck.judge.rulebook import Condition, Rule

STATUSES = ("met", "late", "early", "overdue", "missed", "due_soon", "pending", "excepted",
            "invalid", "not_applicable")
# SI 2020/471 relaxed the limits only where they fell in this window (timescales.md section 3).
COVID_FROM, COVID_TO = dt.date(2020, 5, 1), dt.date(2020, 9, 25)
KIND_LABELS = {"ep": "EP", "health": "health", "social_care": "social care",
               "education": "education", "other": "other"}

# Codes and texts that repeat down a million rows are categorical: 19 rule/kind runs over a
# million episodes are 19 million results, and as plain text they took gigabytes and seconds
# per group-by. They read (==, is_in, to_dicts, output) as text; categoricals sort as text.
STATUS = pl.Enum(STATUSES)  # one byte a status (UInt8 physical)
RESULT_SCHEMA = {
    "rule": pl.Categorical, "kind": pl.Categorical, "status": STATUS,
    "_idx": pl.UInt32, "start": pl.Date, "due": pl.Date, "done": pl.Date, "days_over": pl.Int64,
    "exception": pl.Categorical, "reason": pl.Categorical,
    "cycle": pl.Int32,  # review cycle (1 = plan to first review) when judged from --reviews
}


@dataclass(frozen=True)
class RuleRun:
    """Whether a rule ran, and if not, which columns it lacked."""

    rule: Rule
    kinds: tuple[str, ...]  # advice kinds evaluated (AS02); () for other rules
    skipped: tuple[str, ...] | None  # missing columns when the rule could not run
    missing_kinds: tuple[str, ...] = ()


def plan_runs(rules: list[Rule], columns: set[str]) -> list[RuleRun]:
    runs = []
    for rule in rules:
        if rule.kinds:
            ok = tuple(k for k in rule.kinds if set(rule.columns(k)) <= columns)
            missing = tuple(k for k in rule.kinds if k not in ok)
            if ok:
                runs.append(RuleRun(rule, ok, None, missing))
            else:
                need = [c for k in rule.kinds for c in rule.columns(k) if c not in columns]
                runs.append(RuleRun(rule, (), tuple(dict.fromkeys(need))))
        else:
            need = [c for c in rule.columns() if c not in columns]
            need += [" or ".join(group) for group in rule.needs_any()
                     if not any(c in columns for c in group)]
            runs.append(RuleRun(rule, (), tuple(need) or None))
    return runs


def _date(name: str, ctx: Context) -> pl.Expr:
    """A column, or a derived date from sendcheck.anchors."""
    if name in ANCHORS:
        return ANCHORS[name].build(ctx)
    return ctx.col(name)


def condition_expr(cond: Condition, columns: set[str], ctx: Context | None = None,
               dates: dict[str, pl.Expr] | None = None) -> pl.Expr:
    """True where the condition holds; a column the export lacks never satisfies it.

    `dates` gives the rule's own start, due and end, which the date conditions compare with.
    """
    if ctx is not None and cond.in_force:
        # Issued by the due date. A plan that has since ceased is the rule's `ends_with`
        # (plan_ceased): missed when the duty was already overdue, else not_applicable.
        # (No due date yet means the start is blank: that reason is given further on.)
        return pl.col("final_plan_date").is_not_null() & (
            pl.col("final_plan_date") <= dates["due"]).fill_null(True)
    if ctx is not None and cond.due_before:
        # The duty fell due before that recorded date (a plan transferred in: the previous
        # authority's duty). A blank date never satisfies it; an unreadable one is invalid above.
        return (dates["due"] < ctx.col(cond.column)).fill_null(False)
    if ctx is not None and cond.age_under is not None:
        from sendcheck.judge.durations import Duration

        birthday = Duration(12 * cond.age_under, "mo").add(pl.col("birth_date"))
        return (birthday > dates["start"]).fill_null(False)
    if ctx is not None and (cond.before or cond.on_or_after):
        left = _date(cond.column, ctx)
        if cond.before:
            return (left < _date(cond.before, ctx)).fill_null(False)
        return (left >= _date(cond.on_or_after, ctx)).fill_null(False)
    if cond.column not in columns:
        return pl.lit(False) if cond.present is not False else pl.lit(True)
    col = pl.col(cond.column)
    if cond.present is not None:
        return col.is_not_null() if cond.present else col.is_null()
    return col.is_in(list(cond.values)).fill_null(False)


def _describe(cond: Condition) -> str:
    if cond.reason:
        return cond.reason
    if cond.present is not None:
        return f"{cond.column} {'recorded' if cond.present else 'blank'}"
    if cond.in_force:
        return "the plan was issued by the due date"
    if cond.age_under is not None:
        return f"the child was under {cond.age_under} at the start"
    if cond.due_before:
        return f"due before {cond.column}"
    if cond.before or cond.on_or_after:
        return (f"{cond.column} is before {cond.before}" if cond.before
                else f"{cond.column} is on or after {cond.on_or_after}")
    return f"{cond.column} is {'/'.join(cond.values)}"


def exception_expr(rule: Rule, due: pl.Expr, columns: set[str]) -> pl.Expr:
    """The allowed exception that applies (its name), or null."""
    reason = pl.col("exception_reason") if "exception_reason" in columns else pl.lit(None, pl.String)
    flag = pl.col("exception_20w") if "exception_20w" in columns else pl.lit(None, pl.String)
    flag_off = (flag == "0").fill_null(False)
    plain = [r for r in rule.exceptions if r != "coronavirus_2020"]
    out = pl.when(reason.is_in(plain).fill_null(False) & ~flag_off).then(reason)
    if "coronavirus_2020" in rule.exceptions:
        covid = (reason == "coronavirus_2020") & due.is_between(pl.lit(COVID_FROM), pl.lit(COVID_TO))
        out = out.when(covid.fill_null(False) & ~flag_off).then(reason)
    if rule.flag_excepts:
        # A 20-week flag with no reason recorded excepts the case, as DfE counts it (contract
        # 2.1; DQ06 reports the gap). A flag whose recorded reason this limit does not allow
        # (a missed appointment; coronavirus outside its window) excepts nothing here: the law
        # sets the status. DfE's own figure, which follows the flag alone, is in the measures.
        out = out.when((flag == "1").fill_null(False) & reason.is_null()).then(
            pl.lit("flagged, no reason"))
    return out.otherwise(None)


class _Reasons:
    """Why a pair is invalid or not applicable: the first (condition, reason) that holds.

    Fixed texts come from the branch number; texts made from the row's own values are formatted
    only for the rows whose branch needs them (a few in a thousand), then joined back: formatting
    a date as text for every row in every branch was half the cost of evaluating the rules.
    """

    def __init__(self) -> None:
        self.branches: list[tuple[pl.Expr, str | pl.Expr]] = []

    def add(self, when: pl.Expr, why: str | pl.Expr) -> None:
        self.branches.append((when, why))

    def branch(self) -> pl.Expr:
        """The number of the first branch that holds, or null."""
        out = pl.when(pl.lit(False)).then(pl.lit(None, pl.UInt16))
        for i, (when, _) in enumerate(self.branches):
            out = out.when(when).then(pl.lit(i, pl.UInt16))
        return out.otherwise(None)

    def fixed(self, branch: pl.Expr) -> pl.Expr:
        texts = {i: why for i, (_, why) in enumerate(self.branches) if isinstance(why, str)}
        return branch.replace_strict(texts, default=None, return_dtype=pl.Categorical)

    def fill_in(self, frame: pl.DataFrame | pl.LazyFrame, rows: pl.DataFrame | pl.LazyFrame,
                branch: pl.Expr) -> pl.DataFrame | pl.LazyFrame:
        """`frame` (with `_rule_row`) with the formatted reasons put in, `_rule_row` dropped."""
        made = [(i, why) for i, (_, why) in enumerate(self.branches) if not isinstance(why, str)]
        if made:
            text = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
            for i, why in made:
                text = text.when(branch == i).then(why)
            detail = rows.filter(branch.is_in([i for i, _ in made])).select(
                "_rule_row", text.otherwise(None).cast(pl.Categorical).alias("_reason_made"))
            frame = frame.join(detail, on="_rule_row", how="left", maintain_order="left").with_columns(
                pl.coalesce("_reason_made", "reason").alias("reason")).drop("_reason_made")
        return frame.drop("_rule_row")


class _Chain:
    """The status chain and the reason of each branch, built side by side (first that holds
    wins in both)."""

    def __init__(self) -> None:
        self.status = pl.when(pl.lit(False)).then(pl.lit(None, STATUS))
        self.reasons = _Reasons()

    def add(self, when: pl.Expr, status: str, why: str | pl.Expr) -> None:
        self.status = self.status.when(when).then(pl.lit(status, STATUS))
        self.reasons.add(when, why)


@dataclass
class Judging:
    """One rule (one advice kind) set up for frames of given columns: its start, end, due date
    and the date its duty ended as columns (`_rule_start`, ...), and the status and reason chains
    built on them. Built once (building the expressions in Python is most of the cost on a small
    file), then applied to any frame with those columns: `status` and `evaluate`."""

    rule: Rule
    kind: str | None
    ctx: Context
    start_col: str
    end_col: str
    chain: _Chain
    exception: pl.Expr | None = None
    stages: list[list[pl.Expr]] = field(default_factory=list)  # with_columns, in order

    @property
    def columns(self) -> frozenset[str]:
        return self.ctx.columns

    def dates(self) -> dict[str, pl.Expr]:
        return {"start": pl.col("_rule_start"), "end": pl.col("_rule_end"),
                "due": pl.col("_rule_due")}

    def over(self, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
        """`frame` with the rule's `_rule_*` columns."""
        for stage in self.stages:
            frame = frame.with_columns(stage)
        return frame

    def status(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """The status alone, one row per row of `frame`, as `status`."""
        return self.over(frame).select(self.chain.status.alias("status"))

    @cached_property
    def _finding(self) -> tuple[pl.Expr, list[pl.Expr], pl.Expr, list[pl.Expr]]:
        """The expressions of `evaluate` (built on its first call, then reused)."""
        reason, dates = self.chain.reasons, self.dates()
        branch = pl.col("_reason_branch")
        columns = [
            pl.lit(self.rule.code).alias("rule"),
            pl.lit(self.kind, pl.String).alias("kind"),
            self.chain.status.alias("status"),
            pl.col("_idx"),
            dates["start"].alias("start"),
            dates["due"].alias("due"),
            dates["end"].alias("done"),
            (self.exception if self.exception is not None else pl.lit(None, pl.String)
             ).alias("exception"),
            reason.fixed(branch).alias("reason"),
            self.ctx.col("_cycle", pl.Int32).alias("cycle"),
            pl.col("_rule_row"),
            pl.col("_rule_ended"),
        ]
        timed = pl.col("status").is_in(["met", "late", "early", "overdue", "due_soon", "pending"])
        days = (pl.coalesce(pl.col("done"), pl.lit(self.ctx.as_of)) - pl.col("due")).dt.total_days()
        # A missed duty: days past the due date on the day the duty ended.
        ended_days = (pl.col("_rule_ended") - pl.col("due")).dt.total_days()
        after = [
            pl.when(timed).then(days).when(pl.col("status") == "missed").then(ended_days)
            .otherwise(None).cast(pl.Int64).alias("days_over"),
            # An excepted case keeps its exception; others show none.
            pl.when(pl.col("status") == "excepted").then(pl.col("exception")).alias("exception"),
        ]
        return reason.branch().alias("_reason_branch"), columns, branch, after

    def evaluate(self, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
        """Every row of `frame`: a frame of RESULT_SCHEMA (lazy when `frame` is lazy), with the
        dates, days over, exception and reason a finding shows."""
        branch_col, columns, branch, after = self._finding
        rows = self.over(frame).with_row_index("_rule_row").with_columns(branch_col)
        found = self.chain.reasons.fill_in(rows.select(columns), rows, branch)
        return found.with_columns(after).select(list(RESULT_SCHEMA)).cast(RESULT_SCHEMA)


def _set_up(columns: frozenset[str], rule: Rule, kind: str | None, as_of: dt.date,
            school_transfer_years: tuple[str, ...] | None, years: range) -> Judging:
    ctx = Context(as_of, frozenset(columns),
                  tuple(school_transfer_years or DEFAULT_SCHOOL_TRANSFER_YEARS))
    start_col, end_col = rule.for_kind(kind)
    # The start, end and due dates are worked out once, as columns, and referred to by name
    # below: a derived date (the phase-transfer anchors) is a large expression, and repeating it
    # in every branch of the status and reason chains cost seconds per million rows.
    stages = [[_date(start_col, ctx).alias("_rule_start"), _date(end_col, ctx).alias("_rule_end")]]
    start = pl.col("_rule_start")
    bound = rule.limit.sub(start, years) if rule.mode == "before" else rule.limit.add(start, years)
    due = bound
    if rule.later_of:
        # e.g. TR02 (reg 15(5)): the later of 3 months from the transfer and 12 months from the
        # plan or last review.
        due = pl.max_horizontal(due, rule.later_of[1].add(_date(rule.later_of[0], ctx), years))
    endings = [ENDINGS[name] for name in rule.ends_with]
    ends = [pl.col(f"_ends_{e.name}") if f"_ends_{e.name}" in columns else e.build(ctx)
            for e in endings]  # (worked out once for every rule by `evaluate`)
    ended_on = pl.min_horizontal(ends) if endings else pl.lit(None, pl.Date)
    stages.append([bound.alias("_rule_bound"), due.alias("_rule_due"),
                   ended_on.alias("_rule_ended")])
    return Judging(rule, kind, ctx, start_col, end_col, _Chain(), stages=stages)


def _date_columns(j: Judging) -> list[str]:
    """The recorded date columns the rule reads: unreadable or future, the pair is invalid."""
    rule, anchors = j.rule, j.rule.anchors(j.kind)
    endings = [ENDINGS[name] for name in rule.ends_with]
    return [c for c in dict.fromkeys((j.start_col, j.end_col, *rule.requires, *rule.uses,
                                      *(c for a in anchors for c in (*a.needs, *a.uses)),
                                      *(c for cond in (*rule.not_applicable, *rule.applies)
                                        for c in cond.columns()),
                                      # (whose duty it was cannot be told from an
                                      # unreadable transfer date)
                                      *(cond.column for cond in rule.not_applicable
                                        if cond.due_before),
                                      *(c for e in endings for c in e.judged)))
            if c in j.columns and c in BY_NAME and BY_NAME[c].kind == "date"]


def _not_started(j: Judging) -> None:
    """Step 0: the rule's starting event (a request, a transfer in, a school transfer window,
    ...) has not happened and no end is recorded: the rule does not apply to the episode, so
    another date the rule reads being unreadable or in the future does not affect it (DQ01 and
    DQ03 report that cell on their own)."""
    start_col, end_col, columns = j.start_col, j.end_col, j.columns
    if start_col in ANCHORS:
        anchor = ANCHORS[start_col]
        readable = [pl.col(f"{c}__err").is_null() for c in anchor.columns()
                    if c in columns and f"{c}__err" in columns]
        worked_out = [~bad for bad, _ in anchor.problems(j.ctx)]
        untriggered = pl.col("_rule_start").is_null() & pl.all_horizontal(
            [pl.lit(True), *readable, *worked_out])
        why = anchor.absent(j.ctx) if anchor.absent else f"no {start_col}"
    else:
        untriggered = pl.col(start_col).is_null() & pl.col(f"{start_col}__err").is_null()
        why = f"no {start_col}"
    if end_col not in ANCHORS:
        untriggered = untriggered & pl.col(end_col).is_null() & pl.col(f"{end_col}__err").is_null()
    j.chain.add(untriggered, "not_applicable", why)


def _unusable(j: Judging) -> None:
    """Step 1: a date the rule needs is unreadable, after the as-of date, or cannot be derived."""
    as_of, as_of_lit = j.ctx.as_of, pl.lit(j.ctx.as_of)
    date_cols = _date_columns(j)
    for c in date_cols:
        # (`c__err` says why: not a date, or a date before the reforms: sendcheck.episodes.)
        j.chain.add(pl.col(f"{c}__err").is_not_null(), "invalid",
                    pl.format(f"{c} cannot be used: {{}}", pl.col(f"{c}__err")))
    for c in (c for c in date_cols if c not in DEADLINE_COLUMNS):
        # (Only column values as format arguments: polars 2.1 panics formatting a literal in a
        # query whose filter leaves an empty batch.)
        j.chain.add((pl.col(c) > as_of_lit).fill_null(False), "invalid",
                    f"{c} (not shown) is after the as-of date {as_of}" if c in PERSONAL
                    else pl.format(f"{c} {{}} is after the as-of date {as_of}", pl.col(c)))
    # A coded value a condition reads that is not a known value (DQ10 names the cell): whether
    # the rule applies cannot be told ('Pending panel' as the decision whether to assess), so
    # invalid, never judged as if the cell were blank.
    coded = dict.fromkeys(cond.column for cond in (*j.rule.not_applicable, *j.rule.applies)
                          if cond.values is not None)
    for c in (c for c in coded if c in j.columns and f"{c}__raw" in j.columns):
        j.chain.add((pl.col(c) == "?").fill_null(False), "invalid",  # (read.episodes' marker)
                    pl.format(f"{c} '{{}}' is not a known value, so whether this rule "
                              f"applies cannot be told", pl.col(f"{c}__raw")))
    for anchor in j.rule.anchors(j.kind):
        for bad, why in anchor.problems(j.ctx):
            j.chain.add(bad, "invalid", why)
    for name, expr in ((j.start_col, pl.col("_rule_start")), (j.end_col, pl.col("_rule_end"))):
        if name in ANCHORS:
            j.chain.add((expr > as_of_lit).fill_null(False), "invalid",
                        pl.format(f"{name} {{}} is after the as-of date {as_of}", expr))


def _out_of_scope(j: Judging) -> None:
    """Step 2: the rule's not_applicable and applies conditions."""
    for cond in j.rule.not_applicable:
        why = _describe(cond)
        j.chain.add(condition_expr(cond, set(j.columns), j.ctx, j.dates()), "not_applicable",
                    pl.format(f"due {{}}, before {cond.column} {{}}: {why}", pl.col("_rule_due"),
                              j.ctx.col(cond.column)) if cond.due_before else why)
    for cond in j.rule.applies:
        j.chain.add(~condition_expr(cond, set(j.columns), j.ctx, j.dates()), "not_applicable",
                    f"applies only when {_describe(cond)}")
    # An outcome recorded without its date (contract section 3): the end event happened, its
    # date is missing, so the rule cannot be judged: invalid with the rule file's reason, never
    # a running overdue. (An unreadable end date is already invalid above.)
    for cond in j.rule.undated_outcome:
        j.chain.add(pl.col("_rule_end").is_null()
                    & condition_expr(cond, set(j.columns), j.ctx, j.dates()), "invalid",
                    _describe(cond))


def _ended(j: Judging) -> None:
    """Step 2, the duty ended (`ends_with`): done before it ended is judged as usual; not done
    by then (or "done" only on or after that day, as a withdrawal's own outcome date is) is
    missed when the due date had passed, not_applicable when the duty ended first."""
    endings = [ENDINGS[name] for name in j.rule.ends_with]
    if not endings:
        return
    start, end, due = pl.col("_rule_start"), pl.col("_rule_end"), pl.col("_rule_due")
    ended = pl.col("_rule_ended")
    ends = {e.name: (pl.col(f"_ends_{e.name}") if f"_ends_{e.name}" in j.columns
                     else e.build(j.ctx)) for e in endings}
    # Worked out once, as a column (1 missed, 2 ended first, 3 ended on a date not recorded),
    # for both chains.
    undone = ended.is_not_null() & start.is_not_null() & (
        end.is_null() | (end >= ended)).fill_null(True)
    state = (pl.when(undone & (due < ended).fill_null(False)).then(pl.lit(1, pl.UInt8))
             .when(undone).then(pl.lit(2, pl.UInt8)))
    undated = [e for e in endings if e.undated is not None]
    for i, e in enumerate(undated):
        state = state.when(e.undated(j.ctx) & end.is_null()).then(pl.lit(3 + i, pl.UInt8))
    j.stages.append([state.otherwise(None).alias("_rule_end_state")])
    state = pl.col("_rule_end_state")
    said = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for e in endings:  # (texts in the format strings: see the note on literals in _unusable)
        said = said.when(ended == ends[e.name]).then(pl.format(f"{e.what} on {{}}", ended))
    j.chain.add((state == 1).fill_null(False), "missed", said.otherwise(None))
    j.chain.add((state == 2).fill_null(False), "not_applicable", pl.format(
        "{}, on or before the due date {}: the duty ended before it fell due",
        said.otherwise(None), due))
    for i, e in enumerate(undated):
        j.chain.add((state == 3 + i).fill_null(False), "not_applicable", e.undated_reason)


def _out_of_order(j: Judging) -> None:
    """Steps 3-5: an end with no start, no start, an end before the start."""
    start, end = pl.col("_rule_start"), pl.col("_rule_end")
    start_col, end_col = j.start_col, j.end_col
    # A derived end (an amended plan in the transfer window) means nothing without its start.
    no_start_done = start.is_null() & end.is_not_null() & pl.lit(end_col not in ANCHORS)
    j.chain.add(no_start_done, "invalid", f"{end_col} recorded but {start_col} is blank")
    absent = ANCHORS[start_col].absent if start_col in ANCHORS else None
    j.chain.add(start.is_null(), "not_applicable",
                absent(j.ctx) if absent else f"no {start_col}")
    # (In "before" mode the end rightly precedes the start: a review before the move.)
    backwards = (end < start).fill_null(False) & pl.lit(j.rule.mode != "before")
    j.chain.add(backwards, "invalid",
                pl.format(f"{end_col} {{}} is before {start_col} {{}}", end, start))


def _timed(j: Judging, due_within: int) -> None:
    """Steps 6-7: excepted, then met / late / early, or overdue / due_soon / pending."""
    end, due, bound = pl.col("_rule_end"), pl.col("_rule_due"), pl.col("_rule_bound")
    as_of_lit = pl.lit(j.ctx.as_of)
    rule, chain = j.rule, j.chain
    if rule.exceptions or rule.flag_excepts:
        j.exception = exception_expr(rule, due, set(j.columns))
        # Done in time is met whatever else applies; an exception only lifts a limit that bit.
        chain.status = (chain.status.when(end.is_not_null() & (end <= due))
                        .then(pl.lit("met", STATUS))
                        .when(j.exception.is_not_null()).then(pl.lit("excepted", STATUS)))
    if rule.mode == "earliest":
        # A minimum gap (AS04): the end must come no earlier than start + limit.
        chain.status = (chain.status.when(end.is_null()).then(pl.lit("pending", STATUS))
                        .when(end < bound).then(pl.lit("early", STATUS))
                        .otherwise(pl.lit("met", STATUS)))
    else:
        left = (due - as_of_lit).dt.total_days()
        chain.status = (chain.status.when(end.is_not_null() & (end <= due))
                        .then(pl.lit("met", STATUS))
                        .when(end.is_not_null()).then(pl.lit("late", STATUS))
                        .when(as_of_lit > due).then(pl.lit("overdue", STATUS))
                        .when(left <= due_within).then(pl.lit("due_soon", STATUS))
                        .otherwise(pl.lit("pending", STATUS)))


def _historical_notes(j: Judging) -> None:
    """SEN2's H (historical): the return does not give the outcome, so the dates were judged as
    recorded; a note on the finding says so (last, so it never hides a reason above)."""
    rule = j.rule
    tags = {c: tag for c, tag in (("request_outcome", "RequestOutcome"),
                                  ("assessment_outcome", "AssessmentOutcome"))
            if c in j.columns and c in (*rule.uses, *rule.requires,
                                        *(cond.column for cond in (*rule.not_applicable,
                                                                   *rule.applies)))}
    said = {c: (pl.col(c) == "historical").fill_null(False) for c in tags}
    if len(said) == 2:
        j.chain.reasons.add(said["request_outcome"] & said["assessment_outcome"],
                            "RequestOutcome and AssessmentOutcome H (historical): the outcomes "
                            "are not given, so the dates were judged as recorded")
    for c, told in said.items():
        j.chain.reasons.add(told, f"{tags[c]} H (historical): the outcome is not given, so the "
                                  f"dates were judged as recorded")


def judge_rule(columns: frozenset[str], rule: Rule, kind: str | None, as_of: dt.date,
               due_within: int, school_transfer_years: tuple[str, ...] | None = None,
               years: range = HOLIDAY_YEARS) -> Judging:
    """The rule set up for frames of these columns, its status and reason chains in the module's
    order (`years`: those the frames' dates fall in, durations.add_working_days)."""
    j = _set_up(columns, rule, kind, as_of, school_transfer_years, years)
    for step in (_not_started, _unusable, _out_of_scope, _ended, _out_of_order):
        step(j)
    _timed(j, due_within)
    _historical_notes(j)
    return j


def evaluate_rule(episodes: pl.DataFrame | pl.LazyFrame, rule: Rule, kind: str | None,
                  as_of: dt.date, due_within: int,
                  school_transfer_years: tuple[str, ...] | None = None
                  ) -> pl.DataFrame | pl.LazyFrame:
    """One rule (one advice kind) over every episode: a frame of RESULT_SCHEMA (lazy when
    `episodes` is lazy), with the dates, days over, exception and reason a finding shows."""
    columns = frozenset(episodes.collect_schema().names())
    return judge_rule(columns, rule, kind, as_of, due_within, school_transfer_years
                      ).evaluate(episodes)


def add_messages(found: pl.DataFrame, rules: dict[str, Rule]) -> pl.DataFrame:
    """Attach `message` to a (small) frame of reported findings (its codes and texts as plain
    text from here on, as every output shows them)."""
    found = found.with_columns(pl.col(c).cast(pl.String) for c in
                               ("rule", "kind", "status", "exception", "reason"))
    texts = pl.DataFrame({
        "rule": list(rules),
        "_done": [r.done_text for r in rules.values()],
        "_missing": [r.missing_text for r in rules.values()],
        "_label": [r.limit_label for r in rules.values()],
        "_earliest": [r.mode == "earliest" for r in rules.values()],
    })
    kind_label = pl.col("kind").replace_strict(KIND_LABELS, default=pl.col("kind"))
    prefix = pl.when(pl.col("kind").is_not_null()).then(kind_label + pl.lit(" ")).otherwise(pl.lit(""))
    reason_prefix = pl.when(pl.col("kind").is_not_null()).then(kind_label + pl.lit(" advice: ")).otherwise(pl.lit(""))
    if "cycle" in found.columns:  # one finding per review cycle (--reviews): say which
        cycle = pl.format("review cycle {}: ", pl.col("cycle"))
        cycle = pl.when(pl.col("cycle").is_not_null()).then(cycle).otherwise(pl.lit(""))
        prefix, reason_prefix = cycle + prefix, cycle + reason_prefix
    days = pl.col("days_over")
    plural = pl.when(days.abs() == 1).then(pl.lit("day")).otherwise(pl.lit("days"))
    msg = (
        pl.when((pl.col("status") == "met") & pl.col("_earliest")).then(pl.format(
            "{}{} on {}, no earlier than {} (the {} minimum)", prefix, pl.col("_done"),
            pl.col("done"), pl.col("due"), pl.col("_label")))
        .when(pl.col("status") == "met").then(pl.format(
            "{}{} on {}, within the {} limit", prefix, pl.col("_done"), pl.col("done"), pl.col("_label")))
        .when(pl.col("status") == "late").then(pl.format(
            "{}{} on {}, {} {} after the {} limit", prefix, pl.col("_done"), pl.col("done"),
            days, plural, pl.col("_label")))
        .when(pl.col("status") == "early").then(pl.format(
            "{}{} on {}, {} {} before the earliest allowed date {} (the {} minimum)", prefix,
            pl.col("_done"), pl.col("done"), -days, plural, pl.col("due"), pl.col("_label")))
        .when(pl.col("status") == "overdue").then(pl.format(
            "{}{}; {} {} past the {} limit", prefix, pl.col("_missing"), days, plural, pl.col("_label")))
        .when(pl.col("status") == "missed").then(pl.format(
            "{}{} by its due date {}; {}, {} {} after the {} limit", prefix, pl.col("_missing"),
            pl.col("due"), pl.col("reason"), days, plural, pl.col("_label")))
        # A minimum gap (AS04) not yet reached or passed: the earliest allowed date, never a
        # count of "days left" (which is negative once that date has passed).
        .when(pl.col("status").is_in(["due_soon", "pending"]) & pl.col("_earliest")).then(
            pl.format("{}{}; the earliest allowed date is {} (the {} minimum)", prefix,
                      pl.col("_missing"), pl.col("due"), pl.col("_label")))
        .when(pl.col("status").is_in(["due_soon", "pending"]) & (days <= 0)).then(pl.format(
            "{}{}; due {} ({} {} left)", prefix, pl.col("_missing"), pl.col("due"), -days, plural))
        .when(pl.col("status").is_in(["due_soon", "pending"])).then(pl.format(
            "{}{}; due {}", prefix, pl.col("_missing"), pl.col("due")))
        .when(pl.col("status") == "excepted").then(pl.format(
            "{}the {} limit does not apply (exception: {})", reason_prefix, pl.col("_label"),
            pl.col("exception")))
        .otherwise(pl.format("{}{}", reason_prefix, pl.col("reason")))
    )
    # A judged finding keeps its note (SEN2's H outcome), if any; only invalid, not_applicable
    # and missed findings use the reason as their message text.
    noted = pl.col("reason").is_not_null() & ~pl.col("status").is_in(
        ["invalid", "not_applicable", "missed"])
    msg = pl.when(noted).then(pl.format("{} ({})", msg, pl.col("reason"))).otherwise(msg)
    return (found.join(texts, on="rule", how="left", maintain_order="left")
            .with_columns(msg.alias("message"))
            .drop("_done", "_missing", "_label", "_earliest"))
