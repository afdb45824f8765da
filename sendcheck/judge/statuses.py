"""The judgement held compactly: one status per rule column; findings made only when asked for.

THE SHAPE (read it here):

    Judgement.parts            the unit frames judged: the episodes, then (with --reviews) the
                               review cycles, each a `Part`
      Part.statuses            pl.DataFrame, one row per unit (episode or review cycle), in the
                               unit frame's order: `_idx` (UInt32), then one column per
                               (rule, kind) that ran, named by `column_name` ("AS05",
                               "AS02:ep"), of dtype engine.STATUS (an Enum: one byte a status)
      Part.keys                the (rule, kind) of each status column, in run order

Why: a long frame of one row per rule, kind and episode (start, due, done, days over,
exception, reason) was 47 million rows and 7 GB at a million episodes, almost all of them
`not_applicable` or `met`, which no view lists. A status column is one byte per pair. What a
finding shows besides its status is worked out again by the same row-wise expressions
(`Part.judged`: each rule's engine.Judging, built once a run), so with the same values, only
for the rows whose status a view lists (`Judgement.findings`), and only when a view asks.

Consumers: counts by status come from `Judgement.counts` (a value count of each status column,
no long rows); one rule's status per episode from `Part.column`; findings (engine.RESULT_SCHEMA
rows, in rule order then unit order, as the engine always gave them) from `Judgement.findings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from sendcheck.judge.anchors import ANCHORS, ENDINGS, Context
from sendcheck.judge.engine import (
    RESULT_SCHEMA,
    STATUS,
    STATUSES,
    Judging,
    RuleRun,
    judge_rule,
)

Key = tuple[str, str | None]  # (rule code, advice kind or None)
SPARSE_SHARE = 0.25
# The statuses views list as findings (every one but met, pending and not_applicable).
LISTED = tuple(s for s in STATUSES if s not in ("met", "pending", "not_applicable"))  # below this share of rows started, a rule is judged on those rows only


def column_name(rule: str, kind: str | None = None) -> str:
    """The status column of a rule (and advice kind): `AS05`, `AS02:ep`."""
    return rule if kind is None else f"{rule}:{kind}"


@dataclass(frozen=True)
class Settings:
    """What judging depends on besides the rows."""

    as_of: dt.date
    due_within: int
    school_transfer_years: tuple[str, ...] | None = None


@dataclass
class Part:
    """One unit frame (episodes, or review cycles) and its statuses."""

    units: pl.DataFrame  # the frame judged (prepared episodes, or ReviewHistory.cycles)
    runs: list[RuleRun]
    statuses: pl.DataFrame  # `_idx` + one STATUS column per key (see the module docstring)
    keys: list[Key]
    judged: dict[Key, Judging]  # each key's expressions, for the statuses and every findings build

    def column(self, rule: str, kind: str | None = None) -> pl.Series:
        """One rule's status per unit, in unit order (aligned with `statuses["_idx"]`)."""
        return self.statuses.get_column(column_name(rule, kind))

    def has(self, rule: str, kind: str | None = None) -> bool:
        return column_name(rule, kind) in self.statuses.columns


def _keys(runs: list[RuleRun]) -> list[tuple[RuleRun, str | None]]:
    return [(run, kind) for run in runs if run.skipped is None for kind in run.kinds or (None,)]


def _with_endings(units: pl.DataFrame, runs: list[RuleRun], as_of: dt.date) -> pl.LazyFrame:
    """The units, one chunk per column, with the dates duties end on (a withdrawal, a cease
    date) worked out once for every rule that reads them."""
    # One chunk per column: polars 2.1's in-memory engine panicked ("assertion failed:
    # i < self.len()" in a string view array) on this query over a multi-chunk frame (the
    # review cycles, built by concatenation); a rechunked frame evaluates correctly.
    lazy = units.rechunk().lazy()
    ctx = Context(as_of, frozenset(units.columns))
    used = {name for run in runs if run.skipped is None for name in run.rule.ends_with}
    return lazy.with_columns(ENDINGS[name].build(ctx).alias(f"_ends_{name}") for name in used)


