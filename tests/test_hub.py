"""A run's pseudonymised dataset (`audit --format parquet`) and the hub that reads many
(`sendcheck hub`): figures equal to each authority's own run, pseudonyms keyed, partitions
replaced by a same-day re-run, stale runs marked, unknown schemas refused."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from conftest import run_cli

AS_OF = "2025-03-31"
# Two real authority codes (DfE's old_la_code): West Northamptonshire and Northumberland.
CODES = ("941", "929")


def spoke(tmp: Path, code: str, seed: int, episodes: int = 400, as_of: str = AS_OF) -> Path:
    """One authority's folder: a synthetic export with its reviews, sendcheck.toml naming the
    authority and the dataset folder, and a key made by `sendcheck init`."""
    folder = tmp / f"la{code}"
    folder.mkdir(exist_ok=True)
    export, reviews = folder / "export.csv", folder / "reviews.csv"
    r = run_cli("synth", "--episodes", episodes, "--seed", seed, "--as-of", as_of, "--output",
                export, "--reviews-output", reviews, "--force")
    assert r.code == 0, r.err
    if not (folder / "sendcheck.key").exists():
        assert run_cli("init", export, "--output", folder / "sendcheck.toml", "--force").code == 0
    (folder / "sendcheck.toml").write_text(
        f'[authority]\ncode = "{code}"\n\n[export]\nparquet = "../datasets"\n'
        f'key_file = "sendcheck.key"\n', encoding="utf-8")
    return folder


def audit_json(folder: Path, as_of: str = AS_OF) -> dict:
    """The authority's own run (which also writes its dataset, by [export] parquet)."""
    out = folder / "report.json"
    r = run_cli("audit", folder / "export.csv", "--reviews", folder / "reviews.csv", "--as-of",
                as_of, "--config", folder / "sendcheck.toml", "--format", "json", "--output", out,
                "--fail-on", "none")
    assert r.code == 0, r.err
    return json.loads(out.read_text(encoding="utf-8"))


def measure(report: dict, mid: str, field: str) -> int:
    return report["measures"]["items"][mid]["values"][field]


def test_two_authorities_hub_figures_equal_their_own_runs(tmp_path):
    runs = {code: audit_json(spoke(tmp_path, code, seed)) for code, seed in zip(CODES, (1, 2))}
    r = run_cli("hub", tmp_path / "datasets", "--format", "json")
    assert r.code == 0, r.err
    hub = json.loads(r.out)
    assert hub["as_of"] == AS_OF and hub["stale"] == []
    assert [a["authority"] for a in hub["authorities"]] == sorted(CODES)
    for row in hub["authorities"]:
        own = runs[row["authority"]]
        assert row["episodes"] == own["rows"]["evaluated"] == 400
        assert row["cases_overdue"] == own["totals"]["cases_overdue"]
        assert row["cases_due_soon"] == own["totals"]["cases_due_soon"]
        assert row["plans_in_force"] == measure(own, "annual_reviews", "plans_in_force")
        assert row["twenty_weeks_num"] == measure(own, "final_plan_20w", "plans_issued_20_weeks_ex")
        assert row["twenty_weeks_den"] == measure(own, "final_plan_20w", "plans_issued_den_ex")
        assert row["twenty_weeks_pc"] == measure(own, "final_plan_20w",
                                                 "pc_plans_issued_20_weeks_ex")
        assert row["phase_transfers_den"] == measure(own, "phase_transfers", "phase_transfers_due")
        assert row["tribunal_orders_num"] == measure(own, "tribunal_orders", "on_time")
    total = hub["total"]
    for field in ("cases_overdue", "cases_due_soon", "plans_in_force", "twenty_weeks_num",
                  "twenty_weeks_den", "reviews_num", "reviews_den"):
        assert total[field] == sum(a[field] for a in hub["authorities"])
    # The percentage is worked out again from the sums, never averaged.
    assert total["twenty_weeks_pc"] == round(
        100 * total["twenty_weeks_num"] / total["twenty_weeks_den"], 1)
    # DfE's published figure beside each, excluding exceptions as the hub's own column:
    # West Northamptonshire 2025, 93 of 1,174 plans = 7.9% (7.6% with exceptions).
    wn = next(a for a in hub["authorities"] if a["authority"] == "941")
    assert (wn["name"], wn["published_pc"], wn["published_year"]) == (
        "West Northamptonshire", 7.9, 2025)
    # By month: the total's rows add the authorities' rows.
    months = {(m["authority"], m["month"]): m for m in hub["months"]}
    for (who, month), m in months.items():
        if who == "total":
            assert m["den"] == sum(months[(c, month)]["den"] for c in CODES)


