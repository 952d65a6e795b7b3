"""Benchmark of the spine: deadline arithmetic, transitions, inbox, calendar recompute, audit verify.

Run: `make bench` (or `.venv/bin/python bench/spine.py [--matters N]`). Uses its own database:
SQLite at var/bench/spine.sqlite3, or PostgreSQL when DATABASE_URL is set. Prints a table and
writes nothing else; copy the numbers into bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhi.settings_test")
if not os.environ.get("DATABASE_URL"):
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    db = ROOT / "var" / "bench" / "spine.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["FAZHI_SQLITE_PATH"] = str(db)

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

RESULTS: list[tuple[str, str]] = []


def timed(label: str, fn, repeat: int = 1):
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    RESULTS.append((label, f"{median * 1000:.1f} ms" + (f" (median of {repeat})" if repeat > 1 else "")))
    return out, median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--matters", type=int, default=20000, help="open matters for the inbox/recompute runs")
    parser.add_argument("--transitions", type=int, default=1000, help="matters moved through perform()")
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)

    from fazhi.core import audit, clocks, inbox, procedure
    from fazhi.core.deadlines import simple_deadline
    from fazhi.core.demo import load_demo
    from fazhi.core.models import AuditRecord, Clock, ClockEvent, ClockRule
    from fazhi.core.workdays import get_calendar
    from tests.sample.models import SampleMatter

    demo = load_demo(with_modules=False)
    cal = get_calendar()
    units = [u for code, u in demo.units.items() if code != "YX"]
    coordinator = demo.persona("司法局协调员")
    rnd = random.Random(20251001)

    # 1. Pure deadline arithmetic.
    starts = [dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(0, 900)) for _ in range(10000)]
    _, secs = timed("deadline arithmetic, 10,000 × (60d with a 10-day pause)", lambda: [
        simple_deadline(cal, s, "60d", pauses=[(s + dt.timedelta(days=5), s + dt.timedelta(days=14))]) for s in starts])
    RESULTS.append(("  → per deadline", f"{secs / 10000 * 1e6:.0f} µs"))
    _, secs = timed("deadline arithmetic, 10,000 × 20wd", lambda: [simple_deadline(cal, s, "20wd") for s in starts])

    # 2. Transitions through the engine (scope, guards, clocks, audit in one transaction).
    with transaction.atomic():
        matters = [SampleMatter(unit=rnd.choice(units), state="draft", title=f"基准事项{i}", has_materials=True)
                   for i in range(args.transitions)]
        SampleMatter.objects.bulk_create(matters)
    matters = list(SampleMatter.objects.order_by("pk"))
    on = dt.date(2025, 9, 26)

    def run_transitions():
        for m in matters:
            procedure.perform(m, "submit", coordinator, version=m.version, on=on)

    _, secs = timed(f"perform('submit') × {args.transitions} (starts a clock, audits)", run_transitions)
    RESULTS.append(("  → per transition", f"{secs / args.transitions * 1000:.2f} ms"))

    # Every third submitted matter goes on to 补正 (its review clock pauses, a correction clock
    # starts): operators may act there, so their inbox is not empty, and paused clocks exist.
    to_correct = [SampleMatter.objects.get(pk=m.pk) for m in matters[::3]]

    def run_corrections():
        for m in to_correct:
            procedure.perform(m, "request_correction", coordinator, version=m.version, on=on + dt.timedelta(days=3))

    _, secs = timed(f"perform('request_correction') × {len(to_correct)} (pauses one clock, starts another)",
                    run_corrections)
    RESULTS.append(("  → per transition", f"{secs / max(len(to_correct), 1) * 1000:.2f} ms"))

    # 3. Bulk open clocks for the inbox and recompute at scale.
    rule = ClockRule.objects.get(code="sample.trial")
    ctype = ContentType.objects.get_for_model(SampleMatter)
    extra = args.matters - args.transitions
    with transaction.atomic():
        bulk = [SampleMatter(unit=rnd.choice(units), state="trial", title=f"批量事项{i}", has_materials=True)
                for i in range(extra)]
        SampleMatter.objects.bulk_create(bulk, batch_size=2000)
        new = SampleMatter.objects.filter(state="trial").order_by("pk")
        clocks_rows, starts_by_matter = [], {}
        for m in new.iterator():
            start = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(0, 330))
            starts_by_matter[m.pk] = start
            clocks_rows.append(Clock(rule=rule, name="trial", matter_type=ctype, matter_id=m.pk, unit_id=m.unit_id,
                                     started_on=start, due_date=start + dt.timedelta(days=60)))
        Clock.objects.bulk_create(clocks_rows, batch_size=2000)
        ClockEvent.objects.bulk_create(
            [ClockEvent(clock=c, seq=1, kind="start", on=c.started_on) for c in
             Clock.objects.filter(name="trial").only("pk", "started_on")], batch_size=2000)
    if connection.vendor == "postgresql":
        # Fresh bulk-loaded tables have no planner statistics until autovacuum gets to them; a
        # production database has them. Without this, the planner guesses and the inbox is 3× slower.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    open_clocks = Clock.objects.exclude(status="stopped").count()
    RESULTS.append(("open clocks in the database", f"{open_clocks:,}"))
    RESULTS.append(("  → of which paused", f"{Clock.objects.filter(status='paused').count():,}"))

    today = dt.date(2025, 11, 20)
    for who in ("司法局协调员", "住建局经办人"):
        user = demo.persona(who)
        scope = "whole government" if who == "司法局协调员" else "one unit"
        page, _ = timed(f"inbox page 1 of {who} ({scope})", lambda: inbox.page_for(user, on=today), repeat=5)
        RESULTS.append(("  → items on the page / in the whole result",
                        f"{len(page.items)} / {page.count:,} (逾期 {page.overdue_count:,}, 临期 {page.due_soon_count:,})"))
        last = page.pages
        timed(f"inbox last page ({last}) of {who}, paused clocks replayed",
              lambda: inbox.page_for(user, on=today, page=last), repeat=3)
        if who == "司法局协调员":
            timed(f"inbox page {last // 2} of {who}", lambda: inbox.page_for(user, on=today, page=last // 2), repeat=3)
    items, _ = timed("inbox of 司法局协调员, every item (inbox.items_for)", lambda: inbox.items_for(coordinator, on=today))
    RESULTS.append(("  → items listed", f"{len(items):,}"))

    changed, _ = timed("recompute_open_clocks (after a calendar change)", lambda: clocks.recompute_open_clocks())
    RESULTS.append(("  → clocks whose due date changed", f"{changed:,}"))

    # 4. Audit chain.
    n_audit = AuditRecord.objects.count()
    result, secs = timed(f"audit verify ({n_audit:,} records)", audit.verify_chain)
    assert result.ok, result.message
    RESULTS.append(("  → per 100,000 records", f"{secs / max(n_audit, 1) * 100000:.1f} s"))

    # 5. The command, end to end (process start included).
    env = dict(os.environ, FAZHI_ENV="test", PYTHONPATH=str(ROOT))
    fazhi = str(Path(sys.executable).parent / "fazhi")
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = subprocess.run([fazhi, "deadline", "2025-09-26", "20wd"], capture_output=True, text=True, env=env,
                             cwd=ROOT)
        runs.append(time.perf_counter() - t0)
        assert out.stdout.splitlines()[0] == "2025-10-30", out
    RESULTS.append(("`fazhi deadline 2025-09-26 20wd` wall time", f"{statistics.median(runs) * 1000:.0f} ms (median of 3)"))

    print(f"\nFazhi spine benchmark — {connection.vendor}, {os.cpu_count()} cores, {dt.date.today()}\n")
    width = max(len(k) for k, _ in RESULTS)
    for k, v in RESULTS:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
