"""`fazhi benchmark import FILE...` · `fazhi benchmark extract FILE [--json]` · `fazhi benchmark compare ...`"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "报告对标：导入法治政府建设年度报告（import），只读提取数据（extract），并列比较（compare）。"
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="{import,extract,compare}")
        sub.required = True
        imp = sub.add_parser("import", help="导入一个或多个报告文件（TXT、HTML、DOCX）；同一文件重复导入不作更改")
        imp.add_argument("files", nargs="+", metavar="FILE")
        imp.add_argument("--unit", help="导入到的单位代码，默认为顶级人民政府")
        imp.add_argument("--population", help="该地常住人口（万人），用于按人口归一化；仅在导入单个文件时使用")
        ext = sub.add_parser("extract", help="读取报告并输出识别结果，不保存任何内容")
        ext.add_argument("file", metavar="FILE")
        ext.add_argument("--json", dest="as_json", action="store_true",
                         help='以 JSON 输出 {"region","level","year","facts":[{"metric","value","unit","approx","quote"}]}')
        ext.add_argument("--full", action="store_true", help="JSON 中包含提纲、位置、章节和比率核对")
        cmp_ = sub.add_parser("compare", help="并列比较导入的报告与本系统数据")
        cmp_.add_argument("--metric", action="append", dest="metrics", help="指标代码，可重复；默认为常用指标")
        cmp_.add_argument("--year", action="append", dest="years", type=int, help="报告年度，可重复")
        cmp_.add_argument("--norm", default="raw", help="归一化：raw（原始）、per_10k（每万人口）、per_case（每百件相关案件）")
        cmp_.add_argument("--xlsx", help="导出 Excel 文件到此路径")
        cmp_.add_argument("--json", dest="as_json", action="store_true")

    def handle(self, *args, action=None, **options):
        return getattr(self, f"do_{action}")(**options)

    # ------------------------------------------------------------------
    def _read(self, name: str) -> bytes:
        path = Path(name)
        if not path.exists():
            raise CommandError(f"找不到文件：{name}")
        if path.is_dir():
            raise CommandError(f"{name} 是目录，请指定报告文件。")
        return path.read_bytes()

    def do_extract(self, file, as_json=False, full=False, **_):
        from fazhi.benchmark import services
        from fazhi.benchmark.text import ReportInputError

        try:
            doc, encoding, kind, result = services.read(self._read(file), Path(file).name)
        except ReportInputError as exc:
            raise CommandError(f"{file}：{exc}") from None
        if as_json:
            data = result.full() if full else result.as_json()
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        from fazhi.benchmark.models import LEVEL_LABELS

        self.stdout.write(f"{result.region or '未识别地区'}（{LEVEL_LABELS.get(result.level, '层级未识别')}），"
                          f"{result.year or '未识别'}年度；发布日期 {result.published_on or '未注明'}；"
                          f"发布机关 {result.issuer or '未注明'}；{kind.upper()}，{encoding}")
        for f in result.facts:
            value = f"{'约' if f.approx else ''}{f.value}{f.unit}"
            self.stdout.write(f"  {f.metric or '（未对应）':<42} {value:<14} {f.quote}")
        for c in result.checks:
            self.stdout.write(("  核对：" if c["ok"] else "  ！核对不符：") + c["message"])
        mapped = sum(1 for f in result.facts if f.metric)
        self.stdout.write(f"共 {len(result.facts)} 项数据，其中 {mapped} 项对应指标。")

    def do_import(self, files, unit=None, population=None, **_):
        from fazhi.benchmark import services
        from fazhi.benchmark.text import ReportInputError
        from fazhi.core import metrics

        try:
            target = metrics.resolve_unit(unit)
        except metrics.MetricError as exc:
            raise CommandError(str(exc)) from None
        pop = None
        if population:
            if len(files) > 1:
                raise CommandError("--population 只能在导入单个文件时使用。")
            try:
                pop = Decimal(population)
            except InvalidOperation:
                raise CommandError("--population 应为数字（万人），例如 223.5。") from None
        failed = 0
        for name in files:
            try:
                result = services.import_file(self._read(name), Path(name).name, unit=target, population=pop)
            except (ReportInputError, CommandError) as exc:
                failed += 1
                self.stderr.write(f"{name}：未导入。{exc}")
                continue
            self.stdout.write(f"{name}：{result.message}")
        if failed:
            raise CommandError(f"{failed} 个文件未导入，其余文件已处理。")

    def do_compare(self, metrics=None, years=None, norm="raw", xlsx=None, as_json=False, **_):
        from fazhi.benchmark import compare
        from fazhi.core import metrics as registry

        try:
            table = compare.build(None, metrics, years, norm)
        except registry.MetricError as exc:
            raise CommandError(str(exc)) from None
        if xlsx:
            Path(xlsx).write_bytes(compare.to_xlsx(table))
            self.stdout.write(f"已导出：{xlsx}")
        if as_json:
            self.stdout.write(json.dumps({
                "metrics": table.codes, "norm": table.norm,
                "rows": [{"label": r.label, "year": r.year, "source": r.source,
                          "values": {c: {"value": cell.value, "unit": cell.unit, "approx": cell.approx,
                                         "normalised": cell.normalised, "quote": cell.quote}
                                     for c, cell in zip(table.codes, r.cells)}} for r in table.rows]},
                ensure_ascii=False, indent=2))
            return
        if not xlsx:
            head = ["政府", "年度"] + table.labels
            self.stdout.write("\t".join(head))
            for r in table.rows:
                cells = [c.display if table.norm == "raw" or c.normalised is None else f"{c.display}（{c.normalised}）"
                         for c in r.cells]
                self.stdout.write("\t".join([r.label, str(r.year or "—")] + cells))
