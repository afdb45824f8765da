"""Review history (`sendcheck audit EXPORT --reviews FILE`): every annual-review cycle judged.

Many systems export reviews as a separate list, one row per review meeting. Each row is joined to
its episode (on record_id, else person_id) and the meetings of one episode are put in date order.
The review rules (rule files with `per = "review"`) then run over a frame of *cycles*:

  cycle 1      from the plan to the first meeting (one row per episode, the episode's own row),
  cycle n + 1  from meeting n to meeting n + 1 (one row per meeting; the last is still open),

each carrying the episode's columns (plan, cease, transfer, birth dates) and, for meeting rows,
that meeting's decision, outcome, amendment notice and amended plan from the file. With a history
file the export's own latest-review columns are not used by these rules. A cycle's finding is
identified by the rule, the review file and spreadsheet row of the meeting that opened it (cycle
1: the export's row), and its message starts "review cycle N: ".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from sendcheck.columns import PERSONAL
from sendcheck.errors import SendcheckError
from sendcheck.judge.engine import RuleRun, plan_runs
from sendcheck.judge.quality import DQ_SCHEMA, HISTORY_UNREADABLE, REVIEW_CHECKS, run_checks
from sendcheck.judge.rulebook import Rule
from sendcheck.read.episodes import prepare
from sendcheck.read.sheets import Table

REVIEW_COLUMNS = ("review_meeting_date", "review_decision_date", "review_outcome",
                  "amendment_notice_date", "amended_plan_date")
# Data-quality checks that make sense on a list of meetings (not duplicates, ages, caseworkers).
ROW_CHECKS = ("DQ01", "DQ02", "DQ03", "DQ10")
IDENTITY = ("record_id", "person_id", "caseworker", *PERSONAL)


@dataclass
class ReviewHistory:
    table: Table
    key: str  # the column the rows were joined on: record_id or person_id
    cycles: pl.DataFrame  # what the per-review rules run on
    identity: pl.DataFrame  # _idx -> record_id, person_id, caseworker, _source, _row (review rows)
    quality: pl.DataFrame  # data-quality findings on the review file (quality.DQ_SCHEMA)
    quality_ran: dict[str, None]
    matched: int
    unmatched: int
    ignored: int  # matched rows with a blank or unreadable meeting date (not reviews)

    @property
    def columns(self) -> set[str]:
        return set(self.cycles.columns)

    def replan(self, rules: list[Rule], runs: list[RuleRun]) -> list[RuleRun]:
        """Runs for the per-review rules, planned on the cycle frame's columns."""
        per_review = {r.rule.code: r for r in plan_runs(
            [r for r in rules if r.per == "review"], self.columns)}
        return [per_review.get(run.rule.code, run) for run in runs]

    def summary(self) -> dict:
        t = self.table
        return {"path": t.path, "sheet": t.sheet, "rows": t.rows, "sha256": t.sha256,
                "joined_on": self.key, "matched": self.matched, "unmatched": self.unmatched,
                "ignored": self.ignored}


def _join_key(review: pl.DataFrame, episodes: pl.DataFrame, where: str) -> str:
    if "record_id" in review.columns and "record_id__given" in episodes.columns:
        return "record_id"
    if "person_id" in review.columns and "person_id" in episodes.columns:
        return "person_id"
    raise SendcheckError(
        f"{where}: cannot join the reviews to the export: it needs a record_id column in both, "
        f"or a person_id column in both (map headers in sendcheck.toml [columns])")


def _episode_keys(episodes: pl.DataFrame, key: str) -> pl.DataFrame:
    """key -> the episode's _idx. A person with several episodes: the latest plan's episode."""
    ep = episodes.select(pl.col(key).alias("_key"), pl.col("_idx").alias("_ep"),
                         pl.col("final_plan_date") if "final_plan_date" in episodes.columns
                         else pl.lit(None, pl.Date).alias("final_plan_date"))
    ep = ep.filter(pl.col("_key").is_not_null() & (pl.col("_key") != ""))
    if key == "person_id":
        ep = ep.sort("final_plan_date", nulls_last=False, maintain_order=True)
        return ep.unique("_key", keep="last", maintain_order=True).select("_key", "_ep")
    return ep.unique("_key", keep="first", maintain_order=True).select("_key", "_ep")


