"""Seed the working-day calendar from the chinese-calendar package (State Council notices 2004–2026).

Used by migration 0002 and again after a flush (post_migrate), so a database never runs without
the known holiday data.
"""
SOURCE = "chinesecalendar 1.11.0（国务院办公厅节假日安排通知）"


def seed_from_package(CalendarDay, CalendarYear) -> int:
    from chinese_calendar import constants

    rows = [CalendarDay(date=d, kind="holiday", name=str(n), source=SOURCE) for d, n in constants.holidays.items()]
    rows += [CalendarDay(date=d, kind="workday", name=str(n), source=SOURCE) for d, n in constants.workdays.items()]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    for y in years:
        CalendarYear.objects.get_or_create(year=y, defaults={"source": SOURCE})
    return len(rows)


def seed_if_empty(sender=None, **kwargs) -> None:
    """post_migrate: an empty calendar (fresh flush) gets the package data back."""
    if sender is not None and getattr(sender, "label", "") != "core":
        return
    from .models import CalendarDay, CalendarYear

    if not CalendarYear.objects.exists():
        seed_from_package(CalendarDay, CalendarYear)
