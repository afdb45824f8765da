"""Benchmarks: time and peak memory of `sendcheck audit` beside the polars floor and a
row-by-row pandas baseline, on synthetic exports of 10,000 to 1,000,000 episodes.

A script, not a test: run it on a quiet machine and copy the table into benchmarks/README.md.

    python benchmarks/run.py                  # everything (about 10 minutes on 2 cores)
    python benchmarks/run.py --sizes 10000 100000 --no-xlsx

Every measurement is a fresh subprocess (imports included, as a user or cron job sees it);
CPU time and peak memory (resident set size) come from the kernel's accounting of the child
(wait4). CPU seconds matter when other jobs share the machine: wall time then overstates.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil  # the machine's memory, for the record

HERE = Path(__file__).resolve().parent
AS_OF = "2025-03-31"
SEED = 1
XLSX_MAX = 100_000  # writing a bigger workbook takes minutes and councils rarely have one

# (a) the floor: polars reads the file as text and parses every date column, nothing else.
FLOOR = r"""
import sys, polars as pl
path = sys.argv[1]
if path.endswith(".csv"):
    text = open(path, "rb").read().decode("cp1252")
    df = pl.read_csv(text.encode(), skip_rows=3, infer_schema=False)
else:
    df = pl.read_excel(path, engine="calamine", read_options={"header_row": 3},
                       infer_schema_length=0)
dates = [c for c in df.columns if any(w in c for w in ("Date", "Requested", "Received",
         "Issued", "Ceased", "Decision to Assess"))]
df = df.with_columns([pl.coalesce(pl.col(c).str.to_date("%d/%m/%Y", strict=False),
                                  pl.col(c).str.to_date("%Y-%m-%d %H:%M:%S", strict=False))
                      for c in dates if c != "Decision to Assess"])
print(df.height)
"""

# (b) the usual approach: pandas reads the file, dates coerced (a bad date becomes a blank), then
# each rule evaluated row by row with apply, as the open CIN/903 validators do.
BASELINE = r"""
import sys, datetime as dt, pandas as pd
path, as_of = sys.argv[1], pd.Timestamp(sys.argv[2])
df = pd.read_csv(path, dtype=str, skiprows=3, encoding="cp1252")
for c in ("Date Request Received", "Date of Decision to Assess", "Final EHCP Issued"):
    df[c] = pd.to_datetime(df[c], format="%d/%m/%Y", errors="coerce")

def as01(row):
    start, end = row["Date Request Received"], row["Date of Decision to Assess"]
    if pd.isna(start) or row["Decision to Assess"] == "Withdrawn":
        return "not_applicable"
    due = start + dt.timedelta(weeks=6)
    if pd.isna(end):
        return "overdue" if as_of > due else "pending"
    return "met" if end <= due else "late"

def as05(row):
    start, end = row["Date Request Received"], row["Final EHCP Issued"]
    if pd.isna(start) or row["Decision to Assess"] in ("Refused", "Withdrawn") \
            or row["Decision to Issue"] == "No":
        return "not_applicable"
    if row["20 Week Exception"] == "Yes":
        return "excepted"
    due = start + dt.timedelta(weeks=20)
    if pd.isna(end):
        return "overdue" if as_of > due else "pending"
    return "met" if end <= due else "late"

df["AS01"] = df.apply(as01, axis=1)
df["AS05"] = df.apply(as05, axis=1)
print(len(df), df["AS05"].value_counts().to_dict())
"""


def measure(cmd: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of a command, from the
    kernel's accounting of that child (wait4); and its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: "
                               f"{err.read().decode(errors='replace').strip()[-500:]}")
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode()


def sendcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "sendcheck", *args]


def ensure_export(folder: Path, n: int, ext: str) -> Path:
    path = folder / f"synth_{n}.{ext}"
    if not path.exists():
        t = time.perf_counter()
        subprocess.run(sendcheck("synth", "--episodes", str(n), "--seed", str(SEED), "--output",
                                 str(path)), check=True, capture_output=True)
        print(f"  made {path.name} in {time.perf_counter() - t:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
    return path


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    import polars

    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, polars {polars.__version__}; "
            f"load average at start {os.getloadavg()[0]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--no-xlsx", action="store_true")
    ap.add_argument("--baseline-max", type=int, default=100_000,
                    help="largest size for the row-by-row baseline (it is slow)")
    ap.add_argument("--data", type=Path, default=HERE / "data", help="where exports are cached")
    args = ap.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")

    help_wall, _, _, _ = measure(sendcheck("--help"))
    print(f"sendcheck --help: {help_wall:.2f} s (target < 0.5 s)\n")

    rows = []
    header = ("file", "episodes", "what", "wall s", "cpu s", "rows/s", "peak MB", "x floor",
              "faster than baseline")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            for ext in ("csv", "xlsx"):
                if ext == "xlsx" and (args.no_xlsx or n > XLSX_MAX):
                    continue
                path = ensure_export(args.data, n, ext)
                floor, cpu, floor_mb, _ = measure([sys.executable, "-c", FLOOR, str(path)])
                rows.append((path.name, n, "polars floor", floor, cpu, n / floor, floor_mb, 1.0,
                             None))
                audits = {}
                for fmt in ("table", "json"):
                    out = Path(tmp) / f"report.{fmt}"
                    wall, cpu, mb, _ = measure(sendcheck("audit", str(path), "--as-of", AS_OF,
                                                    "--fail-on", "none", "--format", fmt,
                                                    "--output", str(out)))
                    audits[fmt] = wall
                    rows.append((path.name, n, f"sendcheck {fmt}", wall, cpu, n / wall, mb,
                                 wall / floor, None))
                if ext == "csv" and n <= args.baseline_max:
                    base, cpu, base_mb, _ = measure([sys.executable, "-c", BASELINE, str(path),
                                                     AS_OF])
                    # How many times faster sendcheck (JSON, every rule) is than the baseline
                    # (AS01 and AS05 only).
                    rows.append((path.name, n, "pandas row-by-row", base, cpu, n / base, base_mb,
                                 base / floor, base / audits["json"]))
                print_table(header, rows[-4:] if ext == "csv" else rows[-3:])
    print("\nAll results:")
    print_table(header, rows)


def print_table(header: tuple, rows: list[tuple]) -> None:
    def fmt(v):
        if v is None:
            return ""
        if isinstance(v, float):
            return f"{v:,.2f}" if v < 1000 else f"{v:,.0f}"
        return f"{v:,}" if isinstance(v, int) else str(v)

    cells = [[fmt(v) for v in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        print("| " + " | ".join(v.rjust(w) if i else v.ljust(w)
                               for i, (v, w) in enumerate(zip(r, widths))) + " |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
