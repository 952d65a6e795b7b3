"""Calendar services: load a year's holiday arrangement, atomically, and say what it changed."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear

from . import audit, calendar_io, clocks
from .calendar_io import HOLIDAY, WORKDAY, CalendarFileError
from .models import CalendarDay, CalendarYear
from .workdays import Calendar, invalidate

logger = logging.getLogger("fazhi.calendar")


@dataclass
class LoadResult:
    year: int
    source: str
    holidays: int
    workdays: int
    replaced_holidays: int
    replaced_workdays: int
    clocks_changed: int
    new_year: bool

    def summary(self) -> str:
        what = "新增" if self.new_year else "更新"
        text = (f"已{what} {self.year} 年日历：法定节假日 {self.holidays} 天，调休上班日 {self.workdays} 天"
                f"（来源：{self.source}）。")
        if not self.new_year:
            text += f"原有数据（节假日 {self.replaced_holidays} 天、调休上班日 {self.replaced_workdays} 天）已被替换。"
        text += f"已重新计算未结束的期限，{self.clocks_changed} 个期限的届满日或提示发生变化。"
        return text


def load_file(data: bytes, filename: str, *, actor=None) -> LoadResult:
    """Validate and load one year's file; any error → CalendarFileError and nothing changed."""
    if len(data) > calendar_io.MAX_FILE_BYTES:
        raise CalendarFileError([], f"文件过大（{len(data)} 字节），日历文件不应超过 {calendar_io.MAX_FILE_BYTES // 1024} KB。")
    text = calendar_io.decode(data)
    parsed = calendar_io.parse(text, filename)
    if parsed.errors:
        raise CalendarFileError(parsed.errors)
    return load_parsed(parsed, calendar_io.source_label(filename, data), actor=actor)


def load_parsed(parsed: calendar_io.ParsedCalendar, source: str, *, actor=None) -> LoadResult:
    year = parsed.year
    try:
        with transaction.atomic():
            # Lock the year row so two loads of one year queue up (two first loads of a new year
            # collide on the unique year instead, and the second rolls back whole).
            existing = CalendarYear.objects.select_for_update().filter(year=year).first()
            old = CalendarDay.objects.filter(date__year=year)
            replaced_h = old.filter(kind=CalendarDay.Kind.HOLIDAY).count()
            replaced_w = old.filter(kind=CalendarDay.Kind.WORKDAY).count()
            old.delete()
            CalendarDay.objects.bulk_create([
                CalendarDay(date=day, kind=kind, name=name, source=source)
                for day, (kind, name) in sorted(parsed.days.items())
            ])
            if existing:
                existing.source = source
                existing.save()
            else:
                CalendarYear.objects.create(year=year, source=source)
            # Read back inside the transaction: the clocks are recomputed against exactly what was
            # written, and a rollback cannot leave these days in the process-wide cache.
            cal = Calendar.from_db()
            changed = clocks.recompute_open_clocks(actor=actor, reason=f"载入 {year} 年日历", cal=cal)
            result = LoadResult(year=year, source=source, holidays=parsed.count(HOLIDAY),
                                workdays=parsed.count(WORKDAY), replaced_holidays=replaced_h,
                                replaced_workdays=replaced_w, clocks_changed=changed, new_year=existing is None)
            audit.record(
                "calendar.load", actor=actor, object_type="core.calendaryear", object_id=str(year),
                object_repr=f"{year}年日历",
                changes={"year": year, "source": [existing.source if existing else None, source],
                         "holidays": [replaced_h, result.holidays], "workdays": [replaced_w, result.workdays],
                         "clocks_recomputed": changed},
            )
            transaction.on_commit(invalidate)
    except Exception:
        invalidate()
        raise
    invalidate()
    logger.info("载入 %s 年日历：节假日 %s 天，调休上班日 %s 天，来源 %s；%s 个未结束期限的届满日已重新计算。",
                year, result.holidays, result.workdays, source, result.clocks_changed)
    return result


def year_rows(year: int) -> list[tuple[dt.date, str, str]]:
    """(date, kind, name) of one year, in date order."""
    return list(CalendarDay.objects.filter(date__year=year).order_by("date").values_list("date", "kind", "name"))


@dataclass
class YearSummary:
    year: int
    source: str
    loaded_at: dt.datetime
    holidays: int
    workdays: int


def years() -> list[YearSummary]:
    counts = {
        (row["y"], row["kind"]): row["n"]
        for row in CalendarDay.objects.annotate(y=ExtractYear("date")).values("y", "kind").annotate(n=Count("pk"))
    }
    return [
        YearSummary(y.year, y.source, y.loaded_at, counts.get((y.year, HOLIDAY), 0), counts.get((y.year, WORKDAY), 0))
        for y in CalendarYear.objects.order_by("-year")
    ]


def special_days(after: dt.date, through: dt.date) -> list[tuple[dt.date, str, str]]:
    """Holidays and make-up workdays in (after, through], with Chinese names (for explanations)."""
    return [(d, k, calendar_io.festival_name(n)) for d, k, n in
            CalendarDay.objects.filter(date__gt=after, date__lte=through).order_by("date")
            .values_list("date", "kind", "name")]


def can_manage_calendar(user) -> bool:
    """Superusers, and users holding the admin role at their government (the calendar is shared data)."""
    from . import scoping
    from .models import Membership, Role

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for membership in Membership.objects.filter(user=user, role=Role.ADMIN).select_related("unit"):
        if Role.ADMIN in scoping.roles_at(user, membership.unit.government()):
            return True
    return False
