"""What a person reads on a real terminal, in colour, at 80 and 120 columns: every count, code
and id read back from the screen equals the JSON of the same run (tests/terminal.py drives the
CLI through a pseudo-terminal of that size). rich squeezes a table wider than the terminal, so
`2380` would read `238` and `EHC-0000557` `EHC-000055`; these tests parse the figures from the
screen, they do not only look for some text."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import ROOT, run_cli
from terminal import README_ARGS, first_screen, readme_block, run_on_terminal, visible

EXAMPLE = README_ARGS[1:]
WIDTHS = (80, 120)
ID = r"EHC-\d{7}"
CODE = r"[A-Z]{2}\d{2}"


def _json(*args: str) -> dict:
    run = run_cli(*args, "--format", "json")
    assert run.code in (0, 1), run.err
    return json.loads(run.out)


@pytest.fixture(scope="module")
def audit_json() -> dict:
    return _json("audit", *[str(ROOT / a) if a.startswith("examples") else a for a in EXAMPLE])


SCREENS = [(80, True), (120, True), (80, False)]  # (columns, colour); no colour = NO_COLOR


@pytest.fixture(scope="module", params=SCREENS,
                ids=[f"{w}cols-{'colour' if c else 'NO_COLOR'}" for w, c in SCREENS])
def audit_screen(request) -> tuple[int, list[str]]:
    """The whole report on a terminal (--details): the first screen, the lists, every table."""
    width, colour = request.param
    code, screen, raw, _ = run_on_terminal(["audit", *EXAMPLE, "--details"], width, colour=colour)
    assert code == 1 and ("\x1b[" in raw) == colour  # findings overdue; colour as asked
    lines = screen.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width
    assert "…" not in screen
    return width, lines


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}cols" for w in WIDTHS])
def after_the_run(request) -> tuple[int, str]:
    """A terminal 50 rows high after `sendcheck audit` without --details: stdout and stderr (the
    cron line) both on it, as a person runs it."""
    width = request.param
    code, screen, _, _ = run_on_terminal(["audit", *EXAMPLE], width, stderr_too=True)
    assert code == 1
    return width, screen


def test_the_screen_after_the_run_is_the_first_screen(after_the_run, audit_json):
    width, screen = after_the_run
    shown = visible(screen, width, 50)
    # Nothing has scrolled away: the title is the screen's top row, the cron line its last.
    assert shown[0] == "sendcheck 0.1.0: as of 2025-03-31 (--as-of)"
    # (the cron line folds onto three rows at 80 columns)
    assert any(shown[at].startswith("sendcheck: 2025-03-31 export.xlsx") for at in (-3, -2, -1))
    text = " ".join(line.strip() for line in shown)
    t = audit_json["totals"]
    assert (f"Needs action on 2025-03-31: {t['cases_overdue']} cases overdue now; "
            f"{t['cases_due_soon']} more due within 28 days") in text
    assert "excluding exceptions (pc_plans_issued_20_weeks_ex)" in text
    assert "--details: the lists, every rule and measure" in text
    assert "Overdue: not done" not in text and "Rules (on time" not in text


def test_readme_shows_the_first_screen_as_it_is(after_the_run):
    width, screen = after_the_run
    if width != 120:
        pytest.skip("the README shows the screen at 120 columns")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_block(first_screen(screen)) in readme, \
        "the README's sample screen is out of date: run `python tests/terminal.py`"


def _cells(line: str) -> list[str]:
    """A table row's cells: rich separates columns by two spaces or more (cells hold at most one)."""
    return [c for c in re.split(r"\s{2,}", line.strip()) if c]


def _section(lines: list[str], title: str) -> list[str]:
    """The lines of a table from its header (the line above the rule) to its end: a blank line,
    a note ("  (left out ...", "  15 caseworkers ...") or "... and N more"."""
    start = next(i for i, line in enumerate(lines)
                 if line.startswith(title) and not line.startswith(title + ":"))
    while not lines[start].startswith(("─", "--")):  # the rule under the header
        start += 1
    header = start - 1
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()
                or re.match(r"^(  \S|\.\.\. )", lines[i])), len(lines))
    return lines[header:end]


