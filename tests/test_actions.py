"""`sendcheck actions`: one file per caseworker holding only their cases, an index whose counts
equal the caseload's, safe file names, and an output folder it owns only in part."""

from __future__ import annotations

import csv
import json
import re

import pytest
from conftest import ROOT, run_cli

from sendcheck.views.actions import assign_files, slug
from sendcheck.views.folder import MANIFEST

EXAMPLE = [ROOT / "examples" / "export.xlsx", "--reviews", ROOT / "examples" / "reviews.csv",
           "--as-of", "2025-03-31"]


def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("actions")
    r = run_cli("actions", *EXAMPLE, "--output-dir", out, "--format", "csv")
    assert r.code == 0, r.err
    j = run_cli("audit", *EXAMPLE, "--format", "json", "--fail-on", "none")
    assert j.code == 0, j.err
    return out, json.loads(j.out)


def test_one_file_per_caseworker_holding_only_their_cases(example_run):
    out, report = example_run
    index = read_csv(out / "index.csv")
    workers = {r["caseworker"] for r in report["caseload"]["caseworkers"]}
    assert {r["caseworker"] for r in index} == workers  # 14 caseworkers and (unallocated)
    owner = {}
    for f in report["findings"]:
        owner.setdefault(f["record_id"], set()).add(f["caseworker"] or "(unallocated)")
    for line in index:
        rows = read_csv(out / line["file"])
        assert rows, line
        # Only this caseworker's records: every record in the file is one of theirs.
        assert all(line["caseworker"] in owner[r["record_id"]] for r in rows), line["file"]
        over = [r for r in rows if r["list"] == "overdue"]
        assert [int(r["days_over"]) for r in over] == sorted(
            (int(r["days_over"]) for r in over), reverse=True)
        soon = [r["due"] for r in rows if r["list"] == "due_soon"]
        assert soon == sorted(soon)
        assert all(r["what_to_do"] for r in rows)  # every list, every row
        assert int(line["overdue_findings"]) == len(over)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([MANIFEST, "index.csv", *(r["file"] for r in index)])


def test_index_counts_equal_the_caseload(example_run):
    out, report = example_run
    index = {r["caseworker"]: r for r in read_csv(out / "index.csv")}
    for row in report["caseload"]["caseworkers"]:
        mine = index[row["caseworker"]]
        assert (int(mine["cases_overdue"]), int(mine["cases_due_soon"])) == (
            row["cases_overdue"], row["cases_due_soon"]), row["caseworker"]


def test_files_carry_ids_only_unless_asked(tmp_path):
    rows = [
        {"Record ID": "R1", "Caseworker": "A. Khan", "Forename": "Zebedee", "Surname": "Quux",
         "UPN": "A123456789012", "Date of birth": "04/05/2015",
         "Date Request Received": "06/01/2025", "Date of Decision to Assess": ""},
    ]
    export = tmp_path / "export.csv"
    with export.open("w", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    for fmt, ext in (("csv", "csv"), ("markdown", "md"), ("html", "html")):
        out = tmp_path / fmt
        r = act(export, "2025-03-10", out,
                    "--format", fmt)
        assert r.code == 0, r.err
        text = (out / f"a-khan.{ext}").read_text()
        assert "R1" in text
        for secret in ("Zebedee", "Quux", "A123456789012", "2015"):
            assert secret not in text
    r = act(export, "2025-03-10", tmp_path / "p",
                "--include-personal-data")
    assert r.code == 0, r.err
    assert "Zebedee" in (tmp_path / "p" / "a-khan.csv").read_text()


def test_slugs_are_safe_and_collisions_all_get_files():
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("Ané O'Brien") == "ane-o-brien"
    assert slug("...") == "caseworker"
    files = assign_files(["A. Khan", "A Khan", "a-khan", "Index", "CON", "/"], "csv")
    assert files == {"/": "caseworker.csv", "A Khan": "a-khan.csv", "A. Khan": "a-khan-2.csv",
                     "CON": "con-2.csv", "Index": "index-2.csv", "a-khan": "a-khan-3.csv"}


def act(export, day: str, out, *extra):
    return run_cli("actions", export, "--as-of", day, "--output-dir", out, "--format", "csv",
                   *extra)


def small_export(path, workers: list[str]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Record ID", "Caseworker", "Date Request Received",
                    "Date of Decision to Assess"])
        for i, name in enumerate(workers):
            # received Mon 6 Jan 2025, no decision: AS01 due Mon 17 Feb; overdue on 10 Mar
            w.writerow([f"R{i}", name, "06/01/2025", ""])


def test_next_night_replaces_its_own_files_and_nothing_else(tmp_path):
    export, out = tmp_path / "export.csv", tmp_path / "out"
    small_export(export, ["A. Khan", "A Khan", "../B Jones", ""])
    assert act(export, "2025-03-10", out).code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST, "a-khan-2.csv", "a-khan.csv", "b-jones.csv", "index.csv", "unallocated.csv"]
    (out / "notes.txt").write_text("the team's own file")
    small_export(export, ["A. Khan"])  # the next night only A. Khan has work
    assert act(export, "2025-03-11", out).code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST, "a-khan.csv", "index.csv", "notes.txt"]
    assert (out / "notes.txt").read_text() == "the team's own file"
    assert [r["record_id"] for r in read_csv(out / "a-khan.csv")] == ["R0"]


