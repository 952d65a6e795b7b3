"""`fazhi metrics [--unit CODE] --year YYYY [--json]`: every registered metric for a unit subtree and a year."""
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "列出全部已登记指标在某单位（含下级单位）某年度的取值；没有数据来源的指标取值为空（JSON 中为 null）。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="单位代码，默认为顶级人民政府")
        parser.add_argument("--year", help="统计年度（四位数字），默认为当年")
        parser.add_argument("--json", dest="as_json", action="store_true", help="以 JSON 输出：{代码: {label, unit, value}}")

    def handle(self, *args, unit=None, year=None, as_json=False, **options):
        from fazhi.core import metrics

        try:
            period = metrics.Period.for_year(year if year is not None else timezone.localdate().year)
            target = metrics.resolve_unit(unit)
        except metrics.MetricError as exc:
            raise CommandError(str(exc)) from None
        data = metrics.values(target, period)
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{target.name}（{target.code}，含下级单位） {period.label} 指标")
        width = max((len(code) for code in data), default=10)
        registered = metrics.all_metrics()
        for code, row in data.items():
            if row["value"] is not None:
                shown = f"{row['value']} {row['unit']}"
            else:
                shown = "—（无可计算的数据）" if registered[code].has_source else "—（无数据来源）"
            self.stdout.write(f"  {code:<{width}}  {row['label']}：{shown}")
        sourced = sum(1 for m in registered.values() if m.has_source)
        self.stdout.write(f"共 {len(data)} 项指标，其中 {sourced} 项有数据来源。")
