"""The synthetic export generator: deterministic, council-shaped, realistic shares, faults included."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
import pytest

from sendcheck import synth
from sendcheck.columns import ALIASES, normalise_header


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
    from sendcheck.audit import Options, audit_tables
    from sendcheck.reader import table_from_rows

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