def test_first_screen_cases_and_findings_by_rule(audit_screen, audit_json):
    width, lines = audit_screen
    text = " ".join(lines)
    m = re.search(r"(\d+) cases overdue\s+now; (\d+) more due\s+within (\d+) days", text)
    totals = audit_json["totals"]
    assert (int(m[1]), int(m[2]), int(m[3])) == (totals["cases_overdue"],
                                                totals["cases_due_soon"], 28)
    # The findings by rule, in panels side by side (rule, overdue, due soon): every code whole.
    start = next(i for i, line in enumerate(lines) if line.startswith("Findings by rule"))
    assert re.fullmatch(r"rule\s+overdue\s+soon(\s+rule\s+overdue\s+soon)*\s*", lines[start + 1])
    seen: dict[str, tuple[int, int]] = {}
    for line in lines[start + 2:]:
        found = re.findall(rf"({CODE})\s+(\d+)\s+(\d+)", line)
        if not found:
            break
        assert len(found) * 3 == len(line.split())  # nothing else on the line
        seen.update((code, (int(o), int(d))) for code, o, d in found)
    # Every rule with anything overdue or due soon (the rules table has the others).
    assert seen == {code: (c["overdue"], c["due_soon"]) for code, c in audit_json["summary"].items()
                    if c["overdue"] or c["due_soon"]}


def test_first_screen_twenty_weeks_and_caseworkers(audit_screen, audit_json):
    width, lines = audit_screen
    text = " ".join(line.strip() for line in lines)
    v = audit_json["measures"]["items"]["final_plan_20w"]["values"]
    m = re.search(r"([\d.]+)% of new plans issued within 20 weeks, excluding exceptions "
                  r"\(pc_plans_issued_20_weeks_ex\): (\d+) of (\d+)", text)
    assert (float(m[1]), int(m[2]), int(m[3])) == (
        v["pc_plans_issued_20_weeks_ex"], v["plans_issued_20_weeks_ex"], v["plans_issued_den_ex"])
    assert "England 2025: 46.1% excluding exceptions (43,997 of 95,411)" in text
    table = _section(lines, "Caseworkers with most cases overdue")
    header = _cells(table[0])
    assert header[:5] == ["caseworker", "cases overdue", "due soon", "plans", "open assessments"]
    rows = [_cells(line) for line in table[2:]]
    by_name = {r["caseworker"]: r for r in audit_json["caseload"]["caseworkers"]}
    expected = sorted(by_name.values(), key=lambda r: (-r["cases_overdue"], r["caseworker"]))[:5]
    assert [r[0] for r in rows] == [r["caseworker"] for r in expected]
    for r in rows:
        j = by_name[r[0]]
        assert [int(x) for x in r[1:5]] == [j["cases_overdue"], j["cases_due_soon"],
                                            j["plans_in_force"], j["open_assessments"]]
    dq = sum(q["findings"] for q in audit_json["data_quality"])
    assert re.search(rf"Data quality: {dq} findings", text)
    t = audit_json["totals"]
    assert (f"{t['overdue']} findings overdue, {t['due_soon']} due soon; {t['data_quality']} "
            f"data-quality findings") in text


def _listed(lines: list[str], title: str) -> list[dict]:
    """The rows of a list, each a dict of its header's cells (a folded line of what is due
    continues the row above; nothing else may appear)."""
    table = _section(lines, title)
    header = _cells(table[0])
    out = []
    for line in table[2:]:
        if re.match(rf"^{CODE}(?:/\w+)?\s+{ID}\s", line):
            out.append(dict(zip(header, _cells(line))))
        else:
            assert not re.search(rf"{ID}|{CODE}\s", line), line
    return out


@pytest.mark.parametrize("status, title", [("overdue", "Overdue: not done"),
                                           ("guidance", "Overdue against guidance"),
                                           ("due_soon", "Due soon: due within")])
