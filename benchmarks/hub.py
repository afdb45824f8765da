"""Benchmark: a consortium's hub over England's size. Writes one synthetic authority per DfE
authority code (150 by default, sized like England: each one's share of the 3,000,000 episodes is
its share of the new EHC plans DfE published for 2025), runs each authority's own audit into its
Parquet dataset (as a spoke's nightly job would), then times `sendcheck hub` over all of them in a
fresh process, with its peak memory, and checks the hub's totals against the sum of the single
runs.

    python benchmarks/hub.py                                   # 150 authorities, 3M episodes
    python benchmarks/hub.py --authorities 20 --episodes 200000   # quick

A script, not a test. The spokes are written by a child process (one synth seed per authority:
its position in the list), so the harness's own memory never enters the hub's measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2025-03-31"

SPOKES = r"""
import datetime as dt, json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
work, total, count = Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
from sendcheck.audit import Options, run_audit
from sendcheck.config import Config
from sendcheck.figures import published
from sendcheck.figures.headline import compute_headline
from sendcheck.synth import export as synth
from sendcheck.views.dataset import make_key, write_dataset

as_of = dt.date.fromisoformat(sys.argv[5])
# England's sizes: each authority's share of the new plans DfE published for the latest year
# (an authority DfE has no figure for takes the median).
sizes = {}
for a in published.authorities():
    t = published.timeliness(a.old_la_code)
    year = max(t, default=None)
    sizes[a.old_la_code] = t[year].values.get("plans_issued_den") if year else None
known = sorted(v for v in sizes.values() if v)
median = known[len(known) // 2]
codes = sorted(sizes)[:count]
weights = [sizes[c] or median for c in codes]
n = [max(50, round(total * w / sum(weights))) for w in weights]
key_file = work / "sendcheck.key"
make_key(key_file)
config = Config(export_key_file=str(key_file))
out, started = [], time.perf_counter()
for seed, (code, episodes) in enumerate(zip(codes, n), 1):
    path = work / "exports" / f"{code}.csv"
    path.parent.mkdir(exist_ok=True)
    synth.write(synth.generate(episodes, seed, as_of), path, "cp1252")
    config.authority = code
    audit = run_audit([path], Options(as_of=as_of), config)
    headline = compute_headline(audit)
    write_dataset(audit, headline, work / "datasets", code)
    m = {x.id: x.values for x in headline.measures}
    out.append({"authority": code, "episodes": episodes,
                "cases_overdue": int(audit.cases["overdue"].sum()),
                "cases_due_soon": int(audit.cases["due_soon"].sum()),
                "twenty_weeks_num": m["final_plan_20w"]["plans_issued_20_weeks_ex"],
                "twenty_weeks_den": m["final_plan_20w"]["plans_issued_den_ex"]})
    path.unlink()  # the export has done its work; the dataset is what the hub reads
print(json.dumps({"runs": out, "seconds": time.perf_counter() - started}))
"""


def child(cmd: list[str]) -> tuple[float, float, float, str]:
    """Run a fresh process: wall seconds, CPU seconds and peak MB (the kernel's accounting)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise RuntimeError(err.read().decode(errors="replace")[-800:])
        out.seek(0)
        return (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                out.read().decode())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--authorities", type=int, default=150)
    ap.add_argument("--episodes", type=int, default=3_000_000)
    ap.add_argument("--work", type=Path, default=None, help="keep the datasets here")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sendcheck-hub-"))
    work.mkdir(parents=True, exist_ok=True)
    wall, cpu, mb, text = child([sys.executable, "-c", SPOKES, str(REPO), str(work),
                                 str(args.episodes), str(args.authorities), AS_OF])
    spokes = json.loads(text)
    runs = spokes["runs"]
    print(f"spokes: {len(runs)} authorities, {sum(r['episodes'] for r in runs):,} episodes "
          f"({min(r['episodes'] for r in runs):,} to {max(r['episodes'] for r in runs):,}); "
          f"{wall:.0f} s, peak {mb:,.0f} MB (the largest single run)")
    size = sum(p.stat().st_size for p in (work / "datasets").rglob("*.parquet"))
    print(f"datasets: {size / 2**20:,.0f} MB of Parquet")
    wall, cpu, mb, text = child([sys.executable, "-m", "sendcheck", "hub",
                                 str(work / "datasets"), "--format", "json"])
    hub = json.loads(text)
    print(f"hub: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {mb:,.0f} MB")
    total = hub["total"]
    for field in ("episodes", "cases_overdue", "cases_due_soon", "twenty_weeks_num",
                  "twenty_weeks_den"):
        want = sum(r[field] for r in runs)
        print(f"  {field}: hub {total[field]:,}, sum of the single runs {want:,}"
              f" {'(equal)' if total[field] == want else '(DIFFERENT)'}")
        if total[field] != want:
            sys.exit(1)


if __name__ == "__main__":
    main()
