"""`fazhi demo load`: load the 云溪区 demo government (idempotent) and print the demo accounts."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "载入演示数据（虚构的云溪区人民政府），并列出演示账号。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="载入演示数据")
        sub.add_parser("accounts", help="列出演示账号")

    def handle(self, *args, action, **options):
        from fazhi.core.demo import PERSONAS, load_demo

        if settings.FAZHI_ENV == "production":
            raise CommandError("生产环境不能载入演示数据（演示账号共用一个公开密码）。请设置 FAZHI_ENV=demo。")
        if action == "load":
            demo = load_demo()
            self.stdout.write(f"演示数据已就绪：{demo.government.name}，{len(demo.units)} 个单位，{len(demo.users)} 个演示账号。")
        self.stdout.write("")
        self.stdout.write(f"演示账号（共用密码：{settings.FAZHI_DEMO_PASSWORD}，仅限演示环境）：")
        for p in PERSONAS:
            self.stdout.write(f"  {p.username:<18} {p.key}（{p.display_name}，{p.role}）")
