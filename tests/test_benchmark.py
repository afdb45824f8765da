"""Beside the rest of England (issue 19): DfE's published figures shipped as package data equal
DfE's files, the [authority] setting, `figures update`, the side-by-side in the JSON, and the
reconciliation with DfE on an export and on a SEN2 return, hand-computed."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import statistics
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from test_workbook import write_export

from sendcheck.figures import published as pub

DFE = ROOT.parent / "shared" / "data" / "dfe"  # the worktree's ../shared: DfE's extracts
EXAMPLE = ROOT / "examples" / "export.xlsx"
MEASURES = pub.TIMELINESS_MEASURES


def dfe_rows(name: str) -> list[dict[str, str]]:
    if not (DFE / name).is_file():
        pytest.skip(f"DfE's extracts are not at {DFE}")
    return list(csv.DictReader((DFE / name).read_text(encoding="utf-8").splitlines()))


def cell(text: str) -> int | float | None:
    """A published cell as this test reads it: x is unavailable, never 0."""
    return None if text == "x" else float(text) if "." in text else int(text)


# ---------------------------------------------------------------- the shipped figures


def test_every_authority_2025_figure_equals_dfes_file():
    rows = [r for r in dfe_rows("timeliness_20_week_la.csv")
            if r["geographic_level"] == "Local authority" and r["time_period"] == "2025"]
    assert len(rows) == 152  # every LA in the file (Leicester is absent from DfE's)
    for r in rows:
        t = pub.timeliness(r["old_la_code"])[2025]
        assert t.values == {f: cell(r[f]) for f in MEASURES}, r["la_name"]
        assert t.symbols == {f: "x" for f in MEASURES if r[f] == "x"}, r["la_name"]
    assert pub.timeliness("856") == {}  # Leicester: no row, not a row of zeros
    halton = pub.timeliness("876")[2025]
    assert halton.pc_ex is None and halton.symbols["pc_plans_issued_20_weeks_ex"] == "x"
    norfolk = pub.timeliness("926")[2025]  # only the excluding-exception columns suppressed
    assert norfolk.pc_ex is None and norfolk.pc is not None


def test_england_regions_phase_transfers_and_neighbours_equal_dfes_files():
    for r in dfe_rows("timeliness_20_week_la.csv"):
        if r["geographic_level"] == "National":
            assert pub.england().timeliness[int(r["time_period"])].values == {
                f: cell(r[f]) for f in MEASURES}
        elif r["geographic_level"] == "Regional":
            assert pub.region(r["region_code"]).timeliness[int(r["time_period"])].values == {
                f: cell(r[f]) for f in MEASURES}
    for r in dfe_rows("phase_transfers_la.csv"):
        if r["geographic_level"] != "Local authority":
            continue
        p = pub.phase_transfers(r["old_la_code"])
        assert (p.number_plans, p.due[2025], p.due[2026], p.final[2025], p.final[2026]) == tuple(
            cell(r[c]) for c in ("number_plans", "due_25", "due_26", "final_25", "final_26"))
    by_la: dict[str, list[tuple[int, str]]] = {}
    for r in dfe_rows("statistical_neighbours.csv"):
        by_la.setdefault(r["old_la_code"], []).append(
            (int(r["neighbour_rank"]), r["neighbour_old_la_code"]))
    assert len(by_la) == 153
    for code, ns in by_la.items():
        assert [(n.rank, n.authority.old_la_code) for n in pub.neighbours(code)] == sorted(ns)


def test_an_authority_by_old_code_new_code_older_code_or_name():
    wn = pub.authority("941")
    assert (wn.new_la_code, wn.name, wn.region_name) == ("E06000062", "West Northamptonshire",
                                                         "East Midlands")
    assert pub.authority(941) == pub.authority("e06000062") == pub.authority(
        " West Northamptonshire ") == wn
    # The timeliness file's old county code and spelling reach the same authorities.
    assert pub.authority("E10000023").old_la_code == "815"  # North Yorkshire
    assert pub.authority("St. Helens").old_la_code == "342"
    with pytest.raises(pub.UnknownAuthority):
        pub.authority("999")


def test_the_attribution_the_licence_asks_for():
    assert "Open Government Licence v3.0" in pub.attribution()
    assert "Education, health and care plans" in pub.attribution()


# ---------------------------------------------------------------- [authority] in sendcheck.toml


def test_an_unknown_authority_is_a_configuration_error_naming_the_key(tmp_path):
    export = write_export(tmp_path / "export.csv")
    (tmp_path / "sendcheck.toml").write_text('[authority]\ncode = "999"\n', encoding="utf-8")
    run = run_cli("audit", export, "--as-of", "2025-03-31")
    assert run.code == 2
    assert run.err.startswith("Error: sendcheck.toml: authority.code: '999' is not an English")
    (tmp_path / "sendcheck.toml").write_text('[authority]\ncod = "941"\n', encoding="utf-8")
    run = run_cli("audit", export, "--as-of", "2025-03-31")
    assert run.code == 2 and "authority.cod: unknown key (allowed: code)" in run.err


def test_init_writes_a_commented_authority_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export = write_export(tmp_path / "export.csv")
    assert run_cli("init", export).code == 0
    toml = (tmp_path / "sendcheck.toml").read_text(encoding="utf-8")
    assert "# [authority]\n# code = \"941\"" in toml


# ---------------------------------------------------------------- figures update


def test_figures_update_round_trips_dfes_files_and_refuses_a_bad_symbol(tmp_path):
    dfe_rows("la_lookup.csv")
    into = tmp_path / "installed"
    run = run_cli("figures", "update", DFE, "--into", into)
    assert run.code == 0, run.err
    shipped = Path(pub.__file__).parent / pub.FOLDER
    for name in (pub.TIMELINESS, pub.PHASE_TRANSFERS, pub.LOOKUP, pub.NEIGHBOURS):
        assert (into / name).read_bytes() == (shipped / name).read_bytes(), name
    # The next release, as DfE writes it: its own file names, CRLF; one cell a symbol DfE
    # does not use ("c"), and nothing may be written.
    release = tmp_path / "release"
    release.mkdir()
    text = (DFE / pub.TIMELINESS).read_text(encoding="utf-8").replace(
        ",West Northamptonshire,All EHC plans,All EHC plans,1307,", 
        ",West Northamptonshire,All EHC plans,All EHC plans,c,")
    (release / "timeliness_20_week.csv").write_bytes(text.replace("\n", "\r\n").encode())
    shutil.copy(DFE / pub.PHASE_TRANSFERS, release / "phase_transfers.csv")
    bad = tmp_path / "bad"
    run = run_cli("figures", "update", release, "--into", bad)
    assert run.code == 2
    line = 1 + next(i for i, r in enumerate(dfe_rows(pub.TIMELINESS), start=1)
                    if r["la_name"] == "West Northamptonshire")
    assert (f"timeliness_20_week.csv line {line}, plans_issued_den: 'c' is neither a number "
            f"nor DfE's x or z") in run.err
    assert not bad.exists()
    # Without DfE's columns: named.
    (release / "timeliness_20_week.csv").write_text("time_period,la_name\n2026,X\n")
    run = run_cli("figures", "update", release, "--into", bad)
    assert run.code == 2 and "missing column(s) time_identifier" in run.err


# ---------------------------------------------------------------- the JSON's benchmark


@pytest.fixture(scope="module")
def example_json(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("wn")
    shutil.copy(EXAMPLE, folder / "export.xlsx")
    (folder / "sendcheck.toml").write_text('[authority]\ncode = "941"\n', encoding="utf-8")
    run = run_cli("audit", folder / "export.xlsx", "--as-of", "2025-03-31", "--format", "json",
                  "--fail-on", "none")
    assert run.code == 0, run.err
    return json.loads(run.out)


def _csv_entry(r: dict[str, str], field: str, num: str, den: str) -> tuple:
    return cell(r[field]), cell(r[num]), cell(r[den])


def test_the_examples_benchmark_equals_dfes_files(example_json):
    b = example_json["benchmark"]
    assert b["authority"]["name"] == "West Northamptonshire" and b["year"] == 2025
    assert b["authority"]["source"] == "[authority] code in sendcheck.toml"
    rows = [r for r in dfe_rows("timeliness_20_week_la.csv") if r["time_period"] == "2025"]
    la = {r["old_la_code"]: r for r in rows if r["geographic_level"] == "Local authority"}
    region = next(r for r in rows if r["region_code"] == "E12000004"
                  and r["geographic_level"] == "Regional")
    england = next(r for r in rows if r["geographic_level"] == "National")
    sn = [r["neighbour_old_la_code"] for r in dfe_rows("statistical_neighbours.csv")
          if r["old_la_code"] == "941"]
    for field, num, den in (("pc_plans_issued_20_weeks_ex", "plans_issued_20_weeks_ex",
                             "plans_issued_den_ex"),
                            ("pc_plans_issued_within_20_weeks", "plans_issued_within_20_weeks",
                             "plans_issued_den")):
        t = b["twenty_weeks"][field]
        for entry, r in ((t["published"], la["941"]), (t["region"], region),
                         (t["england"], england)):
            assert (entry["value"], entry["num"], entry["den"]) == _csv_entry(r, field, num, den)
        items = t["neighbours"]["items"]
        assert [i["old_la_code"] for i in items] == sn
        values = [cell(la[c][field]) for c in sn]
        assert [i["value"] for i in items] == values
        assert t["neighbours"]["median"] == round(statistics.median(values), 1)
        assert (t["neighbours"]["min"], t["neighbours"]["max"]) == (min(values), max(values))
        ours = cell(la["941"][field])
        assert t["neighbours"]["rank_published"] == {
            "rank": 1 + sum(v > ours for v in values), "of": 11}
        now = example_json["measures"]["items"]["final_plan_20w"]["values"][field]
        assert t["ours_now"]["value"] == now
        assert t["neighbours"]["rank_now"] == {"rank": 1 + sum(v > now for v in values), "of": 11}
    # The headline of the issue: 99 of 1,307 plans within 20 weeks, 7.6%, against 45.5%.
    inc = b["twenty_weeks"]["pc_plans_issued_within_20_weeks"]
    assert (inc["published"]["num"], inc["published"]["den"], inc["published"]["value"],
            inc["england"]["value"]) == (99, 1307, 7.6, 45.5)
    pt = {r["old_la_code"]: r for r in dfe_rows("phase_transfers_la.csv")}
    ours = b["phase_transfers"]["published"]
    assert ours["counts"] == {k: cell(pt["941"][k.replace("20", "")]) if k != "number_plans"
                              else cell(pt["941"][k])
                              for k in ("number_plans", "due_2025", "due_2026", "final_2025",
                                        "final_2026")}
    # Havering (311) had no phase transfers due: not available, never 0%.
    havering = next(i for i in b["phase_transfers"]["neighbours"]["items"]
                    if i["old_la_code"] == "311")
    assert havering["value"] is None and havering["symbol"] == "none due"


def test_an_x_stays_not_available_in_the_markdown(tmp_path):
    export = write_export(tmp_path / "export.csv")
    (tmp_path / "sendcheck.toml").write_text('[authority]\ncode = "Halton"\n', encoding="utf-8")
    md = run_cli("audit", export, "--as-of", "2025-03-31", "--format", "markdown").out
    assert "| Halton, DfE 2025 | not available (x) | not available (x) |" in md
    assert "Halton, DfE 2025 | 0" not in md


# ---------------------------------------------------------------- reconciliation


HEADERS = ["Case Ref", "Date Request Received", "Decision to Assess",
           "Date of Decision to Assess", "Decision to Issue", "Decision to Issue Date",
           "20 Week Exception", "Exception Reason", "Final EHCP Issued", "Date Transferred In",
           "Transferred From LA"]
# DfE's definition, by hand: new plans issued in calendar 2025, request to plan within 140
# days (Mon 6 Jan 2025 + 20 weeks = Mon 26 May 2025); excluding exceptions = Week20 = 0.
ROWS = [
    # R1: issued on the due day: within.  R2: the day after: not within.
    ["R1", "06/01/2025", "Agreed", "10/02/2025", "Yes", "07/04/2025", "No", "", "26/05/2025", "", ""],
    ["R2", "06/01/2025", "Agreed", "10/02/2025", "Yes", "07/04/2025", "No", "", "27/05/2025", "", ""],
    # R3: an exception (Week20 = 1): in plans_issued_den, not in plans_issued_den_ex.
    ["R3", "03/03/2025", "Agreed", "07/04/2025", "Yes", "01/09/2025", "Yes",
     "Exceptional personal circumstances", "01/12/2025", "", ""],
    # R4: requested in 2024, issued in 2025 (85 days): counted, within.
    ["R4", "15/12/2024", "Agreed", "20/01/2025", "Yes", "17/02/2025", "No", "", "10/03/2025", "", ""],
    # R5 issued in 2024 and R6 in 2026: not in 2025's figure.
    ["R5", "03/06/2024", "Agreed", "08/07/2024", "Yes", "01/11/2024", "No", "", "20/12/2024", "", ""],
    ["R6", "01/09/2025", "Agreed", "06/10/2025", "Yes", "15/12/2025", "No", "", "05/01/2026", "", ""],
    # R7: a plan transferred in: not a new plan of this authority.
    ["R7", "02/01/2025", "Agreed", "06/02/2025", "Yes", "07/04/2025", "No", "", "01/05/2025",
     "10/06/2025", "Northvale County Council"],
    # R8: refused: no plan.
    ["R8", "03/02/2025", "Refused", "10/03/2025", "", "", "", "", "", "", ""],
    # R9: 10 Feb 2025 + 140 days = 30 Jun 2025: within.  R10: 1 Jul: not within.
    ["R9", "10/02/2025", "Agreed", "17/03/2025", "Yes", "02/06/2025", "No", "", "30/06/2025", "", ""],
    ["R10", "10/02/2025", "Agreed", "17/03/2025", "Yes", "02/06/2025", "No", "", "01/07/2025", "", ""],
]
# Issued in 2025, new: R1 R2 R3 R4 R9 R10 = 6, within R1 R4 R9 = 3; without the exception 5, 3.
HAND = {"plans_issued_den": 6, "plans_issued_within_20_weeks": 3,
        "pc_plans_issued_within_20_weeks": 50.0, "plans_issued_den_ex": 5,
        "plans_issued_20_weeks_ex": 3, "pc_plans_issued_20_weeks_ex": 60.0}


def _reconcile(tmp_path: Path, code: str, *inputs: Path) -> dict:
    (tmp_path / "sendcheck.toml").write_text(f'[authority]\ncode = "{code}"\n', encoding="utf-8")
    run = run_cli("audit", *inputs, "--as-of", "2026-01-31", "--format", "json",
                  "--fail-on", "none", "--config", tmp_path / "sendcheck.toml")
    assert run.code == 0, run.err
    return json.loads(run.out)["benchmark"]["reconciliation"]


def test_reconciliation_by_dfes_definition_hand_computed(tmp_path):
    export = write_export(tmp_path / "export.csv", ROWS, HEADERS)
    # The Isles of Scilly published 1 plan, within 20 weeks: 5 apart is within "a few".
    r = _reconcile(tmp_path, "420", export)
    assert r["year"] == 2025 and r["complete"] is True
    assert r["export"] == HAND
    assert r["published"]["plans_issued_den"] == 1
    assert r["difference"]["plans_issued_den"] == 5 and r["findings"] == []
    # West Northamptonshire published 1,307 (99 within, 1,174 without an exception): findings.
    r = _reconcile(tmp_path, "941", export)
    assert r["export"] == HAND
    assert [(f["field"], f["larger"], f["by"]) for f in r["findings"]] == [
        ("plans_issued_den", "published", 1301), ("plans_issued_within_20_weeks", "published", 96),
        ("plans_issued_den_ex", "published", 1169)]
    assert r["findings"][0]["text"] == (
        "2025 new plans issued (plans_issued_den): DfE's published figure is larger by 1,301 "
        "plans (export 6, DfE 1,307 for West Northamptonshire); check requests or plans missing "
        "from one side, or plans dated in another year")
    md = run_cli("audit", export, "--as-of", "2026-01-31", "--format", "markdown",
                 "--config", tmp_path / "sendcheck.toml").out
    assert ("Reconciliation with DfE, 2025 (West Northamptonshire), by DfE's definition: export "
            "50.0% (3 of 6 new plans); DfE 7.6% (99 of 1,307 new plans); difference -1,301 "
            "plans") in md
    assert "finding: 2025 new plans issued (plans_issued_den): DfE's published figure" in md


def test_reconciliation_on_a_sen2_return_reads_its_lea(tmp_path):
    from sendcheck.read.episodes import prepare
    from sendcheck.read.export import read_export
    from sendcheck.synth.sen2_write import write_all

    export = write_export(tmp_path / "export.csv", ROWS, HEADERS)
    as_of = dt.date(2026, 1, 31)  # the January 2026 collection: calendar year 2025
    paths = write_all(prepare(read_export(export).frame, as_of), tmp_path / "sen2", as_of)
    xml = paths["xml"].read_text(encoding="utf-8")
    assert "<LEA>999</LEA>" in xml
    paths["xml"].write_text(xml.replace("<LEA>999</LEA>", "<LEA>941</LEA>"), encoding="utf-8")
    run = run_cli("audit", paths["xml"], "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.err
    b = json.loads(run.out)["benchmark"]
    assert b["authority"]["source"] == "the SEN2 return's header LEA"
    r = b["reconciliation"]
    assert r["export"] == HAND  # the return gives the same 2025 figure as the export it came from
    assert [f["by"] for f in r["findings"]] == [1301, 96, 1169]
    # A return from an authority DfE does not know: said, and no benchmark.
    paths["xml"].write_text(xml, encoding="utf-8")
    b = json.loads(run_cli("audit", paths["xml"], "--format", "json", "--fail-on", "none").out)
    assert b["benchmark"]["authority"] is None
    assert b["benchmark"]["note"].startswith("the SEN2 return's header LEA 999 is not an English")


def test_reconciliation_waits_for_the_year_to_end(example_json):
    r = example_json["benchmark"]["reconciliation"]
    assert r["complete"] is False and r["findings"] == []
    assert r["note"] == ("2025 is not over on the as-of date 2025-03-31: the export's figure is "
                         "the year so far, so no gap is reported")


# ---------------------------------------------------------------- breakdowns (--by)


BY_HEADERS = ["Case Ref", "Primary Need", "Date Request Received", "Decision to Assess",
              "Date of Decision to Assess", "Final EHCP Issued"]
BY_ROWS = [
    # As of 30/09/2025. N1: no decision 38 weeks on: AS01 and AS05 overdue, open past 20 weeks.
    ["N1", "ASD", "06/01/2025", "", "", ""],
    # N2: plan on the 20-week due day (26/05/2025): within.
    ["N2", "asd", "06/01/2025", "Agreed", "10/02/2025", "26/05/2025"],
    # N3: requested 01/09/2025: the decision is due 13/10/2025, within 28 days: due soon.
    ["N3", "Autism", "01/09/2025", "", "", ""],
    # N4: no need recorded; plan a day late.
    ["N4", "", "06/01/2025", "Agreed", "10/02/2025", "27/05/2025"],
    # N5: agreed, no plan: AS05 overdue, open past 20 weeks.
    ["N5", "SEMH", "06/01/2025", "Agreed", "10/02/2025", ""],
    # N6: a local category DfE has no label for, kept as written; refused.
    ["N6", "Local thing", "06/01/2025", "Refused", "10/02/2025", ""],
]


def _by_need(tmp_path: Path, *extra: str) -> dict:
    export = write_export(tmp_path / "needs.csv", BY_ROWS, BY_HEADERS)
    run = run_cli("audit", export, "--as-of", "2025-09-30", "--format", "json", "--by", "need",
                  "--fail-on", "none", *extra)
    assert run.code == 0, run.err
    (b,) = json.loads(run.out)["breakdowns"]
    return b


def test_by_need_hand_computed_under_dfes_labels_and_not_recorded(tmp_path):
    b = _by_need(tmp_path)
    keys = ("plans_issued_den", "plans_issued_within_20_weeks", "open_assessments",
            "open_past_20_weeks", "cases_overdue", "cases_due_soon")
    got = [(g["group"], *[g[k] for k in keys]) for g in b["groups"]]
    assert got == [
        ("Autistic spectrum disorder", 1, 1, 2, 1, 1, 1),  # N1, N2, N3
        ("Local thing", 0, 0, 0, 0, 0, 0),  # N6
        ("Social, emotional and mental health", 0, 0, 1, 1, 1, 0),  # N5
        ("not recorded", 1, 0, 0, 0, 0, 0),  # N4: counted, never dropped
    ]
    assert [b["total"][k] for k in keys] == [2, 1, 3, 2, 2, 1]
    # No exception columns: the excluding-exception figures are not available, not 0.
    assert b["total"]["plans_issued_den_ex"] is None


def test_by_need_suppressed_as_suppress_below_does(tmp_path):
    b = _by_need(tmp_path, "--suppress-below", "2")
    asd = b["groups"][0]
    assert (asd["plans_issued_den"], asd["open_assessments"], asd["cases_overdue"]) == ("<2", 2,
                                                                                         "<2")
    assert asd["pc_plans_issued_within_20_weeks"] == "<2"  # 1 of 1 would give it back
    assert b["groups"][1]["cases_overdue"] == 0  # zero is shown, as published tables do


def test_every_dimension_adds_up_to_the_whole_on_the_example(tmp_path):
    run = run_cli("audit", EXAMPLE, "--as-of", "2025-03-31", "--format", "json", "--fail-on",
                  "none", "--by", "need,age,setting,sex,ethnicity,team")
    data = json.loads(run.out)
    assert [b["by"] for b in data["breakdowns"]] == ["need", "age", "setting", "sex",
                                                       "ethnicity", "team"]
    twenty = data["measures"]["items"]["final_plan_20w"]["values"]
    for b in data["breakdowns"]:
        assert b["available"], b
        for k in ("plans_issued_den_ex", "plans_issued_20_weeks_ex", "plans_issued_den",
                  "open_assessments", "open_past_20_weeks", "cases_overdue", "cases_due_soon"):
            assert sum(g[k] for g in b["groups"]) == b["total"][k], (b["by"], k)
        # The whole is the headline's own figure and the run's own case counts.
        assert b["total"]["plans_issued_den_ex"] == twenty["plans_issued_den_ex"]
        assert b["total"]["cases_overdue"] == data["totals"]["cases_overdue"]
        assert b["total"]["open_assessments"] == data["backlog"]["assessments"][
            "open_assessments"]
    need = {g["group"] for g in data["breakdowns"][0]["groups"]}
    assert {"Autistic spectrum disorder", "Speech, language and communication needs",
            "not recorded"} <= need and "ASD" not in need
    assert [g["group"] for g in data["breakdowns"][1]["groups"]][:5] == [
        "Under 5", "5 to 10", "11 to 15", "16 to 19", "20 to 25"]
    run = run_cli("audit", EXAMPLE, "--by", "postcode")
    assert run.code == 2 and "--by: postcode is not one of need, age" in run.err


def test_trend_by_sex_adds_up_month_by_month():
    run = run_cli("trend", EXAMPLE, "--as-of", "2025-03-31", "--months", "3", "--by", "sex",
                  "--format", "json")
    data = json.loads(run.out)
    (b,) = data["by"]
    assert list(b["groups"]) == ["Male", "Female", "Total"]
    for i, month in enumerate(data["series"]):
        for k in ("plans_issued_den_ex", "open_assessments"):
            assert (b["groups"]["Male"][i][k] + b["groups"]["Female"][i][k]
                    == b["groups"]["Total"][i][k] == month[k])
    assert run_cli("trend", EXAMPLE, "--by", "sex", "--format", "markdown").code == 2


# ---------------------------------------------------------------- as a person reads them


def _wn_folder(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE, tmp_path / "export.xlsx")
    (tmp_path / "sendcheck.toml").write_text('[authority]\ncode = "941"\n', encoding="utf-8")
    return tmp_path / "export.xlsx"


def test_the_pages_neighbours_chart_holds_the_jsons_figures_in_chromium(tmp_path, example_json):
    import re

    from test_html import chromium

    export = _wn_folder(tmp_path)
    page = tmp_path / "report.html"
    run = run_cli("audit", export, "--as-of", "2025-03-31", "--format", "html", "--output", page,
                  "--fail-on", "none")
    assert run.code == 0, run.err
    dom = chromium(page, tmp_path, "--dump-dom").stdout
    chart = dom[dom.index('id="chart-neighbours"'):]
    chart = chart[:chart.index("</svg>")]
    bars = re.findall(r'<rect[^>]*data-name="([^"]+)"[^>]*data-value="([^"]+)"[^>]*'
                      r'data-ours="(yes|no)"', chart)
    t = example_json["benchmark"]["twenty_weeks"]["pc_plans_issued_20_weeks_ex"]
    expected = {(f"{n['name']} (DfE 2025)", str(n["value"]), "no")
                for n in t["neighbours"]["items"]}
    expected |= {("West Northamptonshire (DfE 2025)", str(t["published"]["value"]), "yes"),
                 ("West Northamptonshire, ours now", str(t["ours_now"]["value"]), "yes")}
    assert set(bars) == expected and len(bars) == 12
    # Highest first, each bar's label the figure (ours marked in words, not colour alone).
    values = [float(v) for _, v, _ in bars]
    assert values == sorted(values, reverse=True)
    labels = re.findall(r'<text[^>]*class="value"[^>]*>([^<]+)</text>', chart)
    assert f"{t['published']['value']:.1f}% ours" in labels
    assert f"England {t['england']['value']:.1f}%" in labels


@pytest.mark.parametrize("columns", [80, 120])
def test_the_first_screen_shows_the_published_figures_whole(tmp_path, columns, example_json):
    from terminal import run_on_terminal

    export = _wn_folder(tmp_path)
    code, screen, _, err = run_on_terminal(["audit", str(export), "--as-of", "2025-03-31"],
                                           columns, lines=60)
    assert code == 1, err  # cases overdue
    words = [w.rstrip(",;") for w in screen.split()]
    t = example_json["benchmark"]["twenty_weeks"]["pc_plans_issued_20_weeks_ex"]
    n = t["neighbours"]
    for figure in (f"{t['published']['value']:.1f}%", f"{t['published']['den']:,})",
                   f"{t['region']['value']:.1f}%", f"{n['median']:.1f}%", f"{n['min']:.1f}%",
                   f"{n['max']:.1f}%", f"{n['rank_published']['rank']}th",
                   f"{t['england']['value']:.1f}%"):
        assert figure in words, figure  # a whole word: never cut by the terminal's width
    assert "West Northamptonshire" in screen and "statistical neighbours:" in screen


def test_the_workbook_charts_the_neighbours_in_libreoffice(tmp_path, example_json):
    """The neighbours' table and chart sit on the Measures sheet (the Summary is the one-page
    manager's sheet: its chart is the 20-week figure month by month)."""
    import subprocess

    import openpyxl

    export = _wn_folder(tmp_path)
    out = tmp_path / "report.xlsx"
    assert run_cli("audit", export, "--as-of", "2025-03-31", "--format", "xlsx", "--output", out,
                   "--fail-on", "none").code == 0
    book = openpyxl.load_workbook(out)
    assert len(book["Summary"]._charts) == 1  # the month by month line
    ws = book["Measures"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[0] == "Authority" and r[1] == "Neighbours")
    table = [r for r in rows[at + 1:at + 13]]
    t = example_json["benchmark"]["twenty_weeks"]["pc_plans_issued_20_weeks_ex"]
    ours = {r[0]: r[2] for r in table if r[2] is not None}
    theirs = {r[0]: r[1] for r in table if r[1] is not None}
    assert ours == {"West Northamptonshire (DfE 2025)": pytest.approx(t["published"]["value"] / 100),
                    "West Northamptonshire, ours now": pytest.approx(t["ours_now"]["value"] / 100)}
    assert theirs == {f"{n['name']} (DfE 2025)": pytest.approx(n["value"] / 100)
                      for n in t["neighbours"]["items"]}
    assert len(ws._charts) == 2  # findings by rule, the neighbours
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    # Every sheet to its own CSV (the filter's 12th token, -1: LibreOffice 7.2 and later).
    subprocess.run([soffice, "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=300,
                   check=True)
    text = (tmp_path / "report-Measures.csv").read_text(encoding="utf-8", errors="replace")
    assert f"West Northamptonshire (DfE 2025),,{t['published']['value']:.1f}%" in text
