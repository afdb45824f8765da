"""The Markdown summary for a board paper: short, the 20-week figure as the JSON has it, each
definition once as a note, no personal data."""

from __future__ import annotations

import json
import re

from conftest import ROOT, run_cli
from test_workbook import SENTINELS, write_export

EXAMPLE = [str(ROOT / "examples" / "export.xlsx"), "--reviews",
           str(ROOT / "examples" / "reviews.csv"), "--as-of", "2025-03-31", "--fail-on", "none"]


def test_the_example_fits_a_board_paper_and_states_the_20_week_figure():
    md = run_cli("audit", *EXAMPLE, "--format", "markdown")
    data = json.loads(run_cli("audit", *EXAMPLE, "--format", "json").out)
    assert md.code == 0, md.err
    lines = md.out.splitlines()
    assert len(lines) <= 80
    v = data["measures"]["items"]["final_plan_20w"]["values"]
    # The figure, its counts and DfE's field name, as the JSON has them.
    assert (f"**{v['pc_plans_issued_20_weeks_ex']}% of new plans issued within 20 weeks, "
            f"excluding exceptions (pc_plans_issued_20_weeks_ex)**") in md.out
    assert (f"| `pc_plans_issued_20_weeks_ex` | {v['pc_plans_issued_20_weeks_ex']}% | "
            f"{v['plans_issued_20_weeks_ex']} of {v['plans_issued_den_ex']} |") in md.out
    # England's latest published figure beside it (DfE 2025: 46.1%, 43,997 of 95,411).
    assert "England 2025: 46.1% excluding exceptions (43,997 of 95,411)" in md.out
    # Definitions once, as numbered notes at the end; each note cited, none repeated.
    notes_at = lines.index("## Notes")
    notes = [line for line in lines[notes_at + 1:]]
    assert all(re.match(r"^\d+\. ", n) for n in notes)
    texts = [n.split(". ", 1)[1] for n in notes]
    assert len(texts) == len(set(texts))
    body = "\n".join(lines[:notes_at])
    assert sorted({int(n) for n in re.findall(r"\[(\d+)\]", body)}) == list(range(1, len(notes) + 1))
    assert "definition" not in body.lower()
    # No case is named: no record ids, person ids or row numbers.
    assert not re.search(r"EHC-\d|SYN\d|row \d", md.out)


def test_small_export_markdown(cli, tmp_path):
    export = write_export(tmp_path / "export.csv")
    run = cli("audit", export, "--as-of", "2025-03-31", "--format", "markdown")
    assert run.code == 1
    md = run.out
    assert md.startswith("# SEND statutory timescales: position at 31/03/2025\n")
    # R2 (request 2 Sep 2024, no plan: 20 weeks due 20 Jan 2025) overdue; R5 (6 Jan 2025,
    # 20 weeks due 26 May 2025) pending; R3 (24 Nov 2024 + 140 = 13 Apr 2025) due soon.
    assert "- Overdue: AS05 1 [" in md and "- Due soon: AS05 1 [" in md
    assert "- **1** cases overdue and **1** due within 28 days [" in md
    # The caseworker table, the formula-looking name kept as text; the overdue case is R2's.
    assert '| =HYPERLINK("http://x") | 0 | 1 | 1 | 0 | no |' in md
    assert "| B. Jones | 0 | 2 | 0 | 1 | no |" in md
    for s in (*SENTINELS, "R2", "P2"):
        assert s not in md
