"""Audit trail: append-only, gap-free, hash-chained (SM3, GB/T 32905).

Each record's hash = H(algorithm | prev_hash | canonical JSON of its content). The algorithm is
stored per record, so a chain written with a fallback (SHA-256, where OpenSSL lacks SM3) stays
verifiable. ``verify_chain`` is what ``fazhi audit verify`` runs.

Append-only is enforced twice: the ORM refuses update/delete (``AppendOnlyQuerySet`` in models),
and database triggers refuse UPDATE/DELETE on ``core_auditrecord`` (migration 0003). The chain
detects what a DBA who drops the triggers does anyway: an altered, removed or reordered record,
or a truncated tail (the ``AuditChainHead`` row remembers the last seq and hash; a trigger refuses
to rewind it).

Retention: nothing in the application prunes, archives away or rewrites audit records.
《网络安全法》第二十一条 requires network logs to be kept for at least six months, and
等保2.0 (GB/T 22239-2019 8.1.4.3 安全审计) requires audit records to be protected from deletion
and modification. Do not add a cleanup job here; archival, if ever needed, must copy the chain
out and keep it verifiable, never delete rows.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection as default_connection
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from .models import AuditChainHead, AuditRecord, Unit

GENESIS = "0" * 64
KNOWN_ALGORITHMS = ("sm3", "sha256")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("fazhi_request_id", default="")
client_ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("fazhi_client_ip", default="")

# Names of the database objects created by migration 0003 (checked by ``missing_triggers``).
SQLITE_TRIGGERS = ("core_auditrecord_no_update", "core_auditrecord_no_delete", "core_auditchainhead_no_rewind")
POSTGRES_TRIGGERS = ("core_auditrecord_append_only", "core_auditchainhead_no_rewind")

# Chinese labels of action codes, for the audit log page. Modules add theirs with ``register_action``.
ACTION_LABELS: dict[str, str] = {
    "login": "登录",
    "logout": "退出登录",
    "login_failed": "登录失败",
    "password_change": "修改密码",
    "api_token.create": "创建接口令牌",
    "api_token.revoke": "吊销接口令牌",
    "demo.load": "载入演示数据",
    "view_personal_data": "查看个人信息",
    "attachment.upload": "上传附件",
    "attachment.download": "下载附件",
    "number.issue": "编发文号",
    "audit.verify": "校验审计链",
    "clock.start": "期限起算",
    "clock.pause": "期限中止",
    "clock.resume": "期限恢复",
    "clock.restart": "期限重新起算",
    "clock.extend": "期限延长",
    "clock.stop": "期限结束",
    "clock.recompute": "重算届满日",
}


def register_action(code: str, label: str) -> None:
    ACTION_LABELS[code] = label


def action_label(code: str) -> str:
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    if code.startswith("transition."):
        return f"办理环节：{code.split('.', 1)[1]}"
    return code


def preferred_algorithm() -> str:
    try:
        hashlib.new("sm3")
        return "sm3"
    except ValueError:  # OpenSSL built without SM3
        return "sha256"


def digest(algorithm: str, data: bytes) -> str:
    return hashlib.new(algorithm, data).hexdigest()


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    # UUID, Path, lazy translation strings …: stored as text, so the hash is stable after a round trip.
    return str(value)


def _payload(rec: AuditRecord) -> bytes:
    content = {
        "seq": rec.seq,
        "at": rec.at.astimezone(dt.timezone.utc).isoformat(),
        "actor": rec.actor_id,
        "actor_name": rec.actor_name,
        "unit": rec.unit_id,
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "object_repr": rec.object_repr,
        "changes": rec.changes,
        "request_id": rec.request_id,
        "ip": rec.ip,
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"{rec.algorithm}|{rec.prev_hash}|{text}".encode()


def record_hash(rec: AuditRecord) -> str:
    return digest(rec.algorithm, _payload(rec))


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields that changed."""
    out = {}
    for key in sorted(set(before) | set(after)):
        b, a = _jsonable(before.get(key)), _jsonable(after.get(key))
        if b != a:
            out[key] = [b, a]
    return out