def _years(units: pl.DataFrame, as_of: dt.date) -> range:
    """The years of every date in `units` and of the as-of date, a year either side (a date a
    rule derives, such as a phase transfer's, falls near them): the years whose bank holidays
    the working-day limits list (durations.add_working_days)."""
    lo = hi = as_of.year
    if any(t == pl.Date for t in units.schema.values()):
        first, last = units.select(pl.min_horizontal(pl.col(pl.Date).min()).alias("first"),
                                   pl.max_horizontal(pl.col(pl.Date).max()).alias("last")).row(0)
        lo, hi = min(lo, (first or as_of).year), max(hi, (last or as_of).year)
    return range(lo - 1, hi + 2)


def judge_part(units: pl.DataFrame, runs: list[RuleRun], settings: Settings) -> Part:
    """Every rule that can run over `units`: the status columns, from one collect_all."""
    lazy = _with_endings(units, runs, settings.as_of)
    nulls = units.null_count().row(0, named=True)
    blank = {c for c, n in nulls.items() if n == units.height}
    keys = _keys(runs)
    edges = {column_name(run.rule.code, kind): run.rule.for_kind(kind) for run, kind in keys}
    # A rule most rows never start (an order, a mediation, a transfer in): only the started
    # rows are judged, the rest are step 0's not_applicable (one query gives every share).
    started = {name: pl.any_horizontal(pl.col(c).is_not_null() for c in (
        start, end, f"{start}__err", f"{end}__err")) for name, (start, end) in edges.items()
        if start not in ANCHORS and end not in ANCHORS}
    share = (units.select(e.mean().alias(name) for name, e in started.items()).row(0, named=True)
             if started and units.height and "_cycle" not in units.columns else {})
    columns = frozenset(lazy.collect_schema().names())
    years = _years(units, settings.as_of)
    judged = {(run.rule.code, kind): judge_rule(columns, run.rule, kind, settings.as_of,
                                                settings.due_within, settings.school_transfer_years,
                                                years)
              for run, kind in keys}
    names, queries, plans = [], [], []
    for run, kind in keys:
        name = column_name(run.rule.code, kind)
        start, end = edges[name]
        names.append(name)
        judge = judged[run.rule.code, kind].status
        if name in started and {start, end, f"{start}__err", f"{end}__err"} <= blank:
            # Nothing recorded for this rule in any row (the export has the columns, empty):
            # every pair is step 0's not_applicable, without running the rule's query.
            plans.append(("none", None))
        elif share.get(name, 1) < SPARSE_SHARE:
            plans.append(("some", len(queries)))
            rows = lazy.with_row_index("_pos").filter(started[name])
            queries.append(pl.concat([rows.select("_pos"), judge(rows)], how="horizontal"))
        else:
            plans.append(("all", len(queries)))
            queries.append(judge(lazy))
    done = pl.collect_all(queries, engine="in-memory") if queries else []
    # Step 0's not_applicable down every row of the rules not judged in full (one query).
    unstarted = pl.select(pl.repeat("not_applicable", units.height, dtype=STATUS).alias(name)
                          for name, (how, _) in zip(names, plans) if how != "all")
    columns = [units.get_column("_idx")]
    for name, (how, i) in zip(names, plans):
        if how == "all":
            col = done[i].get_column("status")
        else:
            col = unstarted.get_column(name)
            if how == "some" and done[i].height:
                col = col.scatter(done[i].get_column("_pos"), done[i].get_column("status"))
        columns.append(col.alias(name))
    return Part(units, runs, pl.DataFrame(columns), list(judged), judged)


