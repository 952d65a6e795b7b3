"""fazhi enforcement import FILE [--all-or-nothing] [--rejections OUT.xlsx] | check [--as-of DATE] | verify"""
from __future__ import annotations

import datetime as dt
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from fazhi.core.models import Unit


class Command(BaseCommand):
    help = "行政执法监督：导入执法案件（CSV/Excel/JSON Lines）、重新校验、核对汇总表。"
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入执法案件文件")
        imp.add_argument("file")
        imp.add_argument("--all-or-nothing", action="store_true", help="有任何一行被拒绝则不导入任何数据")
        imp.add_argument("--rejections", default="", help="将被拒绝的行写入此 Excel 文件")
        imp.add_argument("--unit", default="", help="批次所属单位代码（默认顶级人民政府）")
        imp.add_argument("--as-of", default="", help="校验日期 YYYY-MM-DD（默认今天）")
        imp.add_argument("--quiet", action="store_true", help="不显示进度条")
        chk = sub.add_parser("check", help="按当前日历和日期重新校验全部案件并重建汇总表")
        chk.add_argument("--as-of", default="")
        sub.add_parser("verify", help="核对汇总表与原始记录重新计算的结果是否一致")

    def handle(self, *args, **opts):
        action = opts["action"]
        as_of = None
        if opts.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError:
                raise CommandError(f"日期无效：{opts['as_of']}（应为 YYYY-MM-DD）") from None
        if action == "import":
            return self._import(opts, as_of)
        if action == "check":
            from fazhi.enforcement.checks import recheck

            n = recheck(as_of)
            self.stdout.write(f"已重新校验 {n} 件案件，汇总表已重建。")
            return
        from fazhi.enforcement.checks import verify_stats

        diffs = verify_stats()
        if diffs:
            for d in diffs:
                self.stderr.write(d)
            raise CommandError("汇总表与原始记录不一致。请运行 fazhi enforcement check 重建。")
        self.stdout.write("汇总表与原始记录重新计算的结果一致。")

    def _import(self, opts, as_of):
        from fazhi.enforcement import importer
        from fazhi.enforcement.models import ImportBatch

        path = opts["file"]
        try:
            open(path, "rb").close()
        except OSError as exc:
            raise CommandError(f"无法打开文件：{path}（{exc.strerror}）") from None
        unit = Unit.objects.filter(code=opts["unit"]).first() if opts["unit"] else \
            Unit.objects.filter(parent__isnull=True).order_by("sort_order", "code").first()
        if unit is None:
            raise CommandError("未找到批次所属单位：请先载入单位数据，或用 --unit 指定单位代码。")
        batch = ImportBatch.objects.create(unit=unit, file_name=path.rsplit("/", 1)[-1],
                                           all_or_nothing=opts["all_or_nothing"])
        quiet = opts["quiet"] or not sys.stderr.isatty()
        started = time.monotonic()
        last = [""]

        def progress(stage, pct):
            line = f"\r{stage:<8} [{'#' * (pct // 4):<25}] {pct:3d}%  {time.monotonic() - started:6.1f}s"
            if line != last[0] and not quiet:
                sys.stderr.write(line)
                sys.stderr.flush()
                last[0] = line
            elif quiet and stage != last[0]:
                sys.stderr.write(f"{stage} {pct}%\n")
                last[0] = stage

        try:
            result = importer.run_batch(batch, path, allowed_units=None, progress=progress, as_of=as_of)
        except importer.ImportFailed as exc:
            raise CommandError(str(exc)) from None
        if not quiet:
            sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"共 {result.total} 行（编码 {result.encoding}）：新增 {result.inserted}，更新 {result.updated}，"
            f"未变化 {result.unchanged}，拒绝 {result.rejected}。用时 {elapsed:.1f} 秒。")
        if result.message:
            self.stdout.write(result.message)
        for row, col, reason in result.rejections[:20]:
            self.stdout.write(f"  第 {row} 行 [{col}] {reason}")
        if len(result.rejections) > 20:
            self.stdout.write(f"  ……另有 {len(result.rejections) - 20} 条，见 --rejections 导出的 Excel 或上传页面。")
        if opts["rejections"] and result.rejections:
            batch.refresh_from_db()
            with open(opts["rejections"], "wb") as fh:
                fh.write(importer.rejections_xlsx(batch))
            self.stdout.write(f"被拒绝的行已写入 {opts['rejections']}")
        if not result.applied:
            raise CommandError("未导入任何数据。")