def build_history(table: Table, episodes: pl.DataFrame, as_of: dt.date,
                  values: dict[str, dict[str, str]] | None = None,
                  select: list[str] | None = None, ignore: list[str] | None = None
                  ) -> ReviewHistory:
    raw = table.frame
    where = f"reviews file {table.path.rsplit('/', 1)[-1]}"
    if "review_meeting_date" not in raw.columns:
        raise SendcheckError(f"{where}: no review meeting date column (expected a header such "
                             f"as 'Review Meeting Date' or 'ReviewMeeting')")
    key = _join_key(raw, episodes, where)
    offset = episodes.height
    raw = raw.with_columns(pl.col(key).str.strip_chars().replace("", None).alias("_key"))
    review = prepare(raw, as_of, values).with_columns(
        (pl.col("_idx") + offset).cast(pl.UInt32).alias("_idx"))
    review = review.join(_episode_keys(episodes, key), on="_key", how="left",
                         maintain_order="left")

    meeting = pl.col("review_meeting_date")
    unreadable = pl.col("review_meeting_date__err").is_not_null()
    usable = pl.col("_ep").is_not_null() & meeting.is_not_null()
    review_cols = [c for c in review.columns if c.split("__")[0] in REVIEW_COLUMNS]

    meetings = (review.filter(usable)
                .select("_idx", "_source", "_row", "_ep", *review_cols)
                .sort(["_ep", "review_meeting_date", "_row"])
                .with_columns(
                    meeting.shift(-1).over("_ep").alias("_next_review_meeting"),
                    (pl.int_range(pl.len()).over("_ep") + 2).cast(pl.Int32).alias("_cycle")))
    first = meetings.group_by("_ep").agg(meeting.first().alias("_next_review_meeting"))
    # A meeting date that cannot be read cannot be put in order: every cycle of that episode is
    # then unsure where it ends, so the rules that need the next meeting say so (invalid).
    broken = (review.filter(pl.col("_ep").is_not_null() & unreadable)
              .group_by("_ep").agg(pl.format(HISTORY_UNREADABLE + " ({} row {})",
                                             pl.col("_source"), pl.col("_row"))
                                   .first().alias("_next_review_meeting__err")))

    drop = [c for c in episodes.columns if c.split("__")[0] in REVIEW_COLUMNS]
    episode_cols = episodes.drop(drop)
    plans = (episode_cols.with_columns(pl.col("_idx").alias("_ep"),
                                       pl.lit(1, pl.Int32).alias("_cycle"))
             .join(first, on="_ep", how="left", maintain_order="left"))
    carried = episode_cols.rename({"_idx": "_ep"}).drop("_source", "_row")
    meetings = meetings.join(carried, on="_ep", how="left", maintain_order="left")
    cycles = pl.concat([plans, meetings], how="diagonal_relaxed")
    cycles = cycles.join(broken, on="_ep", how="left", maintain_order="left")

    ident_cols = [c for c in IDENTITY if c in episodes.columns]
    ep_ident = episodes.select(pl.col("_idx").alias("_ep"), *ident_cols)
    own = [c for c in ("record_id", "person_id") if c in review.columns and c in ident_cols]
    identity = (review.select("_idx", "_source", "_row", "_ep",
                              *[pl.col(c).alias(f"_own_{c}") for c in own])
                .join(ep_ident, on="_ep", how="left", maintain_order="left")
                .with_columns([pl.coalesce(c, f"_own_{c}").alias(c) for c in own])
                .select("_idx", *ident_cols, "_source", "_row"))

    quality = _quality(review, as_of, select, ignore)
    matched = review.filter(pl.col("_ep").is_not_null()).height
    ignored = review.filter(pl.col("_ep").is_not_null() & meeting.is_null()).height
    ran = {c.code: None for c in REVIEW_CHECKS if _chosen(c.code, select, ignore)}
    return ReviewHistory(table, key, cycles, identity, quality, ran, matched,
                         review.height - matched, ignored)


def _chosen(code: str, select: list[str] | None, ignore: list[str] | None) -> bool:
    if select and not any(code.startswith(p.upper()) for p in select):
        return False
    return not (ignore and any(code.startswith(p.upper()) for p in ignore))


def _quality(review: pl.DataFrame, as_of: dt.date, select: list[str] | None,
             ignore: list[str] | None) -> pl.DataFrame:
    """Unreadable, out-of-order and future dates and unknown codes in the review file, plus the
    rows that could not be used (no episode, no meeting date)."""
    row_checks = [c for c in ROW_CHECKS if _chosen(c, select, ignore)]
    parts = [run_checks(review, as_of, row_checks)[0]] if row_checks else []
    parts += [c.run(review, as_of) for c in REVIEW_CHECKS if _chosen(c.code, select, ignore)]
    return pl.concat(parts).cast(DQ_SCHEMA) if parts else pl.DataFrame(schema=DQ_SCHEMA)


def load_history(path: str, episodes: pl.DataFrame, as_of: dt.date, config,
                 select: list[str] | None = None, ignore: list[str] | None = None
                 ) -> ReviewHistory:
    from sendcheck.read.export import read_export

    table = read_export(path, config_columns=config.columns)
    return build_history(table, episodes, as_of, config.values, select, ignore)