def test_every_hub_format_shows_the_same_figures(tmp_path):
    for code, seed in zip(CODES, (3, 4)):
        audit_json(spoke(tmp_path, code, seed, episodes=300))
    hub = json.loads(run_cli("hub", tmp_path / "datasets", "--format", "json").out)
    total = hub["total"]
    text = run_cli("hub", tmp_path / "datasets").out
    md = run_cli("hub", tmp_path / "datasets", "--format", "markdown").out
    html_out = tmp_path / "hub.html"
    assert run_cli("hub", tmp_path / "datasets", "--format", "html", "--output", html_out).code == 0
    xlsx = tmp_path / "hub.xlsx"
    assert run_cli("hub", tmp_path / "datasets", "--format", "xlsx", "--output", xlsx).code == 0
    total_line = next(line for line in text.splitlines() if line.startswith("total"))
    assert f"{total['cases_overdue']:,}" in total_line.split()
    assert f"{total['twenty_weeks_pc']:.1f}" in total_line.split()
    md_total = next(line for line in md.splitlines() if line.startswith("| total"))
    assert f"| {total['cases_overdue']:,} |" in md_total
    page = html_out.read_text(encoding="utf-8")
    assert f'data-sort="{total["cases_overdue"]:,}"' in page or \
        f">{total['cases_overdue']:,}<" in page
    from openpyxl import load_workbook

    ws = load_workbook(xlsx, read_only=True)["Authorities"]
    cells = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(cells) if r and r[0] == "Code")
    col = cells[head].index("Cases overdue")
    total_row = next(r for r in cells[head + 1:] if r and r[0] == "total")
    assert total_row[col] == total["cases_overdue"]


def test_the_dataset_holds_no_id_name_upn_or_birth_date(tmp_path):
    folder = spoke(tmp_path, "941", 5)
    audit_json(folder)
    from sendcheck.read.export import read_export

    raw = read_export(folder / "export.csv").frame  # text cells under canonical names
    part = tmp_path / "datasets" / "authority=941" / f"as_of={AS_OF}"

    def values(*columns: str) -> set[str]:
        return {v for c in columns for v in raw[c].drop_nulls().to_list() if len(v) >= 4}

    ids = values("record_id", "person_id", "upn")  # distinctive: never inside any cell
    words = values("forename", "surname", "birth_date")  # never a cell of their own
    assert len(ids) > 1000 and len(words) > 300
    for name in ("episodes.parquet", "figures.parquet"):
        frame = pl.read_parquet(part / name)
        cells = set(frame.columns) | set(pl.read_parquet_metadata(part / name).values())
        for c in frame.columns:
            cells |= set(frame[c].cast(pl.String).drop_nulls().to_list())
        leaked = {s for s in ids if any(s in c for c in cells)} | (words & cells)
        assert not leaked, sorted(leaked)[:5]
    episodes = pl.read_parquet(part / "episodes.parquet")
    assert {"record_key", "person_key", "age_band", "case", "AS05"} <= set(episodes.columns)
    assert not {"upn", "forename", "surname", "birth_date", "caseworker", "record_id",
                "person_id"} & set(episodes.columns)


def test_pseudonyms_are_keyed():
    from sendcheck.views.dataset import pseudonyms

    ids = pl.Series(["R-1", "R-2", "R-1", None])
    a = pseudonyms(ids, b"k" * 32).to_list()
    assert a[0] == a[2] and a[0] != a[1] and a[3] is None
    assert pseudonyms(ids, b"k" * 32).to_list() == a  # the same key: the same hashes
    b = pseudonyms(ids, b"j" * 32).to_list()
    assert b[0] != a[0] and b[1] != a[1]  # another key: other hashes
    assert all(len(h) == 32 and "R-" not in h for h in a if h)


def test_a_same_day_rerun_replaces_its_partition(tmp_path):
    folder = spoke(tmp_path, "941", 6, episodes=300)
    audit_json(folder)
    part = tmp_path / "datasets" / "authority=941" / f"as_of={AS_OF}"
    assert pl.read_parquet(part / "episodes.parquet").height == 300
    spoke(tmp_path, "941", 7, episodes=250)  # the next export of the same day
    audit_json(folder)
    assert pl.read_parquet(part / "episodes.parquet").height == 250
    left = sorted(p.name for p in (tmp_path / "datasets" / "authority=941").iterdir())
    assert left == [f"as_of={AS_OF}"]  # nothing staged or old left behind


