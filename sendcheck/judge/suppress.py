"""Suppressions (`[[suppress]]` in sendcheck.toml): findings a team has investigated, set apart.

A suppression names a record id (the export's own: never a spreadsheet row number, which moves
as rows are added and removed, so a row whose record id is blank, or an export with no record id
column, matches no suppression), a rule (or data-quality check) code, an optional advice kind
and a required reason. A suppressed finding is not listed with the open findings, does not count
towards `--fail-on` or the cron line, and is listed apart with its reason. The rule's status is
not changed: summary counts and measures still count every case as the law sees it. A
suppression that matches no reported finding (the case was resolved, or the id is mistyped) is
reported, so stale entries do not pile up unnoticed.
"""

from __future__ import annotations

import polars as pl

from sendcheck.config import Suppression
from sendcheck.judge.statuses import LISTED, Judgement

SUPPRESSED_SCHEMA = {"rule": pl.String, "kind": pl.String, "_idx": pl.UInt32,
                     "suppression_reason": pl.String, "suppression": pl.String}


def _entries(suppress: list[Suppression]) -> pl.DataFrame:
    return pl.DataFrame(
        {"record_id": [s.record_id for s in suppress], "rule": [s.rule for s in suppress],
         "s_kind": [s.kind for s in suppress], "suppression_reason": [s.reason for s in suppress],
         "suppression": [s.key for s in suppress]},
        schema={"record_id": pl.String, "rule": pl.String, "s_kind": pl.String,
                "suppression_reason": pl.String, "suppression": pl.String})


def match(episodes: pl.DataFrame, judgement: Judgement, quality: pl.DataFrame,
          suppress: list[Suppression]
          ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, list[Suppression]]:
    """(suppressed keys, data-quality findings left open, data-quality findings suppressed,
    suppressions that matched nothing).

    Suppressed rule findings are keyed by (rule, kind, _idx); data-quality ones by (check, _idx)
    and are moved out of the quality frame, since they are findings only.
    """
    if not suppress:
        return pl.DataFrame(schema=SUPPRESSED_SCHEMA), quality, quality.clear(), []
    entries = _entries(suppress)
    given = (pl.col("record_id__given") if "record_id__given" in episodes.columns
             else pl.lit(False))
    ids = episodes.filter(given).select("_idx", "record_id")
    kind_ok = pl.col("s_kind").is_null() | (pl.col("s_kind") == pl.col("kind")).fill_null(False)
    rule_hits = (judgement.findings(LISTED)
                 .select(pl.col("rule", "kind").cast(pl.String), "_idx")
                 .join(ids, on="_idx").join(entries, on=["record_id", "rule"])
                 .filter(kind_ok))
    dq_hits = (quality.select(pl.col("check").alias("rule"), pl.lit(None, pl.String).alias("kind"),
                              "_idx")
               .join(ids, on="_idx").join(entries, on=["record_id", "rule"]))
    hits = pl.concat([rule_hits, dq_hits], how="vertical_relaxed").select(
        list(SUPPRESSED_SCHEMA)).unique(maintain_order=True).cast(SUPPRESSED_SCHEMA)
    dq_keys = dq_hits.select(pl.col("rule").alias("check"), "_idx").unique()
    dq_left = quality.join(dq_keys, on=["check", "_idx"], how="anti", maintain_order="left")
    dq_gone = quality.join(dq_keys, on=["check", "_idx"], how="semi", maintain_order="left")
    used = set(hits.get_column("suppression").to_list())
    return hits, dq_left, dq_gone, [s for s in suppress if s.key not in used]


def open_results(results: pl.DataFrame, suppressed: pl.DataFrame | None) -> pl.DataFrame:
    """The results without the suppressed (rule, kind, episode) findings."""
    if suppressed is None or suppressed.is_empty():
        return results
    return results.join(suppressed.select("rule", "kind", "_idx").cast(
        {c: results.schema[c] for c in ("rule", "kind")}), on=["rule", "kind", "_idx"],
                        how="anti", nulls_equal=True, maintain_order="left")
