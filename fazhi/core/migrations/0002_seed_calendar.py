"""Seed the working-day calendar from the chinese-calendar package (State Council notices 2004–2026)."""
from django.db import migrations

from fazhi.core.calendar_seed import SOURCE, seed_from_package


def seed(apps, schema_editor):
    seed_from_package(apps.get_model("core", "CalendarDay"), apps.get_model("core", "CalendarYear"))


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.filter(source=SOURCE).delete()
    apps.get_model("core", "CalendarYear").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