def test_an_older_latest_run_is_stale(tmp_path):
    audit_json(spoke(tmp_path, "941", 8, episodes=300))
    audit_json(spoke(tmp_path, "929", 9, episodes=300, as_of="2025-02-28"), as_of="2025-02-28")
    r = run_cli("hub", tmp_path / "datasets", "--as-of", AS_OF, "--format", "json")
    hub = json.loads(r.out)
    assert hub["stale"] == ["929"]
    assert {a["authority"]: a["stale"] for a in hub["authorities"]} == {"929": True,
                                                                       "941": False}
    text = run_cli("hub", tmp_path / "datasets", "--as-of", AS_OF).out
    assert "2025-02-28 (stale)" in text
    # As of February, only the February run is there.
    feb = json.loads(run_cli("hub", tmp_path / "datasets", "--as-of", "2025-02-28",
                             "--format", "json").out)
    assert [a["authority"] for a in feb["authorities"]] == ["929"] and feb["stale"] == []


def test_a_dataset_of_an_unknown_schema_is_refused_not_misread(tmp_path):
    audit_json(spoke(tmp_path, "941", 10, episodes=200))
    part = tmp_path / "datasets" / "authority=941" / f"as_of={AS_OF}"
    frame = pl.read_parquet(part / "episodes.parquet")
    meta = pl.read_parquet_metadata(part / "episodes.parquet")
    meta = {k: v for k, v in meta.items() if not k.startswith("ARROW:")}
    frame.write_parquet(part / "episodes.parquet", metadata={**meta, "sendcheck.schema": "99"})
    r = run_cli("hub", tmp_path / "datasets")
    assert r.code == 2
    assert r.err.count("\n") == 1 and "dataset schema 99" in r.err


def test_a_dataset_edited_by_hand_is_refused(tmp_path):
    audit_json(spoke(tmp_path, "941", 11, episodes=200))
    part = tmp_path / "datasets" / "authority=941" / f"as_of={AS_OF}"
    frame = pl.read_parquet(part / "episodes.parquet")
    meta = {k: v for k, v in pl.read_parquet_metadata(part / "episodes.parquet").items()
            if not k.startswith("ARROW:")}
    frame.head(100).write_parquet(part / "episodes.parquet", metadata=meta)
    r = run_cli("hub", tmp_path / "datasets")
    assert r.code == 2 and "damaged or was edited" in r.err


def test_hub_suppresses_small_counts(tmp_path):
    audit_json(spoke(tmp_path, "941", 12, episodes=200))
    hub = json.loads(run_cli("hub", tmp_path / "datasets", "--format", "json",
                             "--suppress-below", "1000").out)
    row = hub["authorities"][0]
    assert row["cases_overdue"] == "<1000" and row["overdue_per_1000_plans"] == "<1000"
    assert row["twenty_weeks_pc"] == "<1000"


@pytest.mark.parametrize("args, message", [
    (["--format", "parquet"], "give --output FOLDER"),
])
def test_parquet_needs_a_folder(tmp_path, args, message):
    folder = spoke(tmp_path, "941", 13, episodes=50)
    r = run_cli("audit", folder / "export.csv", "--config", folder / "sendcheck.toml", *args)
    assert r.code == 2 and message in r.err


def test_a_dataset_needs_the_key_and_the_authority(tmp_path):
    folder = spoke(tmp_path, "941", 14, episodes=50)
    (folder / "sendcheck.key").unlink()
    out = tmp_path / "ds"
    r = run_cli("audit", folder / "export.csv", "--config", folder / "sendcheck.toml",
                "--as-of", AS_OF, "--format", "parquet", "--output", out)
    assert r.code == 2 and "no pseudonymisation key" in r.err and "sendcheck init" in r.err
    assert not out.exists()
    (folder / "sendcheck.toml").write_text('[export]\nkey_file = "k"\n', encoding="utf-8")
    run_cli("init", folder / "export.csv", "--output", folder / "x.toml")
    r = run_cli("audit", folder / "export.csv", "--config", folder / "sendcheck.toml",
                "--as-of", AS_OF, "--format", "parquet", "--output", out)
    assert r.code == 2 and "[authority] code" in r.err


def test_init_writes_a_private_key_once(tmp_path):
    folder = spoke(tmp_path, "941", 15, episodes=50)
    key = folder / "sendcheck.key"
    first = key.read_text(encoding="ascii")
    assert len(first.strip()) == 64 and oct(key.stat().st_mode & 0o777) == "0o600"
    run_cli("init", folder / "export.csv", "--output", folder / "sendcheck.toml", "--force")
    assert key.read_text(encoding="ascii") == first  # kept: a new key would break the linkage
