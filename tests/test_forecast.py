"""Where the year will land: the 20-week forecast on a hand-worked export of 12 episodes.

As of Tue 30 Sep 2025; the year is calendar 2025. 20 weeks = 140 days, receipt is day 0.
Every figure below is worked out by hand from the dates, never read back from the code.

Issued in 2025 (the 20-week measure so far):
  A1 req Mon 6 Jan 2025, final 26 May 2025: 25 + 28 + 31 + 30 + 26 = 140 days: within
  A2 req 6 Jan 2025, final 27 May 2025: 141 days: late
  A3 req 3 Feb 2025, due 3 Feb + 140 = 23 Jun (25 + 31 + 30 + 31 + 23); final 30 Jun: late;
     Week20 = 1 (personal circumstances): an exception
  A4 req 2 Dec 2024, final 14 Apr 2025: 29 + 31 + 28 + 31 + 14 = 133 days: within
  so far, including exceptions: 2 within (A1, A4) of 4 = 50.0%
  excluding (A3 out):            2 within of 3 = 66.7%
Open (no final plan, not refused or withdrawn, no decision not to issue):
  B1 req 5 May 2025 -> due 22 Sep 2025 (26 + 30 + 31 + 31 + 22): before the as-of date: late
  B2 req 12 May 2025 -> due 29 Sep 2025: late; Week20 = 1 (absence): an exception
  B3 req 19 May 2025 -> due 6 Oct 2025: still in time
  B4 req 14 Jul 2025 -> due 1 Dec 2025 (17 + 31 + 30 + 31 + 30 + 1): in time
  B5 req 13 May 2025 -> due 30 Sep 2025, the as-of date itself: still in time (issued today)
  B6 req 11 Aug 2025 -> due 29 Dec 2025 (20 + 30 + 31 + 30 + 29): in time; Week20 = 1 with
     no reason: an exception as DfE counts it
  B7 req 18 Aug 2025 -> due 5 Jan 2026: next year's, not counted
  C1 req 7 Apr 2025, refused 12 May 2025: not open
Including exceptions: deciding = 4 in time (B3 B4 B5 B6) + 2 past due (B1 B2) = 6;
  denominator 4 + 6 = 10; best (2 + 4) / 10 = 60.0%; worst 2 / 10 = 20.0%;
  England 45.5%: 45.5% of 10 = 4.55 -> 5 on time needed, 2 so far -> 3 of the 4 must be on time.
Excluding exceptions (A3, B2, B6 out): in time 3 (B3 B4 B5), past due 1 (B1); denominator
  3 + 4 = 7; best (2 + 3) / 7 = 71.4%; worst 2 / 7 = 28.6%;
  England 46.1%: 46.1% of 7 = 3.227 -> 4 needed -> 2 of the 3 must be on time.
Target 70: including 7 of 10 needed -> 5 > 4 in time: out of reach; excluding 4.9 -> 5 ->
  3 of 3. Target 20: including 2 of 10 needed, 2 so far: reached whatever happens.
By month (cases counted in their due month; the past-due ones in September):
  including: Sep B5 -> den 4 + 2 + 1 = 7, best 3/7 = 42.9, worst 2/7 = 28.6;
             Oct and Nov B5 B3 -> den 8, best 4/8 = 50.0, worst 25.0; Dec all 4 -> 60.0 / 20.0
  excluding: Sep den 3 + 1 + 1 = 5, best 3/5 = 60.0, worst 40.0; Oct, Nov den 6, 66.7 / 33.3;
             Dec den 7, 71.4 / 28.6
Likely (the council's own pace): plans issued in the 12 months to 30 Sep 2025 are A1 (140 days,
  within), A2 (141, late), A3 (147: 25 + 31 + 30 + 31 + 30, late, an exception), A4 (133, within).
  A case still in time at day e (as of 30 Sep) is in stage e // 28: B3 134 days (12 + 30 + 31 +
  31 + 30) stage 4, B4 78 days stage 2, B5 140 days stage 5, B6 50 days stage 1. A stage's rate is
  the share on time of the recent plans not issued before its first day (28 x stage):
  including: stages 1, 2, 4 (>= 28, 56, 112 days): A1 A2 A3 A4, 2 of 4; stage 5 (>= 140): A1 A2
    A3, 1 of 3. Expected 1/2 + 1/2 + 1/3 + 1/2 = 1.83 -> 2 on time: (2 + 2) / 10 = 40.0%.
  excluding (A3, B6 out): stages 2, 4: A1 A2 A4, 2 of 3; stage 5: A1 A2, 1 of 2. Expected
    2/3 + 2/3 + 1/2 = 1.83 -> 2: (2 + 2) / 7 = 57.1%.
Year to date: Jan-Mar nothing issued; Apr A4 1/1; May A1 A2 2/3 (excl 2/3); Jun-Sep 2/4 (excl 2/3).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from sendcheck.audit import Options, run_audit
from sendcheck.config import parse_config
from sendcheck.errors import SendcheckError
from sendcheck.figures.forecast import compute_forecast, must_be_on_time, target_for
from sendcheck.figures.measures import measure_rules

HEADERS = ["Record ID", "Caseworker", "Date Request Received", "Decision to Assess",
           "Date of Decision to Assess", "Final EHCP Issued", "20 Week Exception",
           "Exception Reason"]
ROWS = [
    ["A1", "K. Ames", "06/01/2025", "Agreed", "10/02/2025", "26/05/2025", "0", ""],
    ["A2", "K. Ames", "06/01/2025", "Agreed", "10/02/2025", "27/05/2025", "0", ""],
    ["A3", "L. Bell", "03/02/2025", "Agreed", "10/03/2025", "30/06/2025", "1",
     "Personal circumstances"],
    ["A4", "L. Bell", "02/12/2024", "Agreed", "13/01/2025", "14/04/2025", "0", ""],
    ["B1", "K. Ames", "05/05/2025", "Agreed", "09/06/2025", "", "0", ""],
    ["B2", "K. Ames", "12/05/2025", "Agreed", "16/06/2025", "", "1", "Absence"],
    ["B3", "L. Bell", "19/05/2025", "Agreed", "23/06/2025", "", "0", ""],
    ["B4", "L. Bell", "14/07/2025", "Agreed", "18/08/2025", "", "0", ""],
    ["B5", "K. Ames", "13/05/2025", "Agreed", "17/06/2025", "", "0", ""],
    ["B6", "L. Bell", "11/08/2025", "Agreed", "15/09/2025", "", "1", ""],
    ["B7", "K. Ames", "18/08/2025", "Agreed", "22/09/2025", "", "0", ""],
    ["C1", "L. Bell", "07/04/2025", "Refused", "12/05/2025", "", "0", ""],
]
AS_OF = dt.date(2025, 9, 30)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "forecast.csv"
    with path.open("w", newline="", encoding="cp1252") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        w.writerows(ROWS)
    return path


def forecast(path: Path, target: float | None = None):
    audit = run_audit([path], Options(as_of=AS_OF))
    return compute_forecast(audit.episodes, measure_rules()["AS05"], AS_OF, target_for(target))


def test_forecast_hand_worked(export: Path) -> None:
    f = forecast(export)
    assert f.year == 2025 and f.period.start == dt.date(2025, 1, 1) and f.period.end == AS_OF
    inc, exc = f.including, f.excluding
    assert (inc["within_so_far"], inc["den_so_far"], inc["pc_so_far"]) == (2, 4, 50.0)
    assert (inc["open_in_time"], inc["open_past_due"], inc["open_due_next_year"]) == (4, 2, 1)
    assert inc["open_due_by_year_end"] == 6
    assert (inc["best_within"], inc["best_den"], inc["pc_best"]) == (6, 10, 60.0)
    assert (inc["worst_within"], inc["worst_den"], inc["pc_worst"]) == (2, 10, 20.0)
    assert (inc["target"], inc["must_be_on_time"], inc["target_reachable"]) == (45.5, 3, True)
    assert (exc["within_so_far"], exc["den_so_far"], exc["pc_so_far"]) == (2, 3, 66.7)
    assert (exc["open_in_time"], exc["open_past_due"], exc["open_due_next_year"]) == (3, 1, 1)
    assert (exc["best_den"], exc["pc_best"], exc["pc_worst"]) == (7, 71.4, 28.6)
    assert (exc["target"], exc["must_be_on_time"]) == (46.1, 2)
    assert f.target.source == "England 2025"


def test_forecast_by_month(export: Path) -> None:
    f = forecast(export)
    got = [(m["month"], m["den"], m["pc_best"], m["pc_worst"], m["den_ex"], m["pc_best_ex"],
            m["pc_worst_ex"]) for m in f.months]
    assert got == [("2025-09", 7, 42.9, 28.6, 5, 60.0, 40.0),
                   ("2025-10", 8, 50.0, 25.0, 6, 66.7, 33.3),
                   ("2025-11", 8, 50.0, 25.0, 6, 66.7, 33.3),
                   ("2025-12", 10, 60.0, 20.0, 7, 71.4, 28.6)]
    assert f.months[-1]["end"] == "2025-12-31"
    ytd = [(m["month"], m["within"], m["den"], m["within_ex"], m["den_ex"]) for m in f.year_to_date]
    assert ytd == [("2025-01", 0, 0, 0, 0), ("2025-02", 0, 0, 0, 0), ("2025-03", 0, 0, 0, 0),
                   ("2025-04", 1, 1, 1, 1), ("2025-05", 2, 3, 2, 3), ("2025-06", 2, 4, 2, 3),
                   ("2025-07", 2, 4, 2, 3), ("2025-08", 2, 4, 2, 3), ("2025-09", 2, 4, 2, 3)]
    assert f.year_to_date[-1]["end"] == "2025-09-30"


def test_forecast_configured_targets(export: Path) -> None:
    high = forecast(export, 70)
    assert high.target.source == "target in sendcheck.toml"
    assert (high.including["must_be_on_time"], high.including["target_reachable"]) == (None, False)
    assert high.excluding["must_be_on_time"] == 3
    low = forecast(export, 20)
    assert low.including["must_be_on_time"] == 0
    assert low.including["target_reached_whatever_happens"] is True


def test_must_be_on_time_boundaries() -> None:
    # 50% of 10 = 5 exactly: 3 so far needs 2 more; 50.1% needs 5.01 -> 6 -> 3 more
    assert must_be_on_time(3, 10, 4, 50) == 2
    assert must_be_on_time(3, 10, 4, 50.1) == 3
    assert must_be_on_time(3, 10, 2, 50.1) is None
    assert must_be_on_time(0, 0, 0, 46.1) is None


@pytest.mark.parametrize("text, message", [
    ("target = 0.6", "give 60 for 60%"),
    ("target = 101", "from 1 to 100"),
    ("target = true", "found bool"),
    ("target = \"60\"", "found str"),
    ("goal = 60", "forecast.goal: unknown key"),
])
def test_forecast_target_validated(text: str, message: str, tmp_path: Path) -> None:
    import tomllib

    with pytest.raises(SendcheckError, match=message):
        parse_config(tomllib.loads(f"[forecast]\n{text}\n"), tmp_path / "sendcheck.toml")


def test_forecast_target_read(tmp_path: Path) -> None:
    import tomllib

    cfg = parse_config(tomllib.loads("[forecast]\ntarget = 60\n"), tmp_path / "sendcheck.toml")
    assert cfg.forecast_target == 60.0


def test_forecast_in_json_and_table(export: Path, tmp_path: Path, cli) -> None:
    run = cli("audit", export, "--as-of", "2025-09-30", "--format", "json")
    f = json.loads(run.out)["measures"]["forecast_20w"]
    assert f["year"] == 2025 and f["available"] is True
    assert (f["including"]["pc_likely"], f["including"]["likely_within"],
            f["including"]["likely_den"]) == (40.0, 4, 10)
    md = cli("audit", export, "--as-of", "2025-09-30", "--format", "markdown").out
    assert ("- The 2025 20-week figure (leaving out exception cases) is likely to land near 57.1% "
            "(best 71.4%, worst 28.6%, 66.7% so far), if the 3 open cases still in time are "
            "issued on time as often as the council's own cases at the same stage were in the "
            "last 12 months; 2 of the 3 still in time must be on time to reach 46.1% (England "
            "2025).") in md
    assert (f["excluding"]["pc_so_far"], f["excluding"]["pc_best"], f["excluding"]["pc_worst"],
            f["excluding"]["must_be_on_time"]) == (66.7, 71.4, 28.6, 2)
    assert f["target"] == {"including": 45.5, "excluding": 46.1, "source": "England 2025"}
    assert any("past its due date" in a for a in f["assumptions"])
    # Not beside the export, where it would be found for the other runs too
    (tmp_path / "config").mkdir()
    config = tmp_path / "config" / "sendcheck.toml"
    config.write_text("[forecast]\ntarget = 70\n", encoding="utf-8")
    run = cli("audit", export, "--as-of", "2025-09-30", "--format", "json", "--config", config)
    f = json.loads(run.out)["measures"]["forecast_20w"]
    assert (f["including"]["must_be_on_time"], f["including"]["target_reachable"]) == (None, False)
    assert f["excluding"]["must_be_on_time"] == 3
    # Counts under 5 are shown as <5, and the shares built on them withheld
    run = cli("audit", export, "--as-of", "2025-09-30", "--format", "json", "--suppress-below", "5")
    shown = json.loads(run.out)["measures"]["forecast_20w"]["excluding"]
    assert (shown["within_so_far"], shown["pc_so_far"], shown["best_den"]) == ("<5", "<5", 7)
    run = cli("audit", export, "--as-of", "2025-09-30")
    assert (f["excluding"]["pc_likely"], f["excluding"]["likely_within"]) == (57.1, 4)
    assert ("Where 2025 will land (20 weeks, excl. exceptions): likely 57.1% (best 71.4%, worst "
            "28.6%); 66.7% so far (2 of 3)") in run.out
    assert ("4 open cases due by 31 Dec decide it (3 still in time, 1 already late); 2 of the 3 "
            "still in time must be on time to reach 46.1% (England 2025)") in run.out


def test_forecast_not_available_without_dates(tmp_path: Path, cli) -> None:
    path = tmp_path / "no-plans.csv"
    # (The decision column lets AS01 run: an export no rule can run on stops with exit 2.)
    path.write_text("Record ID,Date Request Received,Date of Decision to Assess\nX1,05/05/2025,\n",
                    encoding="utf-8")
    f = json.loads(cli("audit", path, "--as-of", "2025-09-30", "--format", "json").out)
    f = f["measures"]["forecast_20w"]
    assert (f["available"], f["reason"]) == (False, "not available: missing final_plan_date")


def test_forecast_without_exception_columns(tmp_path: Path, cli) -> None:
    """No Week20 flag or reason column: no excluding figure (as the 20-week measure says), and
    the first screen reads the including one: 2 of 4 so far, best 6/10, worst 2/10, 3 of the
    4 still in time needed for England's 45.5% (the hand-worked figures above)."""
    path = tmp_path / "no-exceptions.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS[:6])
        w.writerows(r[:6] for r in ROWS)
    f = json.loads(cli("audit", path, "--as-of", "2025-09-30", "--format", "json").out)
    f = f["measures"]["forecast_20w"]
    assert (f["headline"], f["excluding"]) == ("including", None)
    assert f["months"][-1]["pc_best_ex"] is None and f["months"][-1]["pc_best"] == 60.0
    run = cli("audit", path, "--as-of", "2025-09-30")
    # Likely as worked out above, including exceptions: 40.0%.
    assert ("Where 2025 will land (20 weeks, incl. exceptions): likely 40.0% (best 60.0%, worst "
            "20.0%); 50.0% so far (2 of 4)") in run.out
    assert "3 of the 4 still in time must be on time to reach 45.5% (England 2025)" in run.out
    page = tmp_path / "report.html"
    cli("audit", path, "--as-of", "2025-09-30", "--format", "html", "--output", page)
    assert "20-week figure by month, 2025 (including exceptions)" in page.read_text("utf-8")


def test_forecast_in_workbook(export: Path, tmp_path: Path, cli) -> None:
    """The Forecast sheet carries the hand-worked figures (excluding, including)."""
    from openpyxl import load_workbook

    book = tmp_path / "report.xlsx"
    cli("audit", export, "--as-of", "2025-09-30", "--format", "xlsx", "--output", book)
    ws = load_workbook(book, read_only=True)["Forecast"]
    rows = {r[0]: r[1:3] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["Figure"] == ("Excluding exceptions", "Including exceptions")
    assert rows["% within 20 weeks so far"] == (66.7, 50.0)
    assert rows["best % by 31 December"] == (71.4, 60.0)
    assert rows["worst % by 31 December"] == (28.6, 20.0)
    assert rows["still in time that must be on time"] == (2, 3)
