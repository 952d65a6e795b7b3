"""Document numbers (发文字号, 文号) from per-unit, per-year, per-type sequences.

GB/T 9704-2012《党政机关公文格式》7.2.4: 发文字号由发文机关代字、年份、发文顺序号组成；年份、发文
顺序号用阿拉伯数字标注；年份应标全称，用六角括号“〔〕”括入；发文顺序号不加“第”字，不编虚位
（即 1 不编为 01），在阿拉伯数字后加“号”字。So: ``云府复〔2025〕12号``.

``next_number`` runs inside the caller's transaction and locks the sequence row until it commits:
if the caller rolls back, the number is not consumed, so issued numbers have no gaps and, under
concurrent use, no duplicates. Every issued number is also kept in ``IssuedNumber``.
"""
from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import audit
from .models import DocumentSequence, IssuedNumber, Unit
from .procedure import ProcedureError


class NumberingError(ProcedureError):
    code = "numbering_error"
    status = 400


_BAD_PREFIX = re.compile(r"[\s〔〕\[\]()（）{}<>]")


def format_number(prefix: str, year: int, number: int) -> str:
    """GB/T 9704 7.2.4: 代字〔年份〕序号号 — full year, hexagonal brackets, no 第, no leading zeros."""
    return f"{prefix}〔{year}〕{number}号"


def _check(unit, doc_type: str, prefix: str, year: int) -> None:
    if not isinstance(unit, Unit) or unit.pk is None:
        raise NumberingError("编发文号必须指定发文单位。")
    if not doc_type or not doc_type.strip():
        raise NumberingError("编发文号必须指定文书类型。")
    if len(doc_type) > DocumentSequence._meta.get_field("doc_type").max_length:
        raise NumberingError("文书类型名称过长（不超过 50 个字）。")
    if not prefix or not prefix.strip():
        raise NumberingError("编发文号必须指定机关代字，例如“云府复”。")
    if len(prefix) > DocumentSequence._meta.get_field("prefix").max_length or _BAD_PREFIX.search(prefix):
        raise NumberingError(f"机关代字“{prefix}”无效：不超过 30 个字，不得含空格或括号（年份的六角括号由系统添加）。")
    if not isinstance(year, int) or not 1949 <= year <= 2999:
        raise NumberingError(f"年份无效：{year}。应为四位数的公元年份。")


def _lock_sequence(unit: Unit, year: int, doc_type: str, prefix: str) -> DocumentSequence:
    """The sequence row, locked for the rest of the transaction; created race-safely if new."""
    for _attempt in range(5):
        seq = (DocumentSequence.objects.select_for_update()
               .filter(unit=unit, year=year, doc_type=doc_type).first())
        if seq is not None:
            return seq
        try:
            # Savepoint: a concurrent creator makes this INSERT fail (after it commits) without
            # spoiling the caller's transaction; the next round then locks the winner's row.
            with transaction.atomic():
                return DocumentSequence.objects.create(
                    unit=unit, year=year, doc_type=doc_type, prefix=prefix, last_number=0)
        except IntegrityError:
            continue
    raise NumberingError("文号序列正被其他操作创建，请稍后重试。")


def next_number(unit: Unit, doc_type: str, prefix: str, *, year: int | None = None, obj=None,
                actor=None) -> str:
    """Issue the next number of ``unit``'s ``doc_type`` sequence for ``year`` (default: this year).

    Call it inside the transaction that saves the document: the number is consumed only if that
    transaction commits. ``obj`` (the numbered document) is recorded in IssuedNumber and the audit trail.
    """
    year = timezone.localdate().year if year is None else year
    doc_type = (doc_type or "").strip()
    prefix = (prefix or "").strip()
    _check(unit, doc_type, prefix, year)
    otype, oid, _ = audit.object_label(obj)
    with transaction.atomic():
        # Head lock first, sequence lock second, in every transaction: audit.record (below, and
        # in the caller before or after us) takes the head lock too, so no lock-order deadlock.
        audit.lock_chain()
        seq = _lock_sequence(unit, year, doc_type, prefix)
        number = seq.last_number + 1
        text = format_number(prefix, year, number)
        if IssuedNumber.objects.filter(text=text).exclude(sequence=seq).exists():
            raise NumberingError(f"文号“{text}”已被其他文书类型或单位使用，请检查机关代字“{prefix}”是否正确。")
        seq.last_number = number
        if seq.prefix != prefix:  # 代字 changed (e.g. after a reorganisation): later numbers use the new one
            seq.prefix = prefix
        seq.save(update_fields=["last_number", "prefix"])
        issued = IssuedNumber.objects.create(sequence=seq, number=number, text=text,
                                             object_type=otype, object_id=oid)
        audit.record("number.issue", actor=actor, unit=unit, obj=issued, object_repr=text,
                     changes={"文号": [None, text], "文书类型": doc_type, "年份": year,
                              **({"文书": f"{otype}:{oid}"} if otype else {})})
    return text
