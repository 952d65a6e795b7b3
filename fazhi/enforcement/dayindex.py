"""Keeps ``DayIndex`` equal to the working-day calendar (fazhi.core.workdays)."""
from __future__ import annotations

import datetime as dt
import hashlib

from django.db import connection, transaction

from fazhi.core.workdays import Calendar, get_calendar

FIRST = dt.date(2000, 1, 1)
LAST = dt.date(2036, 12, 31)
DECISION_DAYS = 90  # 行政处罚法 第六十条


def fingerprint(cal: Calendar) -> str:
    text = "|".join(sorted(d.isoformat() for d in cal.holidays)) + "#" + "|".join(
        sorted(d.isoformat() for d in cal.workdays))
    return hashlib.sha256(f"{FIRST}{LAST}{text}".encode()).hexdigest()


def idx_of(day: dt.date) -> int:
    return (day - FIRST).days


def rows(cal: Calendar):
    n_days = (LAST - FIRST).days + 1
    days = [FIRST + dt.timedelta(days=i) for i in range(n_days + DECISION_DAYS + 30)]
    work = [cal.is_workday(d) for d in days]
    floor, count = [], 0
    for w in work:
        count += int(w)
        floor.append(count)
    next_wd = [0] * len(days)
    nxt = len(days) - 1
    for i in range(len(days) - 1, -1, -1):
        if work[i]:
            nxt = i
        next_wd[i] = nxt
    for i in range(n_days):
        yield (days[i], days[i].isoformat(), i, days[i].year, work[i], floor[i], floor[i] - int(work[i]) + 1,
               next_wd[i + DECISION_DAYS])


def ensure(cal: Calendar | None = None) -> bool:
    """Rebuild the index if the calendar changed since the last build; True when rebuilt."""
    from .models import DayIndex, DayIndexMeta

    cal = cal or get_calendar()
    fp = fingerprint(cal)
    meta = DayIndexMeta.objects.filter(pk=1).first()
    if meta is not None and meta.fingerprint == fp:
        return False
    with transaction.atomic():
        table = DayIndex._meta.db_table
        with connection.cursor() as cur:  # raw executemany: ~13k rows, the ORM's per-value work is 10× slower
            cur.execute(f"DELETE FROM {table}", [])
            cur.executemany(f"INSERT INTO {table} (day, iso, idx, year, is_workday, wd_floor, wd_ceil, p90) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", list(rows(cal)))
        DayIndexMeta.objects.update_or_create(pk=1, defaults={"fingerprint": fp})
    return True
