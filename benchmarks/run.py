"""Benchmarks: time and peak memory of `sendcheck audit` beside the polars floor and a vectorised
two-rule pandas baseline, on synthetic exports of 10,000 to 3,000,000 episodes.

A script, not a test: run it on a quiet machine and copy the tables into benchmarks/README.md.

    python benchmarks/run.py                          # 10k, 100k, 1M, 3M and the 100k xlsx
    python benchmarks/run.py --sizes 10000 100000     # quick (about a minute)
    python benchmarks/run.py --before main            # and main's code beside, in the same run

Two exports per size: `synth` (what `sendcheck synth` writes: 42 columns, three title rows,
Windows-1252) and `lean` (only the columns the rules read, plus the record id: UTF-8, header on
the first row). Every measurement is a fresh subprocess (imports included, as a user or a cron job
sees it); CPU seconds (user + system) and peak resident memory come from the kernel's accounting
of that child (wait4). CPU seconds are the steadier figure when other jobs share the machine, so
the ratios are given in both.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
AS_OF = "2025-03-31"
SEED = 1
XLSX_SIZE = 100_000  # the one workbook size (writing a bigger one takes minutes)

# (a) The floor: polars reads the file (transcoding Windows-1252 first: polars reads only UTF-8)
# and parses every date column dd/mm/yyyy, nothing else.
FLOOR = r"""
import sys, polars as pl
path, skip, dates = sys.argv[1], int(sys.argv[2]), sys.argv[3].split("|")
if path.endswith(".csv"):
    data = open(path, "rb").read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = data.decode("cp1252").encode("utf-8")
    df = pl.read_csv(data, skip_rows=skip, infer_schema=False)
else:
    df = pl.read_excel(path, engine="calamine", read_options={"header_row": skip},
                       infer_schema_length=0)
df = df.with_columns(pl.coalesce(pl.col(c).str.to_date("%d/%m/%Y", strict=False),
                                 pl.col(c).str.to_date("%Y-%m-%d %H:%M:%S", strict=False))
                     for c in dates if c in df.columns)
print(df.height)
"""

# (b) The baseline: pandas reads the CSV, coerces three dates (a bad date becomes a blank) and
# evaluates AS01 (6 weeks to the decision to assess) and AS05 (20 weeks to the final plan) with
# whole-column numpy selects: the fastest plain pandas script for two rules.
BASELINE = r"""
import sys, numpy as np, pandas as pd
path, skip, as_of = sys.argv[1], int(sys.argv[2]), pd.Timestamp(sys.argv[3])
h = dict(arg.split("=", 1) for arg in sys.argv[4:])
try:
    df = pd.read_csv(path, dtype=str, skiprows=skip, encoding="utf-8")
except UnicodeDecodeError:
    df = pd.read_csv(path, dtype=str, skiprows=skip, encoding="cp1252")
req, dec, fin = (pd.to_datetime(df[h[c]], format="%d/%m/%Y", errors="coerce")
                 for c in ("request_received_date", "request_outcome_date", "final_plan_date"))
outcome, issue, flag = df[h["request_outcome"]], df[h["assessment_outcome"]], df[h["exception_20w"]]

def status(start, end, weeks, na, excepted):
    due = start + pd.Timedelta(weeks=weeks)
    return np.select(
        [start.isna() | na, excepted, end.isna() & (as_of > due), end.isna(), end <= due],
        ["not_applicable", "excepted", "overdue", "pending", "met"], "late")

as01 = status(req, dec, 6, (outcome == "Withdrawn").to_numpy(), np.zeros(len(df), bool))
as05 = status(req, fin, 20, (outcome.isin(["Refused", "Withdrawn"]) | (issue == "No")).to_numpy(),
              (flag == "Yes").to_numpy())
