"""`fazhi token create USERNAME NAME [--days N]`, `fazhi token revoke PREFIX`, `fazhi token list [USERNAME]`."""
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "管理接口令牌：创建（明文只显示一次）、撤销、列出。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户创建接口令牌")
        create.add_argument("username", help="用户名")
        create.add_argument("name", help="令牌用途，例如“报表同步”")
        create.add_argument("--days", help="有效天数（1–3650），不填则长期有效")
        revoke = sub.add_parser("revoke", help="按前缀撤销令牌")
        revoke.add_argument("prefix", help="令牌前 8 位")
        listing = sub.add_parser("list", help="列出令牌（不显示明文）")
        listing.add_argument("username", nargs="?", help="只列出该用户的令牌")

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _create(self, username, name, days=None, **options):
        from fazhi.core.api.base import create_token
        from fazhi.core.models import User

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"未找到用户：{username}")
        if days is not None:
            try:
                days = int(days)
            except ValueError:
                raise CommandError(f"有效天数应为整数：{days}") from None
        try:
            token, key = create_token(user, name, days=days)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        until = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M") if token.expires_at else "长期有效"
        # The clear key goes to stdout alone on the first line, so scripts can capture it.
        self.stdout.write(key)
        self.stderr.write(f"已为 {user.username} 创建接口令牌“{token.name}”（前缀 {token.prefix}，有效期至：{until}）。"
                          "令牌明文只显示这一次，请妥善保存；使用方式：Authorization: Bearer <令牌>。")

    def _revoke(self, prefix, **options):
        from fazhi.core.api.base import revoke_token
        from fazhi.core.models import ApiToken

        matches = list(ApiToken.objects.filter(prefix=prefix.strip()).select_related("user"))
        if not matches:
            raise CommandError(f"未找到前缀为 {prefix} 的令牌。")
        active = [t for t in matches if not t.revoked]
        if not active:
            raise CommandError(f"前缀为 {prefix} 的令牌已被撤销。")
        if len(active) > 1:
            raise CommandError(f"有 {len(active)} 个有效令牌的前缀为 {prefix}，无法确定撤销哪一个。")
        token = revoke_token(active[0])
        self.stdout.write(f"已撤销 {token.user.username} 的接口令牌“{token.name}”（前缀 {token.prefix}）。")

    def _list(self, username=None, **options):
        from fazhi.core.models import ApiToken

        qs = ApiToken.objects.select_related("user").order_by("created_at")
        if username:
            qs = qs.filter(user__username=username)
        now = timezone.now()
        rows = list(qs)
        if not rows:
            self.stdout.write("没有接口令牌。")
        for t in rows:
            state = "已撤销" if t.revoked else ("已过期" if t.expires_at and t.expires_at <= now else "有效")
            until = timezone.localtime(t.expires_at).strftime("%Y-%m-%d") if t.expires_at else "长期"
            used = timezone.localtime(t.last_used_at).strftime("%Y-%m-%d %H:%M") if t.last_used_at else "从未使用"
            self.stdout.write(f"{t.prefix}  {t.user.username:<16} {t.name}  {state}  到期：{until}  最近使用：{used}")
