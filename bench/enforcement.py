"""Benchmark of 行政执法监督 at province scale (issue 6), on PostgreSQL.

    .venv/bin/python bench/enforcement.py [--rows N]      (default 10,000,000)

1. a deterministic synthetic province (1 province, 120 regions, ≈500 units, bodies, certificates);
2. a CSV of min(N, 1,000,000) case records; raw COPY of it into a bare text table vs
   `fazhi enforcement import` of it (staging COPY + set-based validation + ON CONFLICT merge + legal
   checks + roll-ups) into the empty case table;
3. the table is grown to N rows by replicating the imported rows under new case numbers (SQL, not
   re-validated), then the roll-ups are rebuilt and proven equal to a recomputation;
4. all enforcement case metrics for every unit for one year: from the roll-ups (what Fazhi does)
   vs DuckDB over the same raw rows (exported from PostgreSQL) vs PostgreSQL over the raw rows;
   the three answers are compared;
5. p95 of the case list page of the largest unit at page 1,000 (keyset cursor, full Django page render).
Prints a table, and as its last line a JSON object. Uses DATABASE_URL or
postgres://postgres@127.0.0.1:5432/eng_enf_bench (the database is dropped and re-created).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=10_000_000)
parser.add_argument("--keep-files", action="store_true")
parser.add_argument("--profile", action="store_true", help="print the import's stage timings")
ARGS = parser.parse_args()
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/eng_enf_bench")
os.environ.setdefault("FAZHI_ENV", "demo")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhi.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")


def _recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


_recreate_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

LINES: list[tuple[str, str]] = []
YEAR = 2024


def say(label, value):
    LINES.append((label, value))
    print(f"{label:<48} {value}", flush=True)


def province():
    from fazhi.core.models import Membership, Role, Unit, User
    from fazhi.enforcement.models import Body, Certificate, Officer

    gov = Unit.objects.create(code="P", name="示范省人民政府", kind="government", level="province")
    units = []
    for i in range(20):
        units.append(Unit.objects.create(code=f"P-D{i:02d}", name=f"省厅{i:02d}", kind="department", parent=gov))
    for r in range(120):
        region = Unit.objects.create(code=f"R{r:03d}", name=f"第{r:03d}县（区）人民政府", kind="government",
                                     level="county", parent=gov)
        units.append(region)
        for d in range(3):
            units.append(Unit.objects.create(code=f"R{r:03d}-{d}", name=f"第{r:03d}县 部门{d}", kind="department",
                                             parent=region))
    bodies, certs = {}, {}
    officers, cert_rows = [], []
    for u in units:
        b = Body.objects.create(unit=u, code=u.code, name=u.name)
        bodies[u.code] = b.code
        for j in range(8):
            officers.append(Officer(unit=u, body=b, name=f"执法员{u.code}-{j}"))
    Officer.objects.bulk_create(officers, batch_size=2000)
    for o in Officer.objects.select_related("unit"):
        n = f"C-{o.unit.code}-{o.name.rsplit('-', 1)[1]}"
        cert_rows.append(Certificate(officer=o, number=n, issuer="示范省人民政府", valid_from=dt.date(2019, 1, 1),
                                     valid_to=dt.date(2027, 12, 31)))
        certs.setdefault(o.unit.code, []).append(n)
    Certificate.objects.bulk_create(cert_rows, batch_size=2000)
    user = User.objects.create(username="bench_coordinator", display_name="基准协调员")
    Membership.objects.create(user=user, unit=gov, role=Role.COORDINATOR)
    return [u.code for u in units], bodies, certs, user


def write_floor(case_cols: list[str]) -> float:
    """The least any import must do after validation: write the 1M typed, checked rows (taken from the
    imported table, in PostgreSQL's binary format, from memory) into a bare copy of the case table in one
    transaction and build its primary key, natural-key and unit/date indexes. Measures the database
    alone; the import's reading, validation and hashing come on top."""
    import io

    cols = ", ".join(case_cols)
    buf = io.BytesIO()
    with connection.cursor() as cur:
        with cur.cursor.copy(f"COPY (SELECT {cols} FROM enforcement_case) TO STDOUT (FORMAT binary)") as copy:
            for data in copy:
                buf.write(data)
        cur.execute("CREATE TABLE bench_floor (LIKE enforcement_case INCLUDING DEFAULTS)")
        cur.execute("ALTER TABLE bench_floor ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
    t = time.monotonic()
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        with cur.cursor.copy(f"COPY bench_floor ({cols}) FROM STDIN (FORMAT binary)") as copy:
            view = buf.getbuffer()
            for i in range(0, len(view), 1 << 20):
                copy.write(view[i:i + (1 << 20)])
        cur.execute("ALTER TABLE bench_floor ADD PRIMARY KEY (id)")
        cur.execute("CREATE UNIQUE INDEX bench_floor_key ON bench_floor (source_system, case_number)")
        cur.execute("CREATE INDEX bench_floor_unit ON bench_floor (unit_id, event_on, id)")
    floor_s = time.monotonic() - t
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_floor")
    return floor_s


def main():
    from fazhi.enforcement import checks, importer, synth

    if ARGS.profile:
        import logging

        logging.getLogger("fazhi.enforcement.import").setLevel(logging.DEBUG)
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("  import stage %(message)s"))
        logging.getLogger("fazhi.enforcement.import").addHandler(handler)

    n_total = ARGS.rows
    n_import = min(n_total, 1_000_000)
    t = time.monotonic()
    call_command("migrate", verbosity=0, skip_checks=True)
    say("migrate", f"{time.monotonic() - t:.1f} s")
    units, bodies, certs, user = province()
    say("province units", str(len(units)))
    tmp = tempfile.mkdtemp(prefix="enf-bench-")
    path = os.path.join(tmp, "cases.csv")
    t = time.monotonic()
    synth.write_csv(path, synth.rows(n_import, units=units, bodies=bodies, certs=certs, seed=7,
                                     start=dt.date(2021, 1, 1), days=5 * 365 - 60, prefix="P",
                                     as_of=dt.date(2025, 12, 31)))
    say("generate CSV", f"{n_import:,} rows, {os.path.getsize(path) / 1e6:.0f} MB, {time.monotonic() - t:.1f} s")

    # Raw COPY of the same file into a bare table (the yardstick).
    cols = ", ".join(f"c{i} text" for i in range(len(importer.KEYS)))
    with connection.cursor() as cur:
        cur.execute(f"CREATE UNLOGGED TABLE bench_raw ({cols})")
    copy_s = []
    for _ in range(2):
        with connection.cursor() as cur:
            cur.execute("TRUNCATE bench_raw")
        t = time.monotonic()
        with connection.cursor() as cur, open(path, "rb") as fh, cur.copy(
                "COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        copy_s.append(time.monotonic() - t)
    copy_rate = n_import / min(copy_s)
    say("raw COPY into a bare table", f"{min(copy_s):.2f} s = {copy_rate:,.0f} rows/s")
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_raw")

    t = time.monotonic()
    call_command("enforcement", "import", path, "--as-of", "2025-12-31", "--quiet")
    import_s = time.monotonic() - t
    import_rate = n_import / import_s
    say("fazhi enforcement import (empty table)", f"{import_s:.2f} s = {import_rate:,.0f} rows/s")
    floor_s = write_floor(importer.CASE_NAMES)
    say("floor: binary COPY of the typed rows + indexes", f"{floor_s:.2f} s = {n_import / floor_s:,.0f} rows/s "
                                                          f"(no reading, no validation)")
    t = time.monotonic()
    diffs = checks.verify_stats()
    say("roll-ups kept by the import == recomputation", f"{'yes' if not diffs else 'NO: ' + diffs[0]} "
                                                         f"({time.monotonic() - t:.1f} s)")
    import_rollups_equal = not diffs
    t = time.monotonic()
    call_command("enforcement", "import", path, "--as-of", "2025-12-31", "--quiet")
    say("same file again (idempotent, all unchanged)", f"{time.monotonic() - t:.2f} s")

    # Grow to n_total rows by replicating the imported rows under new case numbers.
    copies = max(0, (n_total - n_import) // n_import)
    rest = max(0, n_total - n_import - copies * n_import)
    t = time.monotonic()
    case_cols = list(importer.CASE_NAMES)
    sel = ", ".join("case_number || '#' || %s" if c == "case_number" else c for c in case_cols)
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM enforcement_case")
        max_id = cur.fetchone()[0]
        for g in range(1, copies + 1):
            cur.execute(f"INSERT INTO enforcement_case ({', '.join(case_cols)}) SELECT {sel} "
                        f"FROM enforcement_case WHERE id <= %s", [str(g), max_id])
        if rest:
            cur.execute(f"INSERT INTO enforcement_case ({', '.join(case_cols)}) SELECT {sel} "
                        f"FROM enforcement_case WHERE id <= %s", [str(copies + 1), rest])
        cur.execute("SELECT count(*) FROM enforcement_case")
        rows = cur.fetchone()[0]
    say("grow case table", f"{rows:,} rows, {time.monotonic() - t:.1f} s")
    t = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SET work_mem = '512MB'")
        checks.refresh_stats(cur, None)
        cur.execute("VACUUM ANALYZE enforcement_case") if False else None
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE enforcement_case")
        cur.execute("VACUUM ANALYZE enforcement_unityearstat")
    say("rebuild roll-ups + VACUUM ANALYZE", f"{time.monotonic() - t:.1f} s")
    t = time.monotonic()
    diffs = checks.verify_stats()
    say("roll-ups == recomputation from raw rows", f"{'yes' if not diffs else 'NO: ' + diffs[0]} "
                                                   f"({time.monotonic() - t:.1f} s)")

    # Metrics for every unit, one year.
    metric_sql = f"""
SELECT unit_id, SUM(CASE WHEN kind='inspection' THEN cases ELSE 0 END), SUM(CASE WHEN kind='penalty' THEN cases ELSE 0 END),
  SUM(CASE WHEN kind='coercion' THEN cases ELSE 0 END), SUM(CASE WHEN kind='licence' THEN cases ELSE 0 END),
  SUM(fines_total), SUM(published_on_time), SUM(decisions), SUM(major_reviewed), SUM(major),
  SUM(record_present), SUM(record_required), SUM(timed_ok), SUM(timed), SUM(lenient), SUM(with_problems)
FROM enforcement_unityearstat WHERE year = {YEAR} GROUP BY unit_id ORDER BY unit_id"""
    raw_sql = f"""
SELECT unit_id, SUM(CASE WHEN kind='inspection' THEN 1 ELSE 0 END), SUM(CASE WHEN kind='penalty' THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind='coercion' THEN 1 ELSE 0 END), SUM(CASE WHEN kind='licence' THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind='penalty' THEN fine_amount ELSE 0 END),
  SUM(CASE WHEN kind IN {checks.DECISION_KINDS_SQL} AND decided_on IS NOT NULL AND (problems & 1) = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind IN {checks.DECISION_KINDS_SQL} AND decided_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN major AND decided_on IS NOT NULL AND (problems & 4) = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN major AND decided_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN record_required AND av_record THEN 1 ELSE 0 END), SUM(CASE WHEN record_required THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind='penalty' AND filed_on IS NOT NULL AND decided_on IS NOT NULL AND (problems & 8) = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind='penalty' AND filed_on IS NOT NULL AND decided_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN lenient_item <> '' THEN 1 ELSE 0 END), SUM(CASE WHEN problems <> 0 THEN 1 ELSE 0 END)
FROM {{table}} WHERE event_on >= DATE '{YEAR}-01-01' AND event_on <= DATE '{YEAR}-12-31' GROUP BY unit_id ORDER BY unit_id"""
    other_sql = [
        "SELECT unit_id, count(*) FROM enforcement_body WHERE active GROUP BY unit_id",
        f"""SELECT o.unit_id, count(DISTINCT o.id) FROM enforcement_officer o JOIN enforcement_certificate c
            ON c.officer_id = o.id WHERE o.active AND c.kind = 'enforcement' AND c.valid_from <= DATE '{YEAR}-12-31'
            AND c.valid_to >= DATE '{YEAR}-12-31' AND NOT (c.status IN ('suspended','revoked')
            AND (c.status_since IS NULL OR c.status_since <= DATE '{YEAR}-12-31')) GROUP BY o.unit_id""",
    ]

    def fazhi_metrics():
        with connection.cursor() as cur:
            cur.execute(metric_sql)
            out = cur.fetchall()
            for q in other_sql:
                cur.execute(q)
                cur.fetchall()
        return out

    def norm(rows_):
        return [tuple(round(float(v), 2) for v in r) for r in rows_]

    samples = []
    for _ in range(7):
        t = time.monotonic()
        ours = fazhi_metrics()
        samples.append(time.monotonic() - t)
    metrics_s = statistics.median(samples)
    say("all metrics, every unit, one year (roll-ups)", f"{metrics_s * 1000:.1f} ms ({len(ours)} units)")
    t = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(raw_sql.replace("{table}", "enforcement_case"))
        pg_raw = cur.fetchall()
    pg_raw_s = time.monotonic() - t
    say("same figures, PostgreSQL over raw rows", f"{pg_raw_s * 1000:.0f} ms")

    import duckdb

    export = os.path.join(tmp, "cases_export.csv")
    t = time.monotonic()
    with connection.cursor() as cur, open(export, "wb") as fh, cur.copy(
            "COPY (SELECT unit_id, kind, event_on, decided_on, filed_on, fine_amount, major, record_required, "
            "av_record, lenient_item, problems FROM enforcement_case) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
        for data in copy:
            fh.write(data)
    duck = duckdb.connect()
    duck.execute(f"CREATE TABLE c AS SELECT * FROM read_csv('{export}', header=true, "
                 "types={'lenient_item': 'VARCHAR', 'fine_amount': 'DECIMAL(14,2)'})")
    say("export to DuckDB (not timed in the ratio)", f"{time.monotonic() - t:.1f} s")
    dsql = raw_sql.replace("{table}", "c").replace("lenient_item <> ''", "coalesce(lenient_item, '') <> ''")
    dsamples = []
    for _ in range(7):
        t = time.monotonic()
        duck_rows = duck.execute(dsql).fetchall()
        dsamples.append(time.monotonic() - t)
    duckdb_s = statistics.median(dsamples)
    say("same figures, DuckDB over raw rows", f"{duckdb_s * 1000:.1f} ms")
    same = norm(ours) == norm(pg_raw) == norm(duck_rows)
    say("roll-up answer == PostgreSQL raw == DuckDB raw", "yes" if same else "NO")

    # Case list page, largest unit, page 1,000 (20 per page), keyset cursor.
    from django.test import Client

    from fazhi.core.models import Unit

    with connection.cursor() as cur:
        cur.execute("SELECT unit_id, count(*) FROM enforcement_case GROUP BY unit_id ORDER BY 2 DESC LIMIT 1")
        unit_id, unit_rows = cur.fetchone()
        offset = 999 * 20 - 1
        cur.execute("SELECT event_on, id FROM enforcement_case WHERE unit_id = %s ORDER BY event_on DESC, id DESC "
                    "OFFSET %s LIMIT 1", [unit_id, offset])
        found = cur.fetchone()
    list_p95 = None
    if found:
        cursor = f"{found[0].isoformat()}_{found[1]}"
        client = Client()
        client.force_login(user)
        url = f"/enforcement/cases/?unit={unit_id}&after={cursor}"
        r = client.get(url)
        assert r.status_code == 200, r.status_code
        times = []
        for _ in range(60):
            t = time.monotonic()
            client.get(url)
            times.append((time.monotonic() - t) * 1000)
        times.sort()
        list_p95 = times[int(len(times) * 0.95) - 1]
        say("case list page 1,000 of the largest unit, p95", f"{list_p95:.1f} ms ({unit_rows:,} rows in the unit, "
                                                             f"{Unit.objects.get(pk=unit_id).code})")
    else:
        say("case list page 1,000", "largest unit has fewer than 20,000 rows: not measured")
    if not ARGS.keep_files:
        for f in (path, export):
            os.remove(f)
    result = {
        "rows": rows, "import_rows": n_import,
        "import_rows_per_s": round(import_rate), "copy_rows_per_s": round(copy_rate),
        "import_vs_copy": round(import_rate / copy_rate, 3),
        "metrics_s": round(metrics_s, 4), "duckdb_s": round(duckdb_s, 4),
        "metrics_vs_duckdb": round(metrics_s / duckdb_s, 3) if duckdb_s else None,
        "pg_raw_metrics_s": round(pg_raw_s, 3), "rollups_equal_recomputation": not diffs,
        "import_rollups_equal_recomputation": import_rollups_equal,
        "write_floor_rows_per_s": round(n_import / floor_s), "write_floor_vs_copy": round(n_import / floor_s / copy_rate, 3),
        "answers_equal": same, "list_p95_ms": round(list_p95, 1) if list_p95 is not None else None,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
