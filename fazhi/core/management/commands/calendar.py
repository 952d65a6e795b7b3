"""fazhi calendar load FILE | fazhi calendar show YEAR — the working-day calendar (节假日安排).

``load`` reads a year's State Council arrangement (docs/calendar-file-format.md), replaces that
year's days all at once and recomputes open deadlines; every rejected line goes to stderr and
nothing is loaded. ``show`` prints a year in the same text format, so it can be edited and reloaded.
"""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fazhi.core import calendar_io, calendar_services
from fazhi.core.calendar_io import HOLIDAY, WORKDAY, CalendarFileError
from fazhi.core.models import CalendarYear

from ..chinese_errors import ChineseErrorsMixin


class Command(ChineseErrorsMixin, BaseCommand):
    help = "工作日日历：load FILE 载入某年的节假日安排（文本或 CSV）；show YEAR 显示某年的节假日和调休上班日。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="{load,show}")
        load = sub.add_parser("load", help="载入某年的节假日安排文件（整体替换该年数据）")
        load.add_argument("file", help="文本或 CSV 文件，格式见 docs/calendar-file-format.md")
        show = sub.add_parser("show", help="显示某年的节假日和调休上班日")
        show.add_argument("year", help="年份，如 2026")

    def handle(self, *args, **options):
        action = options.get("action")
        if action == "load":
            return self._load(options["file"])
        if action == "show":
            return self._show(options["year"])
        raise CommandError("请指定操作：fazhi calendar load 文件 或 fazhi calendar show 年份。")

    def _load(self, filename: str) -> None:
        path = Path(filename)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{filename}") from None
        except IsADirectoryError:
            raise CommandError(f"{filename} 是目录，不是文件。") from None
        except OSError as exc:
            raise CommandError(f"无法读取文件 {filename}：{exc.strerror or exc}") from None
        try:
            result = calendar_services.load_file(data, path.name)
        except CalendarFileError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.summary) from None
        self.stdout.write(result.summary())

    def _show(self, year_text: str) -> None:
        if not str(year_text).isdigit() or not 1900 <= int(year_text) <= 2200:
            raise CommandError(f"年份无效：{year_text}。请写作四位数年份，如 2026。")
        year = int(year_text)
        entry = CalendarYear.objects.filter(year=year).first()
        rows = calendar_services.year_rows(year)
        if entry is None:
            self.stdout.write(f"{year}年尚无节假日安排数据：计算期限时仅按周末休息处理，并会提示可能不准确。"
                              f"国务院办公厅发布通知后，请用 fazhi calendar load 文件 载入。")
            return
        holidays = sum(1 for _, k, _ in rows if k == HOLIDAY)
        workdays = sum(1 for _, k, _ in rows if k == WORKDAY)
        self.stdout.write(calendar_io.to_text(year, rows, entry.source).rstrip("\n"))
        self.stdout.write(f"# 合计：法定节假日 {holidays} 天，调休上班日 {workdays} 天；"
                          f"载入时间 {timezone.localtime(entry.loaded_at):%Y-%m-%d %H:%M}")
