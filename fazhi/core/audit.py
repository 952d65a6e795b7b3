"""Audit trail: append-only, gap-free, hash-chained (SM3, GB/T 32905).

Each record's hash = H(algorithm | prev_hash | canonical JSON of its content). The algorithm is
stored per record, so a chain written with a fallback (SHA-256, where OpenSSL lacks SM3) stays
verifiable. ``verify_chain`` is what ``fazhi audit verify`` runs.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditRecord

GENESIS = "0" * 64
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("fazhi_request_id", default="")
client_ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("fazhi_client_ip", default="")


def preferred_algorithm() -> str:
    try:
        hashlib.new("sm3")
        return "sm3"
    except ValueError:  # OpenSSL built without SM3
        return "sha256"


def digest(algorithm: str, data: bytes) -> str:
    return hashlib.new(algorithm, data).hexdigest()


def _jsonable(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


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


def record(action: str, *, actor=None, obj=None, unit=None, changes: dict | None = None,
           object_type: str = "", object_id: str = "", object_repr: str = "") -> AuditRecord:
    """Append one record. Call inside the service's transaction so it commits with the change."""
    otype, oid, orepr = object_label(obj)
    if unit is None and obj is not None:
        unit = getattr(obj, "unit", None)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        rec = AuditRecord(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=actor if (actor is not None and getattr(actor, "pk", None)) else None,
            actor_name=(str(actor) if actor is not None and getattr(actor, "pk", None) else "系统"),
            unit=unit,
            action=action,
            object_type=object_type or otype,
            object_id=object_id or oid,
            object_repr=object_repr or orepr,
            changes=_jsonable(changes or {}),
            request_id=request_id_var.get(),
            ip=client_ip_var.get(),
            algorithm=preferred_algorithm(),
            prev_hash=head.last_hash or GENESIS,
        )
        rec.hash = record_hash(rec)
        rec.save()
        AuditChainHead.objects.filter(pk=1).update(last_seq=rec.seq, last_hash=rec.hash)
    return rec


def log_view(user, obj, *, what: str = "查看个人信息") -> AuditRecord:
    """个人信息保护法: who looked at a record holding personal information."""
    return record("view_personal_data", actor=user, obj=obj, changes={"查看": what})


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    message: str
    broken_seq: int | None = None


def verify_chain() -> VerifyResult:
    """Walk the chain in order; report the first record that was altered, removed or reordered."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for rec in AuditRecord.objects.order_by("seq").iterator(chunk_size=2000):
        if rec.seq != expected_seq:
            return VerifyResult(False, checked, f"第 {expected_seq} 号审计记录缺失（已被删除）。", expected_seq)
        if rec.prev_hash != prev:
            return VerifyResult(False, checked, f"第 {rec.seq} 号审计记录的前序摘要不符，链条在此断开。", rec.seq)
        if rec.algorithm not in ("sm3", "sha256"):
            return VerifyResult(False, checked, f"第 {rec.seq} 号审计记录的摘要算法无效：{rec.algorithm}。", rec.seq)
        if record_hash(rec) != rec.hash:
            return VerifyResult(False, checked, f"第 {rec.seq} 号审计记录的内容已被篡改（摘要不符）。", rec.seq)
        prev = rec.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != checked:
        missing = checked + 1
        return VerifyResult(False, checked, f"第 {missing} 号及以后的审计记录缺失（已被删除）。", missing)
    if head is not None and checked and head.last_hash != prev:
        return VerifyResult(False, checked, f"第 {checked} 号审计记录与链头摘要不符。", checked)
    return VerifyResult(True, checked, f"审计链完整：共 {checked} 条记录，校验通过。")
