"""The Markdown summary for a board paper: short, the 20-week figure as the JSON has it, each
definition once as a note, no personal data."""

from __future__ import annotations

import json
import re

from conftest import ROOT, run_cli
from test_workbook import SENTINELS, write_export

EXAMPLE = [str(ROOT / "examples" / "export.xlsx"), "--reviews",
           str(ROOT / "examples" / "reviews.csv"), "--as-of", "2025-03-31", "--fail-on", "none"]


def test_the_example_reads_as_a_board_paper():
    md = run_cli("audit", *EXAMPLE, "--format", "markdown")
    data = json.loads(run_cli("audit", *EXAMPLE, "--format", "json").out)
    assert md.code == 0, md.err
    lines = md.out.splitlines()
    assert len(lines) <= 80
    v = data["measures"]["items"]["final_plan_20w"]["values"]
    t = data["totals"]
    # The manager's figures first, in sentences, as the JSON has them.
    glance = lines[lines.index("## At a glance") + 2:]
    assert glance[0] == (f"- **{t['cases_overdue']}** cases are overdue and "
                         f"**{t['cases_due_soon']}** more fall due by 28 April 2025.")
    assert glance[1].startswith(
        f"- **{v['pc_plans_issued_20_weeks_ex']}%** of new EHC plans were issued within 20 "
        f"weeks from 1 April 2024 to 31 March 2025 ({v['plans_issued_20_weeks_ex']} of "
        f"{v['plans_issued_den_ex']}, leaving out exception cases; "
        f"{v['pc_plans_issued_within_20_weeks']}% counting them).")
    # England's figure says its period (DfE 2025: 46.1%, 43,997 of 95,411).
    assert ("England: 46.1% for plans issued in calendar year 2025 (43,997 of 95,411; DfE, "
            "2026 release).") in glance[1]
    # Plain text when pasted: no HTML entities, no footnote markers, no internal column names.
    assert not re.search(r"&[a-z]+;|&#\d+;|\[\d+\]", md.out)
    assert not re.search(r"_date\b|request_received|exception_20w|->", md.out)
    # DfE's field name only where DfE publishes the figure; `pc_on_time` is sendcheck's own.
    assert "pc_on_time" not in md.out and "`pc_plans_issued_20_weeks_ex`" in md.out
    # Duties by name, the rule code after it; each count as the JSON's.
    s = data["summary"]
    assert (f"| Final EHC plan issued within 20 weeks of the request (AS05) | "
            f"{s['AS05']['overdue']} | {s['AS05']['due_soon']} | {s['AS05']['missed']} |") in md.out
    to = [c for c in s if c.startswith("TO")]
    assert (f"| Tribunal orders (TO01-TO08) | {sum(s[c]['overdue'] for c in to)} | "
            f"{sum(s[c]['due_soon'] for c in to)} |") in md.out
    assert not re.search(r"^- (Overdue|Due soon): [A-Z]{2}\d\d \d", md.out, re.M)
    # Definitions in words, once, at the end.
    assert lines.index("## What the words mean") > lines.index("## Caseload")
    assert "- **Case**: one request for an EHC needs assessment" in md.out
    # No case and no caseworker is named (a team's load, in one sentence), unless asked.
    assert not re.search(r"EHC-\d|SYN\d|row \d", md.out)
    names = [r["caseworker"] for r in data["caseload"]["caseworkers"]]
    assert not any(n in md.out for n in names if n != "(unallocated)")
    total = data["caseload"]["total"]
    assert total["caseworkers"] == 14
    assert (f"14 caseworkers hold {total['plans_in_force']:,} plans and "
            f"{total['open_assessments']:,} open assessments") in md.out
    named = run_cli("audit", *EXAMPLE, "--format", "markdown", "--include-personal-data").out
    gg = next(r for r in data["caseload"]["caseworkers"] if r["caseworker"] == "G. Greaves")
    assert gg["over_plans"] and gg["over_assessments"]
    assert (f"| G. Greaves | {gg['plans_in_force']} | {gg['open_assessments']} | "
            f"{gg['cases_overdue']} | {gg['cases_due_soon']} | plans, assessments |") in named


def test_small_export_markdown(cli, tmp_path):
    export = write_export(tmp_path / "export.csv")
    run = cli("audit", export, "--as-of", "2025-03-31", "--format", "markdown")
    assert run.code == 1
    md = run.out
    assert md.startswith("# SEND statutory timescales: position at 31 March 2025\n")
    # R2 (request 2 Sep 2024, no plan: 20 weeks due 20 Jan 2025) overdue; R5 (6 Jan 2025,
    # 20 weeks due 26 May 2025) pending; R3 (24 Nov 2024 + 140 = 13 Apr 2025) due soon.
    assert "| Final EHC plan issued within 20 weeks of the request (AS05) | 1 | 1 | 0 |" in md
    assert "- **1** case is overdue and **1** more fall due by 28 April 2025." in md
    # The caseworker table when asked for, the formula-looking name kept as text; the overdue
    # case is R2's.
    md = cli("audit", export, "--as-of", "2025-03-31", "--format", "markdown",
             "--include-personal-data").out
    assert '| =HYPERLINK("http://x") | 0 | 1 | 1 | 0 | no |' in md
    assert "| B. Jones | 0 | 2 | 0 | 1 | no |" in md
    for s in (*SENTINELS, "R2", "P2"):
        assert s not in md
