"""`fazhi report compile [--unit CODE] --year YYYY --out FILE.docx [--html FILE]`: compile the annual
report of a unit (default: the top government) from the registry and the units' texts."""
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "年度报告。compile：按模板和指标数据汇编年度报告，输出公文格式 DOCX（及 HTML）。"
    requires_system_checks = []  # a read-only compilation; the checks would only cost time

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="子命令")
        c = sub.add_parser("compile", help="汇编年度报告", description="汇编年度报告为公文格式 DOCX（及 HTML）。")
        c.add_argument("--unit", help="单位代码，默认为顶级人民政府")
        c.add_argument("--year", required=True, help="报告年度（四位数字）")
        c.add_argument("--out", required=True, help="输出的 DOCX 文件")
        c.add_argument("--html", help="另输出 HTML 文件（可选）")
        c.add_argument("--no-charts", action="store_true", help="不绘制图表")

    def handle(self, *args, action=None, unit=None, year=None, out=None, html=None, no_charts=False, **options):
        from fazhi.core import metrics

        from ...compiler import CompileError, compile_for
        from ...output import to_docx, to_html_file

        started = time.perf_counter()
        try:
            period = metrics.Period.for_year(year)
            target = metrics.resolve_unit(unit)
            compiled = compile_for(target, period.start.year, with_charts=not no_charts)
        except (metrics.MetricError, CompileError) as exc:
            raise CommandError(str(exc)) from None
        out_path = Path(out)
        if out_path.suffix.lower() != ".docx":
            raise CommandError(f"输出文件应以 .docx 结尾：{out}")
        try:
            out_path.write_bytes(to_docx(compiled))
            if html:
                Path(html).write_text(to_html_file(compiled), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法写入输出文件：{exc}") from None
        missing = sum(1 for f in compiled.figures if f.missing)
        self.stdout.write(f"已汇编“{compiled.title}”：{len(compiled.blocks)} 个章节，{len(compiled.figures)} 项数据"
                          f"（缺失 {missing} 项），用时 {time.perf_counter() - started:.2f} 秒。")
        self.stdout.write(f"DOCX：{out_path}" + (f"；HTML：{html}" if html else ""))
