"""The synthetic export generator: deterministic, council-shaped, realistic shares, faults included."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import polars as pl
import pytest

from sendcheck.columns import ALIASES, normalise_header
from sendcheck.synth import export as synth


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_header_maps_without_config():
    for canonical, header in synth.HEADERS.items():
        assert ALIASES.get(normalise_header(header)) == canonical, header
    for header in synth.EXTRA_HEADERS:
        assert normalise_header(header) not in ALIASES


def test_same_seed_same_file_other_seed_other_file(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    synth.write(synth.generate(800, seed=3), a)
    synth.write(synth.generate(800, seed=3), b)
    synth.write(synth.generate(800, seed=4), c)
    assert _sha(a) == _sha(b)
    assert _sha(a) != _sha(c)


def test_csv_is_windows_style(tmp_path):
    path = tmp_path / "x.csv"
    synth.write(synth.generate(800, seed=1), path)
    data = path.read_bytes()
    lines = data.split(b"\r\n")
    assert len(lines) == 805  # 3 title rows, header, 800 rows, the empty string after the last CRLF
    assert b"\n" not in data.replace(b"\r\n", b"")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # Windows-1252: the accented forenames are single bytes
    text = data.decode("cp1252")
    assert "Zoë" in text or "Chloé" in text or "Renée" in text or "Anaïs" in text
    assert lines[0].decode("cp1252") == synth.TITLE and lines[2] == b""
    header = lines[3].decode("cp1252").split(",")
    assert header[:3] == ["Case Ref", "Child ID", "UPN"]
    first = pl.read_csv(data.decode("cp1252").encode(), infer_schema=False,
                        skip_rows=3).row(0, named=True)
    assert dt.datetime.strptime(first["Date of Birth"], "%d/%m/%Y")


def test_xlsx_has_title_rows_and_mixed_date_cells(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "x.xlsx"
    synth.write(synth.generate(600, seed=2), path)
    ws = load_workbook(path, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert "SYNTHETIC" in rows[0][0]
    assert rows[1][0].startswith("Report run: 31/03/2025")
    assert rows[3][:2] == ("Case Ref", "Child ID")
    col = rows[3].index("Date Request Received")
    cells = [r[col] for r in rows[4:] if r[col] is not None]
    assert len(rows) - 4 == 600
    as_dates = [c for c in cells if isinstance(c, dt.datetime)]
    as_text = [c for c in cells if isinstance(c, str)]
    assert len(as_dates) > 0.8 * len(cells)
    assert as_text and all(isinstance(c, str) for c in as_text)


def test_shares_near_the_national_figures():
    """20,000 episodes: refusals about a fifth, 20-week timeliness near 50%, exceptions a few %."""
    data = synth.generate(20_000, seed=5)
    f = data.frame
    decided = f.filter(pl.col("request_outcome").is_in(["Agreed", "Refused", "Withdrawn"]))
    refused = decided.filter(pl.col("request_outcome") == "Refused").height / decided.height
    assert 0.18 < refused < 0.26
    plans = f.filter(pl.col("final_plan_date").is_not_null() & pl.col("transfer_in_date").is_null())
    flagged = plans.filter(pl.col("exception_20w") == "Yes").height / plans.height
    assert 0.02 < flagged < 0.08
    ontime = plans.filter(pl.col("exception_20w") == "No").select(
        ((pl.col("final_plan_date") - pl.col("request_received_date")).dt.total_days() <= 140).mean()
    ).item()
    assert 0.44 < ontime < 0.56
    caseworkers = f.get_column("caseworker").drop_nulls().value_counts()
    assert caseworkers.height == 80  # 20,000 / 250 per caseworker
    assert caseworkers["count"].max() > 2 * caseworkers["count"].min()  # uneven loads
    # NC year agrees with the date of birth: a child born 1 Sep 2013 - 31 Aug 2014 is in Year 6
    # in the academic year 2024/25 (Reception September 2018 = 2014 + 4).
    y6 = f.filter(pl.col("nc_year") == "6").get_column("birth_date")
    assert y6.min() >= dt.date(2013, 9, 1) and y6.max() <= dt.date(2014, 8, 31)


def test_faults_are_present_but_rare():
    data = synth.generate(3500, seed=1)
    text = data.text
    bad = sum(text.get_column(c).drop_nulls().len() for c in text.columns)
    assert 0 < bad < 0.01 * 3500 * len(text.columns)
    ids = data.frame.get_column("record_id")
    assert 0 < ids.is_duplicated().sum() < 0.02 * ids.len()
    assert data.frame.get_column("caseworker").null_count() > 0
    assert (data.frame.get_column("request_outcome") == "Pending panel").any()


def test_cli_synth_writes_the_file(cli, tmp_path):
    out = tmp_path / "s.csv"
    run = cli("synth", "--episodes", "500", "--seed", "9", "--output", out)
    assert run.code == 0, run.err
    assert out.exists() and out.read_bytes().count(b"\r\n") == 504
    assert cli("synth", "--episodes", "5", "--output", tmp_path / "s.ods").code == 2


# ---------------------------------------------------------------- the review history


@pytest.fixture(scope="module")
def history():
    data = synth.generate(3500, seed=11)
    return data, synth.review_history(data)


def _clean_meetings(reviews: synth.Synthetic) -> pl.DataFrame:
    """Review rows whose meeting date is a readable date no later than the as-of date."""
    return reviews.frame.with_columns(reviews.text.get_column("review_meeting_date").alias("_text")
                                      ).filter(pl.col("_text").is_null()
                                               & (pl.col("review_meeting_date") <= reviews.as_of))


def test_review_headers_map_without_config():
    for canonical, header in synth.REVIEW_HEADERS.items():
        assert ALIASES.get(normalise_header(header)) == canonical, header


def test_each_plans_last_meeting_is_the_exports_latest_review(history):
    data, reviews = history
    export = data.frame.with_columns(data.text.get_column("review_meeting_date").alias("_text"))
    # The rule: the export's meeting is a readable date, and every row of that case in the
    # history has a readable meeting date no later than the as-of date (faults apart).
    meeting = pl.col("review_meeting_date")
    faulty = reviews.frame.filter(reviews.text.get_column("review_meeting_date").is_not_null()
                                  | meeting.is_null() | (meeting > data.as_of))
    shown = (export.filter(pl.col("_text").is_null() & pl.col("review_meeting_date").is_not_null()
                           & (pl.col("review_meeting_date") <= data.as_of))
             .unique("record_id").join(faulty, on="record_id", how="anti")
             .select("record_id", "review_meeting_date"))
    latest = (_clean_meetings(reviews).group_by("record_id")
              .agg(pl.col("review_meeting_date").max()))
    both = shown.join(latest, on="record_id", how="left", suffix="_history")
    assert shown.height > 1000
    assert both.filter(pl.col("review_meeting_date") != pl.col("review_meeting_date_history")
                       ).height == 0
    assert both.get_column("review_meeting_date_history").null_count() == 0
    # ...and no history for a case the export shows no review for (stray ids apart).
    none = export.filter(pl.col("review_meeting_date").is_null() & pl.col("_text").is_null())
    assert reviews.frame.join(none.select("record_id"), on="record_id").height == 0


def test_reviews_about_a_year_apart_under_fives_more_often_some_late(history):
    data, reviews = history
    births = data.frame.unique("record_id").select("record_id", "birth_date")
    gaps = (_clean_meetings(reviews).sort("record_id", "review_meeting_date")
            .with_columns(pl.col("review_meeting_date").diff().over("record_id").dt.total_days()
                          .alias("gap"))
            .drop_nulls("gap").join(births, on="record_id")
            # under 5 on the as-of date: born after 31 March 2020
            .with_columns((pl.col("birth_date") > dt.date(2020, 3, 31)).alias("under5")))
    annual = gaps.filter(~pl.col("under5")).get_column("gap")
    young = gaps.filter(pl.col("under5")).get_column("gap")
    assert annual.len() > 500 and young.len() > 20
    assert 300 <= annual.median() <= 370
    assert 90 <= young.median() <= 190
    late = (annual > 366).mean()  # past the anniversary (12 months is 365 or 366 days)
    assert 0.15 < late < 0.45


def test_transferred_in_plans_have_only_reviews_after_the_transfer(history):
    data, reviews = history
    # (a transfer date keyed in the future, a fault, is left out)
    moved = (data.frame.filter(pl.col("transfer_in_date") <= data.as_of).unique("record_id")
             .select("record_id", "transfer_in_date"))
    rows = _clean_meetings(reviews).join(moved, on="record_id")
    assert rows.height > 30
    assert rows.filter(pl.col("review_meeting_date") < pl.col("transfer_in_date")).height == 0
    assert rows.get_column("record_id").is_duplicated().sum() == 0  # the first review after it


def test_review_history_faults_and_determinism(history):
    data, reviews = history
    text = reviews.text.get_column("review_meeting_date")
    assert text.drop_nulls().len() > 0  # unreadable meeting dates (DQ01)
    undated = reviews.frame.filter(pl.col("review_meeting_date").is_null() & text.is_null())
    assert undated.height > 0  # a meeting with no date (DQ13)
    known = set(data.frame.get_column("record_id"))
    strays = set(reviews.frame.get_column("record_id")) - known
    assert 0 < len(strays) <= 5  # ids in no episode (DQ12)
    again = synth.review_history(synth.generate(3500, seed=11))
    assert again.frame.equals(reviews.frame) and again.text.equals(reviews.text)


def test_cli_synth_writes_the_review_history(cli, tmp_path):
    out, rev = tmp_path / "s.csv", tmp_path / "r.xlsx"
    run = cli("synth", "--episodes", "600", "--seed", "9", "--output", out, "--reviews-output", rev)
    assert run.code == 0, run.err
    assert "review meetings to" in run.err
    audit = cli("audit", out, "--reviews", rev, "--as-of", "2025-03-31", "--format", "json",
                "--fail-on", "none")
    assert audit.code == 0, audit.err
    summary = json.loads(audit.out)["reviews"]
    assert summary["joined_on"] == "record_id" and summary["matched"] > 100