@dataclass
class Judgement:
    """The statuses of every part, and the findings made from them on request (cached)."""

    parts: list[Part]
    settings: Settings
    _made: dict[tuple, pl.DataFrame] = field(default_factory=dict, repr=False)

    def counts(self, by_kind: bool = False) -> pl.DataFrame:
        """(rule, [kind,] status, len) for every status that occurs, in run order: a value count
        of each status column (one query a part), never a long frame."""
        if "counts" not in self._made:
            rows: list[tuple[str, str | None, str, int]] = []
            for part in self.parts:
                if not part.keys:
                    continue
                names = [column_name(*k) for k in part.keys]
                counted = part.statuses.select(
                    pl.col(c).value_counts(sort=True).implode() for c in names).row(0)
                for (rule, kind), name, pairs in zip(part.keys, names, counted):
                    rows += [(rule, kind, p[name], p["count"]) for p in pairs]
            self._made["counts"] = pl.DataFrame(
                rows, orient="row", schema={"rule": pl.String, "kind": pl.String,
                                            "status": STATUS, "len": pl.UInt32})
        if by_kind:
            return self._made["counts"]
        if "counts by rule" not in self._made:
            self._made["counts by rule"] = self._made["counts"].group_by(
                "rule", "status", maintain_order=True).agg(pl.col("len").sum())
        return self._made["counts by rule"]

    def findings(self, statuses: Iterable[str] | None = None, rules: Iterable[str] | None = None,
                 units: Iterable[int] | None = None) -> pl.DataFrame:
        """Long findings (engine.RESULT_SCHEMA) of those statuses (default: every status), of
        those rule codes (default: every rule) and of those unit `_idx` (default: all), in the
        engine's order: part, rule and kind in run order, then unit order."""
        chosen = tuple(STATUSES) if statuses is None else tuple(statuses)
        wanted = None if rules is None else frozenset(rules)
        ids = None if units is None else tuple(sorted(set(units)))
        key = (chosen, wanted, ids)
        if key in self._made:
            return self._made[key]
        if ids is None and set(chosen) <= set(LISTED) and key != (LISTED, None, None):
            # What views list is made once; every narrower ask is a filter of it (a filter
            # keeps the order). Building a rule's query is most of the cost on a small file.
            keep = pl.col("status").is_in(chosen)
            if wanted is not None:
                keep &= pl.col("rule").is_in(sorted(wanted))
            found = self.findings(LISTED).filter(keep)
        else:
            found = self._find(chosen, wanted, ids)
        self._made[key] = found
        return found

    def _find(self, chosen: tuple[str, ...], wanted: frozenset[str] | None,
              ids: tuple[int, ...] | None) -> pl.DataFrame:
        queries = []
        for part in self.parts:
            keys = [k for k in part.keys if wanted is None or k[0] in wanted]
            if not keys:
                continue
            mark = {k: f"_status {column_name(*k)}" for k in keys}
            frame = part.units.hstack([part.column(*k).alias(mark[k]) for k in keys])
            if ids is not None:
                frame = frame.filter(pl.col("_idx").is_in(ids))
            hit = {k: pl.col(mark[k]).is_in(chosen) for k in keys}
            # Which rules have a row to show (one query), then each rule's rows judged in full.
            some = frame.select(e.any().alias(mark[k]) for k, e in hit.items()).row(0)
            lazy = _with_endings(frame, part.runs, self.settings.as_of)
            queries += [part.judged[k].evaluate(lazy.filter(hit[k]))
                        for k, any_row in zip(keys, some) if any_row]
        if not queries:
            return pl.DataFrame(schema=RESULT_SCHEMA)
        return pl.concat(queries, rechunk=False).collect(engine="in-memory")


def judge(episodes: pl.DataFrame, runs: list[RuleRun], settings: Settings,
          cycles: pl.DataFrame | None = None, per_cycle: list[RuleRun] | None = None
          ) -> Judgement:
    """The judgement of the episodes by `runs`, and of the review cycles by `per_cycle`."""
    parts = [judge_part(episodes, runs, settings)]
    if cycles is not None and per_cycle:
        parts.append(judge_part(cycles, per_cycle, settings))
    return Judgement(parts, settings)