def object_label(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = getattr(obj, "_meta", None)
    otype = meta.label_lower if meta else type(obj).__name__
    return otype, str(getattr(obj, "pk", "") or ""), str(obj)[:255]


def lock_chain() -> AuditChainHead:
    """Lock the chain head for the rest of the caller's transaction.

    Services that take other row locks and also write an audit record (numbering) call this
    first, so every transaction takes the head lock before any other: no lock-order deadlock.
    """
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _actor_fields(actor) -> tuple[object, str]:
    if actor is None:
        return None, "系统"
    if getattr(actor, "pk", None):
        return actor, str(actor)[:150]
    return None, "匿名用户"  # AnonymousUser: a public (portal) request


def record(action: str, *, actor=None, obj=None, unit=None, changes: dict | None = None,
           object_type: str = "", object_id: str = "", object_repr: str = "") -> AuditRecord:
    """Append one record. Call inside the service's transaction so it commits with the change."""
    otype, oid, orepr = object_label(obj)
    if unit is None and obj is not None:
        unit = obj if isinstance(obj, Unit) else getattr(obj, "unit", None)
    if unit is not None and not isinstance(unit, Unit):
        unit = None
    actor_obj, actor_name = _actor_fields(actor)
    with transaction.atomic():
        # The head row lock makes appends linear: seq and prev_hash come from the committed tail.
        head = lock_chain()
        rec = AuditRecord(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=actor_obj,
            actor_name=actor_name,
            unit=unit,
            action=action,
            object_type=(object_type or otype)[:100],
            object_id=(object_id or oid)[:64],
            object_repr=(object_repr or orepr)[:255],
            changes=_jsonable(changes or {}),
            request_id=request_id_var.get()[:64],
            ip=client_ip_var.get()[:64],
            algorithm=preferred_algorithm(),
            prev_hash=head.last_hash or GENESIS,
        )
        rec.hash = record_hash(rec)
        rec.save()
        AuditChainHead.objects.filter(pk=1).update(last_seq=rec.seq, last_hash=rec.hash)
    return rec


def record_many(action: str, entries: list[dict], *, actor=None) -> int:
    """Append one record per entry under a single chain-head lock (bulk operations).

    Each entry has ``object_type``, ``object_id``, ``object_repr``, ``unit_id`` and ``changes``.
    The chain is the same as with ``record``: gap-free seq, each hash over the previous one.
    """
    if not entries:
        return 0
    actor_obj, actor_name = _actor_fields(actor)
    with transaction.atomic():
        head = lock_chain()
        seq, prev = head.last_seq, head.last_hash or GENESIS
        now, algorithm = timezone.now(), preferred_algorithm()
        request_id, ip = request_id_var.get()[:64], client_ip_var.get()[:64]
        rows = []
        for e in entries:
            seq += 1
            rec = AuditRecord(
                seq=seq, at=now, actor=actor_obj, actor_name=actor_name, unit_id=e.get("unit_id"), action=action,
                object_type=str(e.get("object_type", ""))[:100], object_id=str(e.get("object_id", ""))[:64],
                object_repr=str(e.get("object_repr", ""))[:255], changes=_jsonable(e.get("changes") or {}),
                request_id=request_id, ip=ip, algorithm=algorithm, prev_hash=prev,
            )
            rec.hash = prev = record_hash(rec)
            rows.append(rec)
        AuditRecord.objects.bulk_create(rows, batch_size=1000)
        AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    return len(rows)


def log_view(user, obj, *, what: str = "查看个人信息") -> AuditRecord:
    """《个人信息保护法》: who looked at a record holding personal information (applicants, parties)."""
    return record("view_personal_data", actor=user, obj=obj, changes={"查看": what})


# ---------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------
@dataclass
class VerifyResult:
    ok: bool
    checked: int
    message: str
    broken_seq: int | None = None
    head_seq: int = 0
    head_hash: str = ""


def describe(rec: AuditRecord) -> str:
    """“2025-10-09 10:11:12，上传附件” — how a record is named in verification messages."""
    return f"{timezone.localtime(rec.at):%Y-%m-%d %H:%M:%S}，{action_label(rec.action)}"


def _fail(checked: int, seq: int, message: str, head: AuditChainHead | None) -> VerifyResult:
    return VerifyResult(False, checked, message, seq,
                        head.last_seq if head else 0, head.last_hash if head else "")


def _parse_anchor(anchor: str) -> tuple[int, str]:
    try:
        seq_text, expected = anchor.split(":", 1)
        seq = int(seq_text)
    except ValueError:
        raise ValueError(f"锚点格式无效：{anchor!r}，应为“序号:摘要”，例如 120:3f5a…") from None
    if seq < 1 or not expected:
        raise ValueError(f"锚点格式无效：{anchor!r}，应为“序号:摘要”，例如 120:3f5a…")
    return seq, expected.strip().lower()


def verify_chain(anchors: list[str] | tuple[str, ...] = ()) -> VerifyResult:
    """Walk the chain in order; report the first record that was altered, removed or reordered.

    ``anchors`` are "SEQ:HASH" pairs kept outside the database (printed by earlier runs); they
    catch a rewrite of the whole tail together with the head, which the chain alone cannot.
    """
    parsed = [_parse_anchor(a) for a in anchors]
    # Read the head first and check only records up to it: records appended while we walk
    # belong to a later snapshot and must not look like "records beyond the head".
    head = AuditChainHead.objects.filter(pk=1).first()
    limit = head.last_seq if head else None
    qs = AuditRecord.objects.order_by("seq")
    if limit is not None:
        qs = qs.filter(seq__lte=limit)
    prev = GENESIS
    prev_rec: AuditRecord | None = None
    expected_seq = 1
    checked = 0
    anchor_by_seq = dict(parsed)
    for rec in qs.iterator(chunk_size=2000):
        if rec.seq != expected_seq:
            before = f"第 {prev_rec.seq} 号（{describe(prev_rec)}）" if prev_rec else "链首"
            missing = (f"第 {expected_seq} 号审计记录" if rec.seq == expected_seq + 1
                       else f"第 {expected_seq}–{rec.seq - 1} 号审计记录")
            return _fail(checked, expected_seq,
                         f"{missing}缺失（已被删除）：位于{before}与第 {rec.seq} 号（{describe(rec)}）之间。", head)
        if rec.algorithm not in KNOWN_ALGORITHMS:
            return _fail(checked, rec.seq,
                         f"第 {rec.seq} 号审计记录（{describe(rec)}）的摘要算法无效：{rec.algorithm}。", head)
        if rec.prev_hash != prev:
            return _fail(checked, rec.seq,
                         f"第 {rec.seq} 号审计记录（{describe(rec)}）的前序摘要与上一条不符，链条在此断开"
                         "（其前的记录被删除、替换或调换了顺序）。", head)
        try:
            actual = record_hash(rec)
        except ValueError:
            return _fail(checked, rec.seq,
                         f"本机的 OpenSSL 不支持 {rec.algorithm.upper()} 摘要算法，无法校验第 {rec.seq} 号审计记录；"
                         "请在支持国密算法的环境中运行。", head)
        if actual != rec.hash:
            return _fail(checked, rec.seq,
                         f"第 {rec.seq} 号审计记录（{describe(rec)}）的内容已被篡改：摘要不符。", head)
        if rec.seq in anchor_by_seq and anchor_by_seq[rec.seq] != rec.hash:
            return _fail(checked, rec.seq,
                         f"第 {rec.seq} 号审计记录（{describe(rec)}）与外部保存的锚点摘要不符：链条已被整体改写。", head)
        prev, prev_rec = rec.hash, rec
        expected_seq += 1
        checked += 1

    if head is None:
        if checked:
            return _fail(checked, 1, "审计链头缺失：数据库中有审计记录，但链头记录已被删除。", head)
        return VerifyResult(True, 0, "审计链完整：尚无审计记录。")
    if checked < head.last_seq:
        last = f"，现存最后一条为第 {prev_rec.seq} 号（{describe(prev_rec)}）" if prev_rec else ""
        return _fail(checked, checked + 1,
                     f"第 {checked + 1} 号及以后的审计记录缺失（已被删除）：链头记载共 {head.last_seq} 条，"
                     f"数据库中只有 {checked} 条{last}。", head)
    if checked and head.last_hash != prev:
        return _fail(checked, checked,
                     f"第 {checked} 号审计记录（{describe(prev_rec)}）与链头记载的摘要不符。", head)
    for seq, _expected in parsed:
        if seq > checked:
            return _fail(checked, seq, f"外部锚点记载的第 {seq} 号审计记录已不存在：链尾被截断。", head)
    # A row beyond the current head was inserted without going through ``record``: forged.
    # One statement (head and records in the same snapshot), so a concurrent append is not flagged.
    current_head = AuditChainHead.objects.filter(pk=1).values("last_seq")[:1]
    stray = AuditRecord.objects.filter(seq__gt=Subquery(current_head)).order_by("seq").first()
    if stray is not None:
        return _fail(checked, stray.seq,
                     f"第 {stray.seq} 号审计记录（{describe(stray)}）不在链头记载的范围内，疑为绕过系统直接写入。", head)
    return VerifyResult(True, checked, f"审计链完整：共 {checked} 条记录，逐条校验通过。", None,
                        head.last_seq, head.last_hash)


def missing_triggers(connection=None) -> list[str]:
    """Append-only triggers of migration 0003 that are absent or disabled in this database.

    On SQLite a later migration that rebuilds ``core_auditrecord`` drops its triggers; this is
    how ``fazhi audit verify`` notices.
    """
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {row[0] for row in cursor.fetchall()}
            return [name for name in SQLITE_TRIGGERS if name not in present]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN ('core_auditrecord'::regclass, 'core_auditchainhead'::regclass)"
            )
            present = {row[0] for row in cursor.fetchall()}
            return [name for name in POSTGRES_TRIGGERS if name not in present]
    return []
