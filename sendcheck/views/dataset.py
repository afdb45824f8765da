"""A run as a pseudonymised Parquet dataset (`audit --format parquet`, `[export] parquet`): the
spoke's half of a consortium's hub (layout: sendcheck.hub.layout).

What never goes in: names, UPNs, dates of birth (an age band instead), caseworkers (a team where
the export records one), record and person ids (keyed hashes instead). `--include-personal-data`
does not reach this format. The key stays with the authority: without it a hash cannot be
turned back into an id, and with another key the same id gives another hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import tempfile
from pathlib import Path

import polars as pl

from sendcheck.audit import Audit
from sendcheck.errors import SendcheckError
from sendcheck.figures.headline import Headline
from sendcheck.figures.trend import AVERAGES as TREND_AVERAGES
from sendcheck.figures.trend import RATIOS as TREND_RATIOS
from sendcheck.figures.trend import compute_trend
from sendcheck.hub import layout
from sendcheck.judge.cases import open_assessment, plan_in_force, with_episode
from sendcheck.judge.engine import STATUSES

KEY_BYTES = 32
KEY_FILE = "sendcheck.key"
# The breakdowns' dimensions, kept where the export has them (none of them identifies a child
# alone; the hub suppresses small counts).
DIMENSIONS = ("primary_need", "sex", "ethnicity", "setting", "nc_year", "team")
# DfE's age bands for children and young people with EHC plans ("Education, health and care
# plans", age groups): the band is worked out here so that no birth date or month is stored.
AGE_BANDS = ((0, 4, "under 5"), (5, 10, "5 to 10"), (11, 15, "11 to 15"), (16, 19, "16 to 19"),
             (20, 25, "20 to 25"))
NOT_DATES = ("birth_date",)


# ---------------------------------------------------------------- the key


def make_key(path: Path) -> bool:
    """Write a new random key to `path` (readable by its owner only) unless one is there;
    True when written."""
    if path.exists():
        return False
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(KEY_BYTES) + "\n")
    return True


def key_path(audit: Audit) -> Path:
    """[export] key_file, else sendcheck.key beside the configuration file (or here)."""
    if audit.config.export_key_file:
        return Path(audit.config.export_key_file)
    base = Path(audit.config.path).parent if audit.config.path else Path.cwd()
    return base / KEY_FILE


def read_key(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise FileNotFoundError
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except FileNotFoundError:
        raise SendcheckError(f"{path.name}: no pseudonymisation key: run `sendcheck init` (it "
                             f"writes {KEY_FILE}) or set [export] key_file") from None
    except (ValueError, UnicodeDecodeError, OSError):
        raise SendcheckError(f"{path.name}: not a sendcheck key (expected {2 * KEY_BYTES} hex "
                             f"digits); make a new one with `sendcheck init`") from None
    if len(key) < 16:
        raise SendcheckError(f"{path.name}: the key is too short (expected {2 * KEY_BYTES} hex "
                             f"digits)")
    return key


def pseudonyms(ids: pl.Series, key: bytes) -> pl.Series:
    """Keyed BLAKE2b (a MAC: RFC 7693 keyed mode) of each distinct id, 128 bits as hex.

    Polars has no keyed cryptographic hash (its `hash` is unkeyed and not stable across
    versions), so the distinct ids are hashed with the standard library: about half a
    microsecond each, a second for a million ids."""
    distinct = ids.drop_nulls().unique()
    hashed = [hashlib.blake2b(v.encode("utf-8"), key=key, digest_size=16,
                              person=b"sendcheck-id").hexdigest() for v in distinct.to_list()]
    table = pl.DataFrame({"id": distinct, "key": hashed}, schema={"id": pl.String,
                                                                 "key": pl.String})
    return (ids.to_frame("id").join(table, on="id", how="left", maintain_order="left")
            ["key"])


# ---------------------------------------------------------------- the episodes table


def _age_band(as_of: dt.date) -> pl.Expr:
    born = pl.col("birth_date")
    age = (pl.lit(as_of.year) - born.dt.year() - (
        (born.dt.month() * 100 + born.dt.day()) > (as_of.month * 100 + as_of.day)).cast(pl.Int32))
    band = pl.when(False).then(pl.lit(None, pl.String))
    for low, high, label in AGE_BANDS:
        band = band.when(age.is_between(low, high)).then(pl.lit(label))
    return band.otherwise(pl.lit(None, pl.String)).alias("age_band")


def status_columns(audit: Audit) -> tuple[pl.DataFrame, list[str]]:
    """The compact statuses as stored: `_ep` and one column per rule (and advice kind, `AS02:ep`),
    its value the index of the status in engine.STATUSES (the Enum's own code, one byte). A rule
    judged per review cycle (--reviews) gives the status of the episode's latest cycle."""
    parts = audit.judgement.parts

    def codes(frame: pl.DataFrame) -> list[pl.Expr]:
        return [pl.col(c).to_physical().cast(pl.UInt8) for c in frame.columns if c != "_idx"]

    out = parts[0].statuses.select(pl.col("_idx").alias("_ep"), *codes(parts[0].statuses))
    for part in parts[1:]:
        cols = [c for c in part.statuses.columns if c != "_idx"]
        if not cols:
            continue
        latest = (with_episode(part.statuses.with_columns(part.units["_cycle"]), audit.owners)
                  .select("_ep", "_cycle", *codes(part.statuses))
                  .group_by("_ep").agg(pl.all().sort_by("_cycle").last()).drop("_cycle"))
        out = out.join(latest, on="_ep", how="left", maintain_order="left")
    keys = [c for c in out.columns if c != "_ep"]
    return out, keys


def episodes_table(audit: Audit, key: bytes) -> tuple[pl.DataFrame, list[str]]:
    """The pseudonymised episodes table and the rule columns it holds."""
    ep = audit.episodes
    cols = set(ep.columns)
    as_of = audit.options.as_of
    cases = audit.cases.select(
        "_ep", pl.when(pl.col("overdue")).then(pl.lit("overdue")).otherwise(pl.lit("due_soon"))
        .alias("case"))
    dates = [c for c, t in ep.schema.items() if t == pl.Date and c not in NOT_DATES
             and not c.startswith("_")]
    base = ep.select(
        pl.col("_idx").alias("_ep"),
        pl.lit(None, pl.String).alias("record_key"), pl.lit(None, pl.String).alias("person_key"),
        *[pl.col(d).cast(pl.String) for d in DIMENSIONS if d in cols],
        _age_band(as_of) if "birth_date" in cols else pl.lit(None, pl.String).alias("age_band"),
        plan_in_force(cols, as_of).alias("plan_in_force"),
        open_assessment(cols, as_of).alias("open_assessment"),
        *dates)
    base = base.with_columns(record_key=pseudonyms(ep["record_id"], key),
                             person_key=pseudonyms(col_or_null_series(ep, "person_id"), key))
    statuses, keys = status_columns(audit)
    out = (base.join(cases, on="_ep", how="left", maintain_order="left")
           .with_columns(pl.col("case").fill_null("none").cast(pl.Enum(layout.CASES)))
           .join(statuses, on="_ep", how="left", maintain_order="left")
           .drop("_ep"))
    return out, keys


def col_or_null_series(frame: pl.DataFrame, name: str) -> pl.Series:
    return frame[name] if name in frame.columns else pl.Series(name, [None] * frame.height,
                                                             pl.String)


# ---------------------------------------------------------------- the figures table


def _row(section: str, measure: str, field: str, value: object, **extra: object) -> dict:
    number = None if value is None or isinstance(value, bool) else float(value)
    return {"section": section, "measure": measure, "field": field, "team": extra.get("team"),
            "month": extra.get("month"), "value": number, "numerator": extra.get("numerator"),
            "denominator": extra.get("denominator"), "weight": extra.get("weight")}


def _counts_by(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return frame.group_by(by).agg(
        cases_overdue=(pl.col("case") == "overdue").sum(),
        cases_due_soon=(pl.col("case") == "due_soon").sum(),
        plans_in_force=pl.col("plan_in_force").sum(),
        open_assessments=pl.col("open_assessment").sum())


def figures_table(audit: Audit, headline: Headline, episodes: pl.DataFrame) -> pl.DataFrame:
    """The run's figures: measures, cases, backlog, caseload by team and the monthly trend."""
    from sendcheck.figures.backlog import backlog_json

    rows = []
    for m in headline.measures:
        for field, value in m.values.items():
            if isinstance(value, (dict, list)):
                continue
            num, den = m.ratios.get(field, (None, None))
            rows.append(_row("measures", m.id, field, value if m.available else None,
                             numerator=num, denominator=den, weight=m.averages.get(field)))
    total = _counts_by(episodes.with_columns(pl.lit(None, pl.String).alias("_all")), ["_all"])
    for field, value in total.drop("_all").row(0, named=True).items():
        rows.append(_row("cases", "cases", field, value))
    if "team" in episodes.columns:
        for r in _counts_by(episodes, ["team"]).sort("team", nulls_last=True).iter_rows(
                named=True):
            for field in ("cases_overdue", "cases_due_soon", "plans_in_force",
                          "open_assessments"):
                rows.append(_row("caseload", "team", field, r[field],
                                 team=r["team"] or "not recorded"))
    backlog = backlog_json(headline.backlog)
    for part in ("assessments", "reviews"):
        for field, value in (backlog.get(part) or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                rows.append(_row("backlog", part, field, value))
    for month in compute_trend(audit):
        for field, value in month.items():
            if field in ("month", "start", "end", "partial"):
                continue
            num, den = TREND_RATIOS.get(field, (None, None))
            rows.append(_row("trend", "final_plan_20w", field, value, month=month["month"],
                             numerator=num, denominator=den, weight=TREND_AVERAGES.get(field)))
    return pl.DataFrame(rows, schema=layout.FIGURES_SCHEMA, orient="row")


# ---------------------------------------------------------------- writing


def write_dataset(audit: Audit, headline: Headline, root: Path, authority: str) -> Path:
    """Write the run's partition under `root` and return it. Written in a temporary folder
    beside it and renamed into place, so a reader sees the old partition or the new one, never
    half of one; a second run of the same day replaces its partition."""
    if not layout.safe_code(authority):
        raise SendcheckError(f"authority {authority!r}: a dataset's authority is a code of "
                             f"letters, digits and hyphens (set [authority] code)")
    if root.exists() and (root.is_symlink() or not root.is_dir()):
        raise SendcheckError(f"--output {root}: a dataset is written to a folder (it is not one)")
    key = read_key(key_path(audit))
    episodes, keys = episodes_table(audit, key)
    figures = figures_table(audit, headline, episodes)
    from sendcheck import __version__
    from sendcheck.history.store import file_sha256

    inputs = [{"path": Path(t.path).name, "sha256": file_sha256(t.path)} for t in audit.tables]
    meta = {layout.META_SCHEMA: layout.SCHEMA_VERSION, layout.META_VERSION: __version__,
            layout.META_INPUTS: json.dumps(inputs), layout.META_AUTHORITY: authority,
            layout.META_STATUSES: ",".join(STATUSES)}
    as_of = audit.options.as_of.isoformat()
    target = root / layout.partition(authority, as_of)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".sendcheck-", dir=target.parent))
    try:
        episodes.write_parquet(staging / layout.EPISODES, metadata=meta, statistics=True)
        figures.write_parquet(staging / layout.FIGURES, metadata=meta)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=".sendcheck-old-", dir=target.parent))
            os.replace(target, old / "partition")
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def dataset_authority(audit: Audit) -> str:
    """The authority a run's dataset is filed under: [authority] code (or a SEN2 return's LEA,
    which the configuration reads)."""
    if audit.config.authority is None:
        raise SendcheckError("a dataset is filed under its authority: set [authority] code "
                             "(e.g. code = \"941\") in sendcheck.toml")
    return audit.config.authority