def test_the_lists_show_whole_ids_and_what_is_due(audit_screen, audit_json, status, title):
    """Statutory breaches are listed first, most overdue first; the guidance rules' overdue
    findings (RV05, warning severity) follow in their own list, never above a legal deadline.
    Each row says what is due, in words, and its days over (or left)."""
    width, lines = audit_screen
    severity = {r["code"]: r["severity"] for r in audit_json["rules"]}
    found = [f for f in audit_json["findings"] if f["status"] == status.replace(
        "guidance", "overdue") and (status == "due_soon" or (severity[f["rule"]] == "warning")
                                    == (status == "guidance"))]
    assert found
    if status != "due_soon":
        key = lambda f: (-f["days_over"], f["rule"], f["kind"] or "", f["source"], f["row"])  # noqa: E731
    else:
        key = lambda f: (f["due"], f["rule"], f["kind"] or "", f["source"], f["row"])  # noqa: E731
    expected = sorted(found, key=key)[:20]
    rows = _listed(lines, title)
    days = "days left" if status == "due_soon" else "days over"
    assert [(r["rule"], r["record"], int(r[days])) for r in rows] == [
        (f["rule"] + (f"/{f['kind']}" if f["kind"] else ""), f["record_id"],
         -f["days_over"] if status == "due_soon" else f["days_over"]) for f in expected]
    # At every width each row says what is due (the message up to its first ";"), in words.
    assert [r["what is due"] for r in rows] == [f["message"].split(";")[0][:len(r["what is due"])]
                                                for f, r in zip(expected, rows)]
    assert all(len(r["what is due"]) >= 10 for r in rows)
    if width == 120:  # wide enough for the file and row: each row with its file
        assert [r["where"] for r in rows] == [f"{f['source'].rsplit('/', 1)[-1]} row {f['row']}"
                                              for f in expected]
    # The findings come from both files (reviews.csv row 949 is not the export's row 949,
    # another child), so each row is named with its file.
    assert {"reviews.csv", "export.xlsx"} <= {f["source"].rsplit("/", 1)[-1] for f in found}


def test_rules_and_data_quality_tables(audit_screen, audit_json):
    _, lines = audit_screen
    table = _section(lines, "Rules (on time")
    header = _cells(table[0])
    names = {"met": "met", "late": "late", "early": "early", "overdue": "overdue",
             "due soon": "due_soon", "pending": "pending", "excepted": "excepted",
             "invalid": "invalid", "n/a": "not_applicable"}
    rows = {r[0]: dict(zip(header, r)) for r in map(_cells, table[2:])}
    assert set(rows) == set(audit_json["summary"])
    for code, counts in audit_json["summary"].items():
        shown = {names[h]: int(v) for h, v in rows[code].items() if h in names}
        assert shown == {k: counts[k] for k in shown} and len(shown) >= 5
    dq = _section(lines, "Data quality")
    dq_header = _cells(dq[0])
    got = {}
    for line in dq[2:]:
        m = re.match(r"^(DQ\d\d)\s", line)
        if m:
            got[m[1]] = _cells(line)[dq_header.index("findings")]
    assert got == {q["check"]: "skipped" if q["skipped"] else str(q["findings"])
                   for q in audit_json["data_quality"]}


@pytest.mark.parametrize("width", WIDTHS)
def test_caseload_command_on_a_terminal(width):
    code, screen, _, _ = run_on_terminal(["caseload", *EXAMPLE], width)
    assert code == 0 and "…" not in screen
    data = _json("caseload", *[str(ROOT / a) if a.startswith("examples") else a for a in EXAMPLE])
    lines = screen.splitlines()
    table = _section(lines, "Caseload: benchmark")
    header = _cells(table[0])
    fields = {"plans": "plans_in_force", "assessments": "open_assessments",
              "reviews next 8w": "reviews_due_next", "overdue": "cases_overdue",
              "due soon": "cases_due_soon"}
    expected = {r["caseworker"]: r for r in data["caseload"]["caseworkers"]}
    expected["total"] = data["caseload"]["total"]
    got = {}
    for cells in map(_cells, table[2:]):
        got[cells[0]] = {fields[h]: int(v) for h, v in zip(header, cells) if h in fields}
    assert set(got) == set(expected)
    for name, shown in got.items():
        assert len(shown) >= 4 and shown == {k: expected[name][k] for k in shown}


