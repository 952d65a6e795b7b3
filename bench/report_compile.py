"""Benchmark of `fazhi report compile` for the demo government (issue 4; target: under 3 s).

Run: `.venv/bin/python bench/report_compile.py [--runs N] [--keep]`. Builds its own database (SQLite at
var/bench/report.sqlite3, or PostgreSQL when DATABASE_URL is set), loads the demo (all modules), then
times the command as a user runs it — a fresh process: Django start-up, metrics, charts, DOCX and
HTML — and prints the median. Copy the number into bench/RESULTS.md.

Charts are cached on disk (fazhi/reports/charts.py: a PNG per chart's data) under FAZHI_VAR_DIR, set
here to a fresh temporary directory: the first run is cold (matplotlib imported, charts drawn), the
following runs are warm (unchanged figures, charts read back). Both are printed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAZHI = str(ROOT / ".venv" / "bin" / "fazhi")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run")
    args = parser.parse_args()
    env = dict(os.environ, FAZHI_ENV="demo")
    if not env.get("DATABASE_URL"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        db = ROOT / "var" / "bench" / "report.sqlite3"
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        env["FAZHI_SQLITE_PATH"] = str(db)
    if not args.keep:
        t0 = time.perf_counter()
        subprocess.run([FAZHI, "migrate", "--no-input", "-v", "0"], env=env, check=True)
        subprocess.run([FAZHI, "demo", "load"], env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"demo database ready in {time.perf_counter() - t0:.1f} s")
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        env["FAZHI_VAR_DIR"] = f"{tmp}/var"  # an empty chart cache: the first run is cold
        for _ in range(args.runs + 1):
            t0 = time.perf_counter()
            out = subprocess.run([FAZHI, "report", "compile", "--year", "2025", "--out", f"{tmp}/r.docx",
                                  "--html", f"{tmp}/r.html"], env=env, check=True, capture_output=True, text=True)
            times.append(time.perf_counter() - t0)
        print(out.stdout.strip())
        size = Path(f"{tmp}/r.docx").stat().st_size
    cold, warm = times[0], times[1:]
    print(f"fazhi report compile --year 2025 (demo government YX, DOCX {size // 1024} KB + HTML): "
          f"cold (charts drawn) {cold:.2f} s; warm (charts from cache) median {statistics.median(warm):.2f} s, "
          f"min {min(warm):.2f} s, max {max(warm):.2f} s over {len(warm)} runs; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