print(len(df), pd.Series(as05).value_counts().to_dict())
"""


@dataclass
class Export:
    kind: str  # "synth", "lean", "xlsx" or "example"
    n: int
    path: Path
    skip: int  # rows above the header
    dates: list[str]  # headers of the date columns
    headers: dict[str, str]  # canonical column -> header


@dataclass
class Row:
    file: str
    n: int
    what: str
    wall: float
    cpu: float
    mb: float
    load: float
    floor_wall: float | None = None
    floor_cpu: float | None = None


def measure(cmd: list[str], repeat: int, env: dict[str, str] | None = None,
            cwd: str | None = None) -> tuple[float, float, float, float]:
    """Median wall seconds, CPU seconds (user + system) and peak RSS (MB) of a command over
    `repeat` fresh runs, from the kernel's accounting of each child (wait4); and the 1-minute
    load average when it started."""
    walls, cpus, mbs = [], [], []
    load = os.getloadavg()[0]
    for _ in range(repeat):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
            _, status, usage = os.wait4(proc.pid, 0)
            walls.append(time.perf_counter() - start)
            code = os.waitstatus_to_exitcode(status)
            if code not in (0, 1):
                err.seek(0)
                raise RuntimeError(f"{' '.join(cmd[:4])} ... exited {code}: "
                                   f"{err.read().decode(errors='replace').strip()[-500:]}")
            cpus.append(usage.ru_utime + usage.ru_stime)
            mbs.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), statistics.median(cpus), statistics.median(mbs), load


def sendcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "sendcheck", *args]


# What the harness needs to know about sendcheck, worked out in a child process: the parent stays
# small, because Linux carries a parent's peak memory into a forked child's accounting (a parent
# that had imported polars made every child report at least its 90 MB).
INFO = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import polars
from sendcheck.columns import ALIASES, BY_NAME, normalise_header
from sendcheck.judge.rulebook import load_rules
from sendcheck.synth.export import HEADERS

lean = ["record_id"]
for rule in load_rules():
    for kind in rule.kinds or (None,):
        lean += rule.reads(kind)
    if rule.exceptions or rule.flag_excepts:  # read by the exception test
        lean += ["exception_20w", "exception_reason"]
lines = open(sys.argv[2], encoding="cp1252").read().splitlines()
at = next(i for i, line in enumerate(lines)
          if sum(normalise_header(h) in ALIASES for h in line.split(",")) > 5)
example = {ALIASES[normalise_header(h)]: h for h in lines[at].split(",")
           if normalise_header(h) in ALIASES}
print(json.dumps({"synth": HEADERS, "lean": list(dict.fromkeys(lean)), "example": example,
                  "example_skip": at, "polars": polars.__version__,
                  "dates": [c for c, col in BY_NAME.items() if col.kind == "date"]}))
"""

LEAN = r"""
import sys, polars as pl
src, dst, skip, headers = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split("|")
data = open(src, "rb").read().decode("cp1252").encode("utf-8")
pl.read_csv(data, skip_rows=skip, infer_schema=False, columns=headers).write_csv(dst)
"""

EXAMPLE = REPO / "examples" / "export.csv"


