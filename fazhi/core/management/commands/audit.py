"""`fazhi audit verify` and `fazhi audit show --object TYPE:ID`.

verify: exit 0 and “审计链完整…” when every record checks out; exit 1 naming the first broken
record (seq, time, action) when a record was altered, removed, reordered or the tail truncated,
or when the append-only triggers are missing. Its last line prints the chain head (seq and hash):
keep it outside the system and pass it back later with ``--anchor`` to detect a full rewrite.
"""
from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fazhi.core import audit
from fazhi.core.models import AuditRecord

from ..chinese_errors import ChineseErrorsMixin


def _shown(value) -> str:
    return "（空）" if value is None or value == "" else str(value)


class Command(ChineseErrorsMixin, BaseCommand):
    help = "审计链校验与查询：verify 校验哈希链是否完整；show 按对象列出审计记录。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", metavar="{verify,show}")
        verify = sub.add_parser("verify", help="校验审计链：发现被修改、删除或调换顺序的记录时以非零状态退出。")
        verify.add_argument("--anchor", action="append", default=[], metavar="SEQ:HASH",
                            help="此前保存在系统外的链头（序号:摘要），可重复；用于发现整条链被改写。")
        show = sub.add_parser("show", help="按对象列出审计记录。")
        show.add_argument("--object", required=True, metavar="TYPE:ID",
                          help="对象类型与编号，例如 core.attachment:12")
        show.add_argument("--json", action="store_true", help="以 JSON 输出。")
        show.add_argument("--limit", type=int, default=200, help="最多列出的条数（默认 200）。")

    def handle(self, *args, **options):
        sub = options.get("subcommand")
        if sub == "verify":
            return self._verify(options)
        if sub == "show":
            return self._show(options)
        raise CommandError("请指定子命令：verify（校验审计链）或 show（查看对象的审计记录）。")

    def _verify(self, options) -> None:
        try:
            result = audit.verify_chain(options["anchor"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        missing = audit.missing_triggers()
        if not result.ok:
            self.stderr.write(f"审计链已被破坏：{result.message}")
            self.stderr.write(f"已校验通过 {result.checked} 条；请立即保全数据库并报告安全管理员。")
            sys.exit(1)
        if missing:
            self.stderr.write(f"{result.message}但防篡改触发器缺失或被停用：{'、'.join(missing)}。"
                              "请重新执行数据库迁移（fazhi migrate core 0002 && fazhi migrate）。")
            sys.exit(1)
        self.stdout.write(result.message)
        if result.head_seq:
            self.stdout.write(f"链头：{result.head_seq}:{result.head_hash}")

    def _show(self, options) -> None:
        spec = options["object"]
        if ":" not in spec or not spec.split(":", 1)[0] or not spec.split(":", 1)[1]:
            raise CommandError(f"对象格式无效：{spec!r}，应为“类型:编号”，例如 core.attachment:12")
        otype, oid = spec.split(":", 1)
        if options["limit"] < 1:
            raise CommandError("--limit 必须是正整数。")
        records = list(AuditRecord.objects.filter(object_type=otype.lower(), object_id=oid)
                       .order_by("seq")[: options["limit"]])
        if options["json"]:
            rows = [{
                "seq": r.seq, "at": timezone.localtime(r.at).isoformat(), "actor": r.actor_name,
                "unit": r.unit_id, "action": r.action, "action_label": audit.action_label(r.action),
                "changes": r.changes, "request_id": r.request_id,
            } for r in records]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not records:
            self.stdout.write(f"对象 {otype}:{oid} 没有审计记录。")
            return
        for r in records:
            changes = "；".join(
                f"{k}：{_shown(v[0])} → {_shown(v[1])}" if isinstance(v, list) and len(v) == 2 else f"{k}：{_shown(v)}"
                for k, v in (r.changes or {}).items()
            )
            self.stdout.write(
                f"#{r.seq}  {timezone.localtime(r.at):%Y-%m-%d %H:%M:%S}  {r.actor_name}  "
                f"{audit.action_label(r.action)}  {changes}".rstrip()
            )
