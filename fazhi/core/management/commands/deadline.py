"""fazhi deadline START SPEC [--extend SPEC] [--pause FROM:TO ...] — the deadline calculator (期限计算器).

stdout's first line is the due date alone (YYYY-MM-DD), so scripts can read it; warnings such as a
year without holiday data go to stderr; bad input is a Chinese message on stderr and exit code 1.
"""
from __future__ import annotations


from django.core.management.base import BaseCommand, CommandError

from fazhi.core import calendar_io, calendar_services
from fazhi.core.deadlines import (
    DeadlineError, counting_note, describe, parse_date, parse_pause, parse_spec, simple_deadline,
)
from fazhi.core.workdays import get_calendar

from ..chinese_errors import ChineseErrorsMixin


class Command(ChineseErrorsMixin, BaseCommand):
    # A calculator: skip the full system checks (they import every URLconf and the API).
    requires_system_checks = []
    help = ("计算法定期限的届满日。SPEC 写作 Nwd（N 个工作日）或 Nd（N 日，自然日）。"
            "例：fazhi deadline 2025-09-26 20wd")

    def add_arguments(self, parser):
        parser.add_argument("start", help="起算日 YYYY-MM-DD（起算日本身不计入期限）")
        parser.add_argument("spec", help="期限：Nwd（工作日）或 Nd（自然日），如 20wd、60d")
        parser.add_argument("--extend", action="append", default=[], metavar="SPEC",
                            help="延长期限，计日方式须与原期限一致，如 30d；可重复")
        parser.add_argument("--pause", action="extend", nargs="+", default=[], metavar="FROM:TO",
                            help="中止期间（含起止两日，不计入期限），如 2025-10-09:2025-10-10；可重复")
        parser.add_argument("--explain", action="store_true", help="在届满日之后说明计算依据和期间内的节假日")

    def handle(self, *args, **options):
        try:
            start = parse_date(options["start"])
            unit = parse_spec(options["spec"])[1]
            pauses = [parse_pause(p) for p in options["pause"]]
            cal = get_calendar()
            result = simple_deadline(cal, start, options["spec"], options["extend"], pauses)
        except DeadlineError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.due.isoformat())
        for warning in result.warnings:
            self.stderr.write(f"警告：{warning}")
        if options["explain"]:
            self.stdout.write(f"期限：{describe(result.budget, unit)}，"
                              f"起算日 {start}，届满日 {result.due}（{calendar_io.weekday_name(result.due)}）")
            self.stdout.write(f"计算规则：{counting_note(unit)}")
            for p_from, p_to in sorted(pauses):
                self.stdout.write(f"中止：{p_from} 至 {p_to}（不计入）")
            for day, kind, name in calendar_services.special_days(start, result.due):
                label = "调休上班" if kind == calendar_io.WORKDAY else "放假"
                self.stdout.write(f"{day}（{calendar_io.weekday_name(day)}）{label} {name}".rstrip())

