"""Benchmark: 30 nightly runs of the bundled example into one run history (`audit --history`).

A script, not a test. Each night is a fresh `sendcheck audit` process (as cron runs it) on
examples/export.xlsx with its review history, as of 1 to 30 March 2025; then the history's size
(with its WAL file) and the time of the history step alone (record_audit, in process).

    python benchmarks/history_nights.py [--nights 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = [str(ROOT / "examples" / "export.xlsx"), "--reviews", str(ROOT / "examples" / "reviews.csv")]
FIRST = dt.date(2025, 3, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        history = Path(tmp) / "history.sqlite"
        walls = []
        for n in range(args.nights):
            as_of = (FIRST + dt.timedelta(days=n)).isoformat()
            cmd = [sys.executable, "-m", "sendcheck", "audit", *EXAMPLE, "--as-of", as_of,
                   "--history", str(history), "--format", "json", "--output",
                   str(Path(tmp) / "report.json"), "--quiet", "--fail-on", "none"]
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
        size = sum(p.stat().st_size for p in Path(tmp).glob("history.sqlite*"))
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime
        print(f"{args.nights} nightly audits with --history: {sum(walls):.1f} s wall, {cpu:.1f} s "
              f"CPU in all; {sum(walls) / len(walls):.2f} s wall, {cpu / len(walls):.2f} s CPU a "
              f"night (whole process); history {size / 1e6:.2f} MB ({size:,} bytes)")

        sys.path.insert(0, str(ROOT))
        from sendcheck.audit import Options, run_audit
        from sendcheck.history.run import record_audit
        from sendcheck.views.findings import findings_frame

        day = FIRST + dt.timedelta(days=args.nights)
        audit = run_audit([EXAMPLE[0]], Options(as_of=day, reviews=EXAMPLE[2]))
        found = findings_frame(audit, cycle=True)
        start, cpu_start = time.perf_counter(), time.process_time()
        changes = record_audit(audit, found, history)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        stored = sum(changes.counts()[k] for k in ("new_overdue", "still_overdue"))
        print(f"history step alone, night {args.nights + 1}: {took * 1000:.0f} ms wall, "
              f"{cpu * 1000:.0f} ms CPU (read {changes.compared_with}'s findings, compare, store "
              f"{found.height} findings in one transaction; {stored} overdue)")


if __name__ == "__main__":
    main()
