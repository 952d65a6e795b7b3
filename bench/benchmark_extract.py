"""Accuracy and throughput of the report extractor (issue 5).

Run: `.venv/bin/python bench/benchmark_extract.py [--seeds DIR] [--seconds 5] [--errors]`

- Accuracy: precision and recall per metric family against the hand-labelled seeds
  (fazhi/benchmark/tests/labels/seed_*.json over the copies of ../shared/seeds/ in
  fazhi/benchmark/tests/seeds/), and a
  check that every quote is a verbatim substring of the original.
- Throughput: reports per second for extract (bytes → facts, the work of `fazhi benchmark extract`),
  on one core (this process), cycling through the seeds for --seconds.

Needs no database. Prints a table; copy the numbers into bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fazhi.benchmark import accuracy, extract, text  # noqa: E402


def run_extract(data: bytes, name: str):
    doc, _, _ = text.load(data, name)
    return doc, extract.extract(doc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=str(accuracy.SEED_DIR))
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--errors", action="store_true", help="list every false positive / negative")
    args = parser.parse_args()
    seeds = Path(args.seeds)
    labels = accuracy.load_labels()
    files = {}
    for label in labels:
        path = seeds / label["file"]
        if not path.exists():
            print(f"找不到样本文件：{path}（用 --seeds 指定样本目录）", file=sys.stderr)
            return 2
        files[label["file"]] = path.read_bytes()

    extractions = {}
    for name, data in files.items():
        doc, result = run_extract(data, name)
        extractions[name] = (doc.text, result.facts)
    s = accuracy.score(labels, extractions)

    print("## accuracy on the labelled codes (5 seeds)")
    print(f"{'family':<16}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    for fam, (tp, fp, fn, p, r) in s.families().items():
        print(f"{fam:<16}{tp:>5}{fp:>5}{fn:>5}{p:>11.2f}{r:>8.2f}")
    tp, fp, fn, p, r = s.total()
    print(f"{'all':<16}{tp:>5}{fp:>5}{fn:>5}{p:>11.2f}{r:>8.2f}")
    print(f"figures (coded or not) found with the right value: {s.figures_found}/{s.figures}")
    bad_quotes = [e for e in s.errors if e[1] == "quote"]
    print(f"quotes not verbatim in the original: {len(bad_quotes)}")
    if args.errors:
        for err in s.errors:
            if err[1] != "quote":
                print("  ", *err)

    # Throughput on one core.
    items = list(files.items())
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    deadline = start + args.seconds
    while time.perf_counter() < deadline:
        for name, data in items:
            run_extract(data, name)
            done += 1
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    print("## throughput")
    print(f"{done} reports in {elapsed:.2f} s wall, {cpu:.2f} s CPU of this one process: "
          f"{done / cpu:.1f} reports/s per core of CPU time ({done / elapsed:.1f} by wall clock; "
          f"{1000 * cpu / done:.1f} ms CPU per report, mean size "
          f"{sum(len(d) for d in files.values()) / len(files) / 1024:.1f} KiB)")
    return 0 if not bad_quotes else 1


if __name__ == "__main__":
    sys.exit(main())