@pytest.mark.parametrize("width", WIDTHS)
def test_trend_on_a_terminal(width):
    args = ["trend", "examples/export.xlsx", "--as-of", "2025-03-31"]
    code, screen, _, _ = run_on_terminal(args, width)
    assert code == 0 and "…" not in screen
    series = {r["month"]: r for r in _json("trend", str(ROOT / args[1]), *args[2:])["series"]}
    fields = {"plans": "plans_issued_den", "within 20w": "plans_issued_within_20_weeks",
              "% incl": "pc_plans_issued_within_20_weeks", "plans excl": "plans_issued_den_ex",
              "% excl": "pc_plans_issued_20_weeks_ex", "avg weeks": "avg_weeks_issue_plan",
              "decisions": "requests_decided_den", "% 6w": "pc_request_outcome_six_weeks",
              "open": "open_assessments", "open >20w": "open_past_20_weeks"}
    table = _section(screen.splitlines(), "Month by month")
    header = _cells(table[0])
    rows = [_cells(line) for line in table[2:]]
    assert [r[0].split()[0] for r in rows] == list(series)
    for r in rows:
        month = series[r[0].split()[0]]
        shown = {fields[h]: float(v) for h, v in zip(header, r) if h in fields}
        assert len(shown) >= 6 and shown == {k: month[k] for k in shown}


@pytest.mark.parametrize("colour", [True, False], ids=["colour", "NO_COLOR"])
def test_explain_on_a_narrow_terminal(audit_json, colour):
    code, screen, _, _ = run_on_terminal(["explain", "examples/export.xlsx", "EHC-0002471",
                                          "--reviews", "examples/reviews.csv", "--as-of",
                                          "2025-03-31"], 80, colour=colour)
    assert code == 0 and "…" not in screen
    assert max(len(line.rstrip()) for line in screen.splitlines()) <= 80
    shown = set()
    for line in screen.splitlines():
        m = re.match(rf"^({CODE}(?:/\w+)?)\s+(\w+)\s+\w{{3}} (\d\d/\d\d/\d{{4}})\s+(-?\d+)?\s*"
                     rf"(\S+\.(?:xlsx|csv) row \d+)", line)
        if m:
            due = dt.datetime.strptime(m[3], "%d/%m/%Y").date().isoformat()
            shown.add((m[1], m[2], due, m[5]))
    for f in audit_json["findings"]:
        if f["record_id"] == "EHC-0002471" and f["rule"][:2] != "DQ" and f["due"]:
            code = f["rule"] + (f"/{f['kind']}" if f["kind"] else "")
            where = f"{f['source'].rsplit('/', 1)[-1]} row {f['row']}"
            assert (code, f["status"], f["due"], where) in shown


def test_measures_and_backlog(audit_screen, audit_json):
    _, lines = audit_screen
    shown = {}
    start = next(i for i, line in enumerate(lines) if line.startswith("Measures: "))
    end = next(i for i in range(start + 3, len(lines)) if not lines[i].strip())
    for line in lines[start:end]:  # the one-line-per-measure table (--details follows it)
        m = re.search(r"(?:^|\s)((?:pc_|reviews_held)\w*)\s+([\d.]+)(%?)"
                      r"(?:\s+([\d,]+) of ([\d,]+)|\s+[a-z ]+)?\s*$", line)
        if m:
            shown[m[1]] = (float(m[2]), m[4] and int(m[4].replace(",", "")),
                           m[5] and int(m[5].replace(",", "")))
    expected = {}
    for item in audit_json["measures"]["items"].values():
        pcs = [k for k in item["values"] if k.startswith("pc_")]
        field = next((k for k in pcs if k.endswith("_ex")), pcs[0] if pcs else "reviews_held")
        num, den = item["ratios"].get(field, (None, None))
        expected[field] = (float(item["values"][field]), item["values"].get(num),
                           item["values"].get(den))
    # At 80 columns the "of" column is left out (said so on screen): compare what is shown.
    assert set(shown) == set(expected)
    for field, (value, num, den) in shown.items():
        assert value == expected[field][0]
        assert num is None or (num, den) == expected[field][1:]
    text = " ".join(line.strip() for line in lines)
    a, r = audit_json["backlog"]["assessments"], audit_json["backlog"]["reviews"]
    assert (f"{a['open_assessments']} open assessments: {a['past_20_weeks']} waiting more than "
            f"20 weeks, {a['past_30_weeks']} more than 30, {a['past_52_weeks']} more than 52") in text
    assert (f"{r['reviews_overdue']} annual reviews overdue: {r['overdue_0_6_months']} by up to "
            f"6 months, {r['overdue_6_12_months']} by 6-12, {r['overdue_12_24_months']} by 12-24, "
            f"{r['overdue_24_plus_months']} by more than 24") in text