def test_refuses_a_folder_it_cannot_write_or_a_file_it_did_not_write(tmp_path):
    export = tmp_path / "export.csv"
    small_export(export, ["A. Khan"])
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = act(export, "2025-03-10", blocker / "sub")
    assert r.code == 2 and r.err.count("\n") == 1 and "does not exist" in r.err
    r = act(export, "2025-03-10", blocker)
    assert r.code == 2 and "is a file" in r.err
    out = tmp_path / "out"
    out.mkdir()
    (out / "a-khan.csv").write_text("someone's own list")
    r = act(export, "2025-03-10", out)
    assert r.code == 2 and "a-khan.csv exists and was not written by sendcheck" in r.err
    assert sorted(p.name for p in out.iterdir()) == ["a-khan.csv"]  # nothing written


def test_html_escapes_every_value_and_xlsx_holds_three_lists(tmp_path):
    export = tmp_path / "export.csv"
    small_export(export, ['<script>alert("x")</script>', "=HYPERLINK(\"http://x\")"])
    out = tmp_path / "html"
    assert act(export, "2025-03-10", out, "--format", "html").code == 0
    index = (out / "index.html").read_text()
    assert "<script>" not in index and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in index
    assert '<a href="script-alert-x-script.html">' in index
    page = (out / "script-alert-x-script.html").read_text()
    assert "<script>" not in page and "R0" in page and "R1" not in page
    book = tmp_path / "xlsx"
    assert act(export, "2025-03-10", book, "--format", "xlsx").code == 0
    from openpyxl import load_workbook

    wb = load_workbook(book / "hyperlink-http-x.xlsx")
    assert wb.sheetnames == ["Overdue", "Due soon", "Data to fix"]
    ws = wb["Overdue"]
    assert [c.value for c in ws[1]][:4] == ["Rule", "Advice kind", "Record", "Person"]
    assert [c.value for c in ws[2]][:3] == ["AS01", None, "R1"]
    index = load_workbook(book / "index.xlsx")["Caseworkers"]
    names = sorted(r[0].value for r in index.iter_rows(min_row=2))
    assert names == ["'=HYPERLINK(\"http://x\")", '<script>alert("x")</script>']  # neutralised


def test_a_caseworker_workbook_opens_in_libreoffice(tmp_path):
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the workbook was not opened")
    export = tmp_path / "export.csv"
    small_export(export, ["A. Khan", "A. Khan"])
    out = tmp_path / "lists"
    assert act(export, "2025-03-10", out, "--format", "xlsx").code == 0
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "csv", "--outdir", str(tmp_path / "lo"),
                    str(out / "a-khan.xlsx")], check=True, capture_output=True, timeout=180)
    rows = list(csv.reader((tmp_path / "lo" / "a-khan.csv").open(encoding="utf-8")))
    # The first sheet (Overdue) as LibreOffice reads it: both cases, 21 days over (6 Jan + 42 =
    # 17 Feb; 10 Mar is 21 days later).
    assert rows[0][:3] == ["Rule", "Advice kind", "Record"]
    assert [(r[0], r[2], r[8]) for r in rows[1:]] == [("AS01", "R0", "21"), ("AS01", "R1", "21")]


def test_a_caseworker_reads_what_to_do_days_left_and_their_own_headers(example_run):
    out, report = example_run
    rows = [r for f in out.glob("*.csv") if f.name != "index.csv" for r in read_csv(f)]
    by_key = {(f["rule"], f["kind"] or "", f["record_id"], f["source"], str(f["row"]), f["due"]): f
              for f in report["findings"]}
    for r in rows:
        if r["list"] == "due_soon":  # days left, never a negative "days over"
            f = by_key[(r["rule"], r["kind"], r["record_id"], r["source"], r["row"], r["due"])]
            assert (r["days_over"], int(r["days_left"])) == ("", -f["days_over"])
            assert int(r["days_left"]) >= 0
        if r["list"] == "overdue":
            assert r["days_left"] == "" and int(r["days_over"]) > 0
    # AS05 overdue: the rule's own action, in words.
    as05 = next(r for r in rows if r["list"] == "overdue" and r["rule"] == "AS05")
    assert as05["what_to_do"].startswith("Issue the final plan")
    # EHC-0003110 (export row 3114): "see notes" in "Mediation Agreement Date" stops ME04-ME11,
    # 30/02/2023 in "Mediation Notice Date" stops ME02, and an action completed in 2042. Three
    # problems: three rows, in the export's own headers, the rules each stops beside it (the
    # JSON has 12 invalid findings on this case: the nine rules' and the three checks').
    case = [r for r in rows if r["record_id"] == "EHC-0003110" and r["list"] == "fix"]
    assert [(r["rule"], r["row"], r["message"], r["rules"]) for r in case] == [
        ("DQ01", "3114", "\"Mediation Agreement Date\": 'see notes' is not a date",
         "ME04, ME05, ME06, ME07, ME08, ME09, ME10, ME11"),
        ("DQ01", "3114", "\"Mediation Notice Date\": '30/02/2023' is no such calendar date",
         "ME02"),
        ("DQ03", "3114", "\"Agreed Action Completed\" 2042-12-20 is after the as-of date "
         "2025-03-31", "")]
    assert len([f for f in report["findings"] if f["record_id"] == "EHC-0003110"
                and f["status"] == "invalid"]) == 12
    assert not any(re.search(r"\b[a-z]+_[a-z_]*date\b", r["message"]) for r in rows
                   if r["list"] == "fix")


def test_csv_after_xlsx_says_it_replaced_the_old_format(tmp_path):
    out = tmp_path / "lists"
    first = run_cli("actions", *EXAMPLE, "--output-dir", out)
    assert first.code == 0 and "removed" not in first.err
    second = run_cli("actions", *EXAMPLE, "--output-dir", out, "--format", "csv")
    assert second.code == 0
    assert ("wrote 15 lists and index.csv to " in second.err
            and "replaced 16 files of the previous format (.xlsx)" in second.err)
    assert "nothing to do" not in second.err
