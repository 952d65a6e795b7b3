"""Chinese working-day calendar (statutory-rules.md §0).

A day is a working day unless it is a statutory holiday, or a Saturday/Sunday that is not a
make-up workday (调休上班). The holiday arrangement is data (CalendarDay rows, one
CalendarYear per year whose State Council notice is loaded). For a year without data only
weekends are rest days, and every answer that depends on such a year carries a warning.
"""
from __future__ import annotations

import datetime as dt
import threading
import time

ONE_DAY = dt.timedelta(days=1)
_CACHE_SECONDS = 30


class Calendar:
    """An in-memory snapshot of the calendar tables (a few thousand rows at most)."""

    def __init__(self, holidays: set[dt.date], workdays: set[dt.date], years: set[int]):
        self.holidays = holidays
        self.workdays = workdays
        self.years = years

    @classmethod
    def from_db(cls) -> "Calendar":
        from .models import CalendarDay, CalendarYear

        holidays, workdays = set(), set()
        for date, kind in CalendarDay.objects.values_list("date", "kind"):
            (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(date)
        return cls(holidays, workdays, set(CalendarYear.objects.values_list("year", flat=True)))

    def has_year(self, year: int) -> bool:
        return year in self.years

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (start itself not counted). n=0 → start."""
        day = start
        while n > 0:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def count_workdays(self, after: dt.date, through: dt.date) -> int:
        """Working days in (after, through]."""
        count, day = 0, after
        while day < through:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        return count

    def missing_years(self, start: dt.date, end: dt.date) -> list[int]:
        lo, hi = sorted((start.year, end.year))
        return [y for y in range(lo, hi + 1) if y not in self.years]


def missing_year_warning(years: list[int]) -> str:
    names = "、".join(f"{y}年" for y in years)
    return (f"{names}的法定节假日安排尚未载入日历，期限仅按周末休息计算，可能不准确；"
            f"请管理员在国务院办公厅发布通知后载入。")


_lock = threading.Lock()
_snapshot: tuple[float, Calendar] | None = None


def get_calendar() -> Calendar:
    """The current calendar, cached for a few seconds per process (invalidate() on change)."""
    global _snapshot
    with _lock:
        if _snapshot is None or time.monotonic() - _snapshot[0] > _CACHE_SECONDS:
            _snapshot = (time.monotonic(), Calendar.from_db())
        return _snapshot[1]


def invalidate() -> None:
    global _snapshot
    with _lock:
        _snapshot = None
