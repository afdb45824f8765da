"""Make a national-size synthetic SEN2 XML return for the memory and time benchmark.

    python benchmarks/sen2_big.py 200000 /tmp/sen2_200k.xml
    /usr/bin/time -v sendcheck audit /tmp/sen2_200k.xml --as-of 2025-01-16 --format json -o /tmp/out.json

Values are pseudo-random from hashes of the row number (reproducible, no real data): about one
person in four has a second request; dates, outcomes, exceptions, reviews, needs and settings
are spread so every rule and return check has work to do.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

from sendcheck.read.episodes import prepare
from sendcheck.synth.sen2_write import default_header, module_frames, write_xml


def _pick(seed: int, n: int) -> pl.Expr:
    return (pl.col("i").hash(seed) % n).cast(pl.Int64)


def _date(base: pl.Expr, seed: int, lo: int, hi: int) -> pl.Expr:
    return (base + pl.duration(days=_pick(seed, hi - lo) + lo)).dt.strftime("%Y-%m-%d")


def episodes(persons: int) -> pl.DataFrame:
    start = dt.date(2022, 6, 1)
    frame = pl.DataFrame({"i": pl.int_range(0, persons * 5 // 4, eager=True)})
    received = pl.lit(start) + pl.duration(days=_pick(1, 600))  # to Jan 2024: plans before as-of
    outcome = pl.when(_pick(2, 20) < 15).then(pl.lit("assess")).when(_pick(2, 20) < 19).then(
        pl.lit("not_assess")).otherwise(pl.lit("withdrawn"))
    issue = _pick(3, 10) < 8
    assess = outcome == "assess"
    plan = assess & issue
    reviewed = plan & (_pick(12, 3) == 0) & (received < pl.lit(dt.date(2023, 9, 1)))
    types = ["ASD", "SEMH", "SLCN", "MLD", "SPLD", "OTH", "PD", "HI", "VI", "SLD", "MSI", "PMLD"]
    settings = ["OLA", "OPA", "EHE", "NIEO", "OTH", "NEET"]
    return frame.with_columns(
        # Persons 0..persons-1; the last quarter of rows are second requests of earlier persons.
        pl.when(pl.col("i") < persons).then(pl.col("i")).otherwise(pl.col("i") - persons)
        .cast(pl.String).alias("person_id"),
        pl.format("UPN{}", pl.col("i") % persons).alias("upn"),
        _date(pl.lit(dt.date(2008, 1, 1)), 4, 0, 5000).alias("birth_date"),
        received.dt.strftime("%Y-%m-%d").alias("request_received_date"),
        _date(received, 5, 20, 60).alias("request_outcome_date"),
        outcome.alias("request_outcome"),
        pl.when(assess).then(pl.when(issue).then(pl.lit("issue")).otherwise(pl.lit("not_issue")))
        .alias("assessment_outcome"),
        pl.when(assess & ~issue).then(_date(received, 6, 80, 150)).alias("assessment_outcome_date"),
        pl.when(assess).then((_pick(7, 10) == 0).cast(pl.String)).str.replace("true", "1")
        .str.replace("false", "0").alias("exception_20w"),
        pl.when(plan).then(_date(received, 8, 100, 220)).alias("final_plan_date"),
        pl.when(plan & (_pick(9, 20) == 0)).then(_date(received, 10, 300, 500)).alias("plan_cease_date"),
        pl.when(plan & (_pick(9, 20) == 0)).then((_pick(11, 9) + 1).cast(pl.String)).alias("cease_reason"),
        pl.when(reviewed).then(_date(received, 13, 400, 480)).alias("review_meeting_date"),
        pl.when(reviewed).then(_date(received, 14, 490, 500)).alias("review_decision_date"),
        pl.when(reviewed).then(pl.lit("M")).alias("review_outcome"),
        pl.when(plan).then(pl.concat_list(
            pl.when(_pick(18, 500) == 0).then(pl.lit("XX"))  # a few codes outside DfE's list
            .otherwise(pl.lit(types).list.get(_pick(15, len(types)))),
            pl.lit(types).list.get(_pick(16, len(types))))).alias("sen2_sentype"),
        pl.when(plan).then(pl.concat_list(pl.lit("1"), pl.lit("2"))).alias("sen2_sentype_rank"),
        pl.when(plan).then(pl.concat_list(pl.lit(settings).list.get(_pick(17, len(settings)))))
        .alias("sen2_setting"),
        pl.lit(None, pl.String).alias("record_id"),
        pl.col("i").cast(pl.Int64).alias("_row"),
    ).drop("i").sort("person_id", maintain_order=True)


def main() -> None:
    persons, out = int(sys.argv[1]), Path(sys.argv[2])
    as_of = dt.date(2025, 1, 16)
    frame = episodes(persons)
    typed = prepare(frame, as_of)
    write_xml(module_frames(typed), out, default_header(as_of))
    print(f"{out}: {persons} persons, {frame.height} requests, {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
