"""CPU seconds and peak memory of `sendcheck audit` on hostile inputs (README "Limits"): each
refused quickly in bounded memory, and the cost of the workbook checks on a 100,000-row sheet.

    python benchmarks/hostile_inputs.py [--rows 100000]

Each run is a fresh process (imports included); CPU and peak resident memory come from the
kernel's accounting of the child (wait4). Files are made in a temporary folder.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SHEET = "xl/worksheets/sheet1.xml"


def measure(args: list[str]) -> tuple[int, float, int, str]:
    """(exit code, CPU seconds, peak MB, last stderr line) of one `sendcheck` run."""
    proc = subprocess.Popen([sys.executable, "-m", "sendcheck", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (proc.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024,
            (err.strip().splitlines() or [""])[-1][:110])


def rewrite(data: bytes, edit, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            dst.writestr(item.filename, edit(body) if item.filename == SHEET else body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def make(d: Path, rows: int) -> None:
    """The inputs, made in `d` (by a process of its own: a child forked from a parent holding
    them would count the parent's memory as its own)."""
    big = d / "big.xlsx"
    subprocess.run([sys.executable, "-m", "sendcheck", "synth", "--episodes", str(rows),
                    "--seed", "1", "--output", str(big)], check=True, capture_output=True)
    data = big.read_bytes()
    count = 0

    def errors(xml: bytes) -> bytes:  # one caseworker cell (column H) in a hundred becomes #N/A
        def cell(m: re.Match) -> bytes:
            nonlocal count
            count += 1
            return b'<c r="%s" t="e"><v>#N/A</v></c>' % m.group(1) if count % 100 == 0 else m.group(0)
        return re.sub(rb'<c r="(H\d+)"[^>]*>.*?</c>', cell, xml)

    (d / "errors.xlsx").write_bytes(rewrite(data, errors))
    small = rewrite(data, lambda xml: xml[: xml.index(b"</row>", 200_000) + 6] + b"</sheetData></worksheet>")
    (d / "stray.xlsx").write_bytes(rewrite(small, lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')))
    (d / "bomb.xlsx").write_bytes(rewrite(small, lambda xml: xml, {"xl/media/pad.bin": bytes(1 << 30)}))
    (d / "zero.csv").symlink_to("/dev/zero")
    (d / "long.csv").write_bytes(b"Record ID,Date Request Received\nR1," + b" " * (200 << 20) + b"\n")
    # Issue 17: 100,000 overlapping closures (seeded), one 512 MB value in a SEN2 return, a FIFO
    # as the history.
    import datetime as dt
    import random

    rng, first = random.Random(17), dt.date(2023, 9, 1)
    with (d / "terms.csv").open("w") as fh:
        fh.write("start,end,setting,name\n")
        for _ in range(100_000):
            start = first + dt.timedelta(days=rng.randrange(0, 900))
            fh.write(f"{start:%d/%m/%Y},{start + dt.timedelta(days=rng.randrange(1, 60)):%d/%m/%Y},,\n")
    with (d / "huge.xml").open("wb") as fh:
        fh.write(b'<?xml version="1.0"?>\n<Message><Persons><Person><UPN>')
        for _ in range(512):
            fh.write(b"x" * (1 << 20))
        fh.write(b"</UPN></Person></Persons></Message>\n")
    os.mkfifo(d / "fifo.sqlite")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.make:
        return make(opts.make, opts.rows)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        subprocess.run([sys.executable, __file__, "--make", tmp, "--rows", str(opts.rows)],
                       check=True)
        cases = [("workbook", "big.xlsx", []),
                 ("workbook, 1% #N/A caseworkers", "errors.xlsx", []),
                 ("stray cell at XFD1048576", "stray.xlsx", []), ("1 GB zip member", "bomb.xlsx", []),
                 ("symlink to /dev/zero", "zero.csv", []), ("200 MB line", "long.csv", []),
                 ("+ 100,000 overlapping closures", "big.xlsx", ["--term-dates", d / "terms.csv"]),
                 ("512 MB value in SEN2 XML", "huge.xml", []),
                 ("FIFO as --history", "big.xlsx", ["--history", d / "fifo.sqlite"])]
        print(f"{opts.rows:,} rows")
        print(f"{'input':32} {'exit':>4} {'CPU s':>6} {'peak MB':>8}  last stderr line")
        for label, name, extra in cases:
            code, cpu, mb, line = measure(["audit", str(d / name), "--as-of", "2025-03-31",
                                           "--fail-on", "none", "--format", "json",
                                           *map(str, extra)])
            print(f"{label:32} {code:>4} {cpu:>6.2f} {mb:>8}  {line}")


if __name__ == "__main__":
    main()
