"""How many of the headers others publish `sendcheck columns` maps, and how many wrongly (issue 22).

    python benchmarks/header_mapping.py                       # this checkout
    PYTHONPATH=/path/to/other/checkout python benchmarks/header_mapping.py

The layouts and the column each header means are the tests' (tests/test_published_layouts.py:
the SEND tool's five modules, the SSD's EHCP tables and ssd_send, a linked export with "table ID"
columns) and the area SEND inspection's Annex A Lists 1 and 2. Each file is given to `sendcheck
columns` on its own, in a fresh process, as an analyst trying it would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

import test_published_layouts as t
from test_annex_a import HEADERS as LIST_1

LIST_2 = ["Unique ID", "UPN", "ULN", "Date of birth", "Gender", "Ethnicity", "SEN primary need",
          "Main education establishment – URN", "Main education establishment – phase",
          "Absence", "Elective home education"]
PEOPLE = {"Unique ID": "person_id", "UPN": "upn", "Date of birth": "birth_date"}
LINKS = ("Assessment table ID", "Named plan table ID", "Active plans table ID")


def _workbook(path: Path, headers: list[str]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Annex A"])
    ws.append(headers)
    ws.append(["x"] * len(headers))
    wb.save(path)
    return path


def _mapped(path: Path) -> dict[str, str]:
    run = subprocess.run([sys.executable, "-m", "sendcheck", "columns", str(path)],
                         capture_output=True, text=True, cwd=path.parent, env=os.environ,
                         check=False)  # exit 2 (no header found) is a result here
    return t._mapped(run.stdout) if "Mapped columns:" in run.stdout else {}


def main() -> int:
    d = Path(tempfile.mkdtemp())
    tool = dict(zip(t.SEND_TOOL, t.write_send_tool(d / "tool")))
    ssd = {p.stem: p for p in t.write_ssd(d / "ssd", with_send=True)}
    linked = t._write(d / "linked.csv", t.TABLE_ID_HEADERS, [["501", "11"] + [""] * 20])
    layouts = {
        **{f"SEND tool {m}": (tool[m], t.SEND_TOOL_MAP[m]) for m in t.SEND_TOOL},
        **{f"SSD {k}": (ssd[k], v) for k, v in t.SSD_MAP.items()},
        # Every header but the three links names a column (the test checks which).
        "linked export (table IDs)": (linked, {h: None for h in t.TABLE_ID_HEADERS
                                               if h not in LINKS}),
        "Annex A List 1": (_workbook(d / "list1.xlsx", LIST_1), {
            **PEOPLE, "Date initial EHC plan issued": "final_plan_date",
            "Date updated EHC plan issued": "amended_plan_date",
            "Date EHC plan last reviewed": "review_meeting_date"}),
        "Annex A List 2": (_workbook(d / "list2.xlsx", LIST_2), PEOPLE),
    }
    total = right = wrong = 0
    for name, (path, means) in layouts.items():
        got = _mapped(path)
        ok = sum(1 for h, c in means.items() if h in got and c in (None, got[h]))
        bad = sum(1 for h, c in got.items() if h not in means or means[h] not in (None, c))
        total, right, wrong = total + len(means), right + ok, wrong + bad
        print(f"{name:28} {ok:2} of {len(means):2} mapped, {bad} wrongly")
    print(f"total: {right} of {total} headers mapped, {wrong} wrongly")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
