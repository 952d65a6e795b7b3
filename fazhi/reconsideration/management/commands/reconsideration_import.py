"""`fazhi reconsideration_import FILE.xlsx [--dry-run] [--unit YX]`: import historic 行政复议 cases.

All or nothing: with any rejected row nothing is written, every rejected row is listed on stderr
(row number, column, reason) and the command exits with status 1. Re-importing the same file
changes nothing (rows are matched on 案件编号).
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "导入历史行政复议案件（Excel 台账，每行一件已办结案件）。任一行有误则全部不导入；重复导入不产生重复案件。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件（.xlsx），格式见导入模板")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--unit", help="人民政府（行政复议机关）的单位代码；系统中只有一个行政复议机构时可省略")

    def handle(self, *args, file, dry_run=False, unit=None, **options):
        from fazhi.core.procedure import ProcedureError
        from fazhi.reconsideration import excel

        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            office = excel.office_by_code(unit)
            result = excel.import_cases(path.read_bytes(), office=office, user=None, dry_run=dry_run,
                                        filename=path.name)
        except ProcedureError as exc:
            raise CommandError(exc.message) from None
        if not result.ok:
            for err in result.errors:
                self.stderr.write(str(err))
            raise CommandError(result.summary())
        self.stdout.write(result.summary())
