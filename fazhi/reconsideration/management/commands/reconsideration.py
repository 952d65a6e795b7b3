"""`fazhi reconsideration tick [--on YYYY-MM-DD]`: the module's daily run (idempotent).

Records 视为受理 (《行政复议法》第三十条第二款), flags missing replies (第七十条) and 60 days of
suspension (第四十一条第五项). Run it daily, e.g. from cron shortly after midnight.
"""
import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "行政复议：每日检查（视为受理、逾期未答复提示、中止满六十日提示）。可重复运行，结果不变。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        tick = sub.add_parser("tick", help="按指定日期（默认今天）进行每日检查")
        tick.add_argument("--on", help="检查日期 YYYY-MM-DD，默认今天")
        tick.add_argument("--json", dest="as_json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, action=None, on=None, as_json=False, **options):
        from fazhi.core.deadlines import DeadlineError, parse_date
        from fazhi.reconsideration import services

        try:
            day = parse_date(on) if on else None
        except DeadlineError as exc:
            raise CommandError(str(exc)) from None
        done = services.tick(day)
        if as_json:
            self.stdout.write(json.dumps(done, ensure_ascii=False, indent=2))
            return
        labels = {"deemed_accepted": "视为受理（第三十条第二款）", "reply_missing": "被申请人逾期未答复（第七十条）",
                  "suspension_expired": "中止满六十日（第四十一条第五项）"}
        for key, label in labels.items():
            items = done[key]
            self.stdout.write(f"{label}：{len(items)} 件" + (f"（{'、'.join(items)}）" if items else ""))
