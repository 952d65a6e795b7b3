"""Seed the working-day calendar from the chinese-calendar package (State Council notices 2004–2026)."""
from django.db import migrations

SOURCE = "chinesecalendar 1.11.0（国务院办公厅节假日安排通知）"


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    rows = [CalendarDay(date=d, kind="holiday", name=str(n), source=SOURCE) for d, n in constants.holidays.items()]
    rows += [CalendarDay(date=d, kind="workday", name=str(n), source=SOURCE) for d, n in constants.workdays.items()]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    for y in years:
        CalendarYear.objects.get_or_create(year=y, defaults={"source": SOURCE})


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.filter(source=SOURCE).delete()
    apps.get_model("core", "CalendarYear").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
