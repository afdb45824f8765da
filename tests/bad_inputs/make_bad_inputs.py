"""Make the bad-input corpus: files a council's systems (or a bad day) can produce.

    python tests/bad_inputs/make_bad_inputs.py OUTDIR

Each file is listed in EXPECT with what sendcheck must do with it: "ok" (read it; row problems
become findings), "error" (refuse it: exit 2 with one line on stderr). The files are made at test
time (tests/test_bad_inputs.py), so nothing large is committed.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from pathlib import Path

HEADER = ["Case Ref", "Child ID", "EHC Co-ordinator", "Date Request Received",
          "Decision to Assess", "Date of Decision to Assess", "Final EHCP Issued"]
ROWS = [["R1", "P1", "A. Ashdown", "06/01/2025", "Agreed", "17/02/2025", ""],
        ["R2", "P2", "B. Brightwell", "10/01/2025", "Refused", "20/02/2025", ""],
        ["R3", "P3", "", "02/09/2024", "Agreed", "01/10/2024", "20/01/2025"]]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

EXPECT: dict[str, str] = {}


def _csv(rows: list[list[str]], eol: str = "\r\n") -> str:
    return eol.join(",".join(r) for r in rows) + eol


def _xlsx(rows: list[list[object]], merge: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def make_all(out: Path) -> dict[str, str]:
    """Write every file into `out`; return {file name: "ok" | "error"}."""
    out.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(6)

    def put(name: str, data: bytes | str, expect: str) -> None:
        (out / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        EXPECT[name] = expect

    good = _csv([HEADER, *ROWS])
    put("empty.csv", b"", "error")
    put("blank_lines.csv", "\r\n\r\n  \r\n", "error")
    put("header_only.csv", _csv([HEADER]), "ok")
    put("title_rows_only.csv", "EHC tracker\r\nRun 31/03/2025\r\n", "error")
    put("noise.csv", bytes(rnd.getrandbits(8) for _ in range(4096)), "error")
    put("prose.txt", "Dear colleague,\nplease find the figures attached.\n", "error")
    put("legacy_xls_renamed.xlsx", OLE_MAGIC + bytes(rnd.getrandbits(8) for _ in range(2048)),
        "error")
    # A password-protected workbook is an OLE container holding an EncryptedPackage stream.
    put("password_protected.xlsx", OLE_MAGIC + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 1024, "error")
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    put("ods_renamed.xlsx", ods.getvalue(), "error")
    whole = _xlsx([HEADER, *ROWS])
    put("truncated.xlsx", whole[: len(whole) // 2], "error")
    put("not_a_zip.xlsx", b"PK\x03\x04" + b"\x00" * 100, "error")
    put("zip_not_workbook.xlsx", _zip({"hello.txt": "hi"}), "error")
    put("utf16.csv", "\ufeff".encode("utf-16-le") + good.encode("utf-16-le"), "ok")
    put("utf8_bom.csv", "\ufeff" + good, "ok")
    put("cp1252.csv", _csv([HEADER, ["R9", "P9", "Zoë Brontë", "06/01/2025", "Agreed", "", ""]])
        .encode("cp1252"), "ok")
    lines = good.split("\r\n")
    put("mixed_line_endings.csv", lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r"
        + lines[3] + "\r\n", "ok")
    put("semicolons.csv", good.replace(",", ";"), "ok")
    wide = HEADER + [f"Extra {i}" for i in range(5000 - len(HEADER))]
    put("wide_5000_columns.csv", _csv([wide, ROWS[0] + ["x"] * (5000 - len(HEADER))]), "ok")
    put("ragged_rows.csv", _csv([HEADER, ROWS[0][:3], ROWS[1] + ["extra", "more"]]), "ok")
    put("big_cell_10mb.csv", _csv([HEADER + ["Notes"], ROWS[0] + ["x" * 10_000_000]]), "ok")
    put("big_cell_in_date.csv", _csv([HEADER, ROWS[0][:3] + ["9" * 1_000_000] + ROWS[0][4:]]),
        "ok")
    put("duplicate_headers.csv", _csv([HEADER + ["Date Request Received"], ROWS[0] + ["01/01/2025"]]),
        "error")
    put("no_known_headers.csv", _csv([["a", "b", "c"], ["1", "2", "3"]]), "error")
    put("merged_header.xlsx", _xlsx([["EHC tracker (merged title)", None, None], [], HEADER, *ROWS],
                                    merge="A1:G1"), "ok")
    put("merged_header_cells.xlsx", _xlsx([HEADER[:3] + [HEADER[3], None] + HEADER[4:],
                                           *[r[:4] + [""] + r[4:] for r in ROWS]],
                                          merge="D1:E1"), "ok")
    put("formulas_in_dates.xlsx", _xlsx([HEADER, ["R1", "P1", "A", "=DATE(2025,1,6)", "Agreed",
                                                  "=D2+42", ""]]), "error")
    put("formula_injection.csv", _csv([HEADER, ["=HYPERLINK(\"http://x\")", "+P1", "@cmd",
                                                "06/01/2025", "-Agreed", "", ""]]), "ok")
    formats = ["06/01/2025", "6/1/25", "06-01-2025", "2025-01-06", "6 Jan 2025",
               "2025-Jan-06 00:00:00", "06.01.2025", "TBC", "31/02/2024", "next week", "45663"]
    put("dates_as_text.csv", _csv([HEADER] + [[f"R{i}", f"P{i}", "A", f, "Agreed", "", ""]
                                               for i, f in enumerate(formats)]), "ok")
    put("years_1900_2200.csv", _csv([HEADER, ["R1", "P1", "A", "01/01/1900", "Agreed", "", ""],
                                      ["R2", "P2", "A", "01/01/2200", "Agreed", "", ""],
                                      ["R3", "P3", "A", "29/02/1900", "Agreed", "", ""]]), "ok")
    put("negative_serials.xlsx", _xlsx([HEADER, ["R1", "P1", "A", -5, "Agreed", -45000, None],
                                        ["R2", "P2", "A", 0, "Agreed", 1e12, None]]), "ok")
    put("dates_1900_2200.xlsx", _xlsx([HEADER, ["R1", "P1", "A", _date(1900, 1, 1), "Agreed",
                                                _date(2200, 1, 1), None]]), "ok")
    put("second_sheet_only.xlsx", _two_sheets(), "error")  # data on sheet 2: needs --sheet
    put("nul_bytes.csv", good.encode() + b"\x00\x00", "error")
    return dict(EXPECT)


def _date(y: int, m: int, d: int):
    import datetime as dt

    return dt.datetime(y, m, d)


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def _two_sheets() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Notes"
    wb.active.append(["This sheet is notes"])
    ws = wb.create_sheet("Cases")
    for r in [HEADER, *ROWS]:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs_out")
    for name, expect in make_all(target).items():
        print(f"{expect:5}  {target / name}")