def sendcheck_info() -> dict:
    import json

    out = subprocess.run([sys.executable, "-c", INFO, str(REPO), str(EXAMPLE)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def _dates(info: dict, headers: dict[str, str]) -> list[str]:
    return [h for c, h in headers.items() if c in info["dates"]]


def synth_export(info: dict, folder: Path, n: int, ext: str) -> Export:
    path = folder / f"synth_{n}.{ext}"
    if not path.exists():
        t = time.perf_counter()
        subprocess.run(sendcheck("synth", "--episodes", str(n), "--seed", str(SEED), "--as-of",
                                 AS_OF, "--output", str(path)), check=True, capture_output=True)
        print(f"  made {path.name} in {time.perf_counter() - t:.0f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
    headers = info["synth"]
    return Export("xlsx" if ext == "xlsx" else "synth", n, path, 3, _dates(info, headers),
                  headers)


def lean_export(info: dict, folder: Path, synth: Export) -> Export:
    """The synth export cut down to the columns the rules read (same rows, same cells)."""
    headers = {c: synth.headers[c] for c in info["lean"] if c in synth.headers}
    path = folder / f"lean_{synth.n}.csv"
    if not path.exists():
        subprocess.run([sys.executable, "-c", LEAN, str(synth.path), str(path), str(synth.skip),
                        "|".join(headers.values())], check=True)
    return Export("lean", synth.n, path, 0, _dates(info, headers), headers)


def example_export(info: dict) -> Export:
    headers = info["example"]
    return Export("example", 3500, EXAMPLE, info["example_skip"], _dates(info, headers), headers)


def code_at(ref: str, folder: Path) -> dict[str, str]:
    """The environment that runs sendcheck as it was at git `ref` (its files put in `folder`,
    first on the path, and the working directory: `python -m` puts the working directory before
    PYTHONPATH; the installed dependencies are shared)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "sendcheck", "rules"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return {**os.environ, "PYTHONPATH": str(folder)}


def run_export(ex: Export, repeat: int, baseline: bool, json: bool, tmp: Path,
               before: dict[str, str] | None = None) -> list[Row]:
    rows = []
    floor = [sys.executable, "-c", FLOOR, str(ex.path), str(ex.skip), "|".join(ex.dates)]
    fw, fc, fm, load = measure(floor, repeat)
    rows.append(Row(ex.path.name, ex.n, "polars floor", fw, fc, fm, load, fw, fc))
    for fmt in ("table", "json") if json else ("table",):
        out = tmp / f"report.{fmt}"
        w, c, m, load = measure(sendcheck("audit", str(ex.path), "--as-of", AS_OF, "--fail-on",
                                          "none", "--format", fmt, "--output", str(out)), repeat)
        rows.append(Row(ex.path.name, ex.n, f"sendcheck {fmt}", w, c, m, load, fw, fc))
        if before is not None:
            w, c, m, load = measure(sendcheck("audit", str(ex.path), "--as-of", AS_OF,
                                              "--fail-on", "none", "--format", fmt, "--output",
                                              str(out)), repeat, before, before["PYTHONPATH"])
            rows.append(Row(ex.path.name, ex.n, f"before: {fmt}", w, c, m, load, fw, fc))
    if baseline and ex.kind in ("synth", "lean"):
        cols = ("request_received_date", "request_outcome_date", "final_plan_date",
                "request_outcome", "assessment_outcome", "exception_20w")
        w, c, m, load = measure([sys.executable, "-c", BASELINE, str(ex.path), str(ex.skip),
                                 AS_OF, *(f"{k}={ex.headers[k]}" for k in cols)], repeat)
        rows.append(Row(ex.path.name, ex.n, "pandas 2 rules", w, c, m, load, fw, fc))
    return rows


def machine(info: dict) -> str:
    cpu = platform.processor() or platform.machine()
    mem = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, polars {info['polars']}")


def _fmt(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.2f}" if v < 1000 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def markdown_table(header: tuple[str, ...], rows: list[tuple]) -> str:
    cells = [[_fmt(v) for v in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(v.rjust(w) if i else v.ljust(w)
                              for i, (v, w) in enumerate(zip(r, widths))) + " |" for r in cells]
    return "\n".join(out)


RESULT_HEADER = ("file", "episodes", "what", "wall s", "cpu s", "rows/s", "peak MB",
                 "x floor (wall)", "x floor (cpu)", "load")


def result_rows(rows: list[Row]) -> list[tuple]:
    return [(r.file, r.n, r.what, r.wall, r.cpu, r.n / r.wall, r.mb,
             r.wall / r.floor_wall if r.floor_wall else None,
             r.cpu / r.floor_cpu if r.floor_cpu else None, r.load) for r in rows]


def linearity(rows: list[Row]) -> list[tuple]:
    """3M / 1M for each file kind and measurement (10x the work would be 3.0)."""
    by = {(r.file.split("_")[0], r.n, r.what): r for r in rows}
    out = []
    for (kind, n, what), r in by.items():
        big = by.get((kind, 3 * n, what))
        if n == 1_000_000 and big:
            out.append((kind, what, big.wall / r.wall, big.cpu / r.cpu, big.mb / r.mb))
    return out


def targets(rows: list[Row]) -> list[tuple[str, str, str]]:
    """Issue 24's targets, checked against this run (CPU seconds where the machine is shared)."""
    by = {(r.file.split("_")[0] if r.file != "export.csv" else "example", r.n, r.what): r
          for r in rows}
    out = []

    def get(kind: str, n: int, what: str) -> Row | None:
        return by.get((kind, n, what))

    def check(name: str, ok: bool, got: str) -> None:
        out.append((name, "met" if ok else "missed", got))

    t = get("synth", 1_000_000, "sendcheck table")
    j = get("synth", 1_000_000, "sendcheck json")
    if t:
        check("1M synth table at most 3x the floor", t.cpu <= 3 * t.floor_cpu,
              f"{t.cpu / t.floor_cpu:.2f}x cpu, {t.wall / t.floor_wall:.2f}x wall")
        check("1M synth table under 1.5 GB", t.mb < 1536, f"{t.mb:,.0f} MB")
    if t and j:
        check("1M synth JSON at most table + 3 s", j.cpu <= t.cpu + 3 and j.wall <= t.wall + 3,
              f"+{j.cpu - t.cpu:.1f} s cpu, +{j.wall - t.wall:.1f} s wall")
    lt, lb = get("lean", 1_000_000, "sendcheck table"), get("lean", 1_000_000, "pandas 2 rules")
    if lt:
        check("1M lean table at most 3x the floor", lt.cpu <= 3 * lt.floor_cpu,
              f"{lt.cpu / lt.floor_cpu:.2f}x cpu, {lt.wall / lt.floor_wall:.2f}x wall")
    if lt and lb:
        check("1M lean table 2x faster than pandas (2 rules)", 2 * lt.cpu <= lb.cpu,
              f"{lb.cpu / lt.cpu:.2f}x cpu, {lb.wall / lt.wall:.2f}x wall")
    s = get("synth", 10_000, "sendcheck table")
    if s:
        check("10k whole process at most 2x the floor", s.cpu <= 2 * s.floor_cpu,
              f"{s.cpu / s.floor_cpu:.2f}x cpu, {s.wall / s.floor_wall:.2f}x wall")
    e = get("example", 3500, "sendcheck table")
    if e:
        check("bundled example under 1 s", e.wall < 1, f"{e.wall:.2f} s wall, {e.cpu:.2f} s cpu")
    for kind, what, tw, tc, m in linearity(rows):
        if what.startswith("sendcheck"):
            # The target: the 3M export runs, its peak memory at most 3.3x the 1M's.
            check(f"3M/1M {kind} {what}: peak memory at most 3.3x", m <= 3.3,
                  f"{m:.2f} memory ({tc:.2f} cpu, {tw:.2f} wall)")
    x = get("xlsx", XLSX_SIZE, "sendcheck table")
    if x:
        check("100k-row .xlsx under 3 s", x.wall < 3, f"{x.wall:.2f} s wall, {x.cpu:.2f} s cpu")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+",
                    default=[10_000, 100_000, 1_000_000, 3_000_000])
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    ap.add_argument("--no-xlsx", action="store_true", help=f"skip the {XLSX_SIZE:,}-row workbook")
    ap.add_argument("--no-lean", action="store_true", help="skip the lean exports")
    ap.add_argument("--json-max", type=int, default=3_000_000,
                    help="largest size for the JSON report")
    ap.add_argument("--data", type=Path, default=HERE / "data", help="where exports are cached")
    ap.add_argument("--before", metavar="REF", help="also time the code at this git ref")
    ap.add_argument("--before-max", type=int, default=1_000_000,
                    help="largest size for --before (the old code took 7.3 GB at 1M)")
    args = ap.parse_args()
    args.data = args.data.resolve()  # --before runs the old code in its own directory
    args.data.mkdir(parents=True, exist_ok=True)
    info = sendcheck_info()
    print(f"machine: {machine(info)}")
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    help_wall, help_cpu, _, _ = measure(sendcheck("--help"), args.repeat)
    print(f"sendcheck --help: {help_wall:.2f} s wall, {help_cpu:.2f} s cpu\n")

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as old:
        before = code_at(args.before, Path(old)) if args.before else None
        plan = [example_export(info)]
        for n in sorted(args.sizes):
            synth = synth_export(info, args.data, n, "csv")
            plan += [synth] + ([] if args.no_lean else [lean_export(info, args.data, synth)])
        if not args.no_xlsx:
            plan.append(synth_export(info, args.data, XLSX_SIZE, "xlsx"))
        for ex in plan:
            got = run_export(ex, args.repeat, baseline=ex.kind in ("synth", "lean"),
                             json=ex.n <= args.json_max, tmp=Path(tmp),
                             before=before if ex.n <= args.before_max else None)
            rows += got
            print(markdown_table(RESULT_HEADER, result_rows(got)), flush=True)
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\nAll results:")
    print(markdown_table(RESULT_HEADER, result_rows(rows)))
    lin = linearity(rows)
    if lin:
        print("\n3M / 1M (linear = 3.00):")
        print(markdown_table(("export", "what", "wall", "cpu", "memory"), lin))
    print("\nTargets:")
    print(markdown_table(("target", "result", "measured"), targets(rows)))


if __name__ == "__main__":
    main()
