"""/api/enforcement: case records (keyset pages), opinions, complaints, expiring certificates, lenient-treatment
lists and discretion benchmarks (read-only) — same scope and services as the pages."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from django.db.models import Count, Q
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema

from fazhi.core import clocks, scoping
from fazhi.core.api.base import ApiError
from fazhi.core.models import Unit

from . import services, standards
from .models import Case, Complaint, Opinion, StandardItem, StandardList
from .views import _cursor, case_page

router = Router(tags=["行政执法监督"])


class CaseOut(Schema):
    id: int
    source_system: str
    case_number: str
    unit: str
    kind: str
    party_type: str
    party_name: str
    filed_on: dt.date | None
    decided_on: dt.date | None
    published_on: dt.date | None
    fine_amount: Decimal
    major: bool
    problems: list[str]


class CasePage(Schema):
    items: list[CaseOut]
    next: str


def _case(c: Case) -> dict:
    return {"id": c.pk, "source_system": c.source_system, "case_number": c.case_number, "unit": c.unit.code,
            "kind": c.kind, "party_type": c.party_type, "party_name": c.party_name, "filed_on": c.filed_on,
            "decided_on": c.decided_on, "published_on": c.published_on, "fine_amount": c.fine_amount,
            "major": c.major, "problems": c.problem_names}


@router.get("/cases", response=CasePage, summary="执法案件（按统计日期倒序，游标分页）")
def list_cases(request, unit: int | None = None, kind: str = "", problem: int = 0, after: str = ""):
    if unit is not None:
        scoping.get_visible_or_404(scoping.Unit, request.user, pk=unit)
    rows, nxt = case_page(request.user, unit_id=unit, kind=kind, problem=problem, after=_cursor(after))
    return {"items": [_case(c) for c in rows], "next": nxt}


@router.get("/cases/{case_id}", response=CaseOut, summary="执法案件详情")
def get_case(request, case_id: int):
    return _case(scoping.get_visible_or_404(Case.objects.select_related("unit"), request.user, pk=case_id))


class OpinionOut(Schema):
    id: int
    number: str
    unit: str
    subject: str
    state: str
    state_label: str
    version: int
    issued_on: dt.date
    replied_on: dt.date | None


def _opinion(o: Opinion) -> dict:
    return {"id": o.pk, "number": o.number, "unit": o.unit.code, "subject": o.subject, "state": o.state,
            "state_label": o.state_label, "version": o.version, "issued_on": o.issued_on, "replied_on": o.replied_on}


@router.get("/opinions", response=list[OpinionOut], summary="监督意见书")
def list_opinions(request):
    qs = Opinion.objects.visible_to(request.user).exclude(state="draft").select_related("unit").order_by("-pk")[:500]
    return [_opinion(o) for o in qs]


@router.get("/opinions/{opinion_id}", response=OpinionOut, summary="监督意见书详情")
def get_opinion(request, opinion_id: int):
    return _opinion(scoping.get_visible_or_404(Opinion.objects.select_related("unit"), request.user, pk=opinion_id))


class ReplyIn(Schema):
    version: int
    reply: str
    on: dt.date


@router.post("/opinions/{opinion_id}/reply", response=OpinionOut, summary="回复监督意见书")
def reply_opinion(request, opinion_id: int, data: ReplyIn):
    op = scoping.get_visible_or_404(Opinion, request.user, pk=opinion_id)
    op = services.reply_opinion(request.user, op, version=data.version, reply=data.reply, on=data.on)
    return _opinion(Opinion.objects.select_related("unit").get(pk=op.pk))


class ComplaintOut(Schema):
    id: int
    unit: str
    complainant: str
    subject: str
    state: str
    state_label: str
    version: int
    received_on: dt.date
    replied_on: dt.date | None
    reply: str


def _complaint(c: Complaint) -> dict:
    return {"id": c.pk, "unit": c.unit.code, "complainant": c.complainant, "subject": c.subject, "state": c.state,
            "state_label": c.state_label, "version": c.version, "received_on": c.received_on,
            "replied_on": c.replied_on, "reply": c.reply}


@router.get("/complaints", response=list[ComplaintOut], summary="执法投诉")
def list_complaints(request):
    qs = Complaint.objects.visible_to(request.user).select_related("unit").order_by("-received_on", "-pk")[:500]
    return [_complaint(c) for c in qs]


@router.get("/complaints/{complaint_id}", response=ComplaintOut, summary="执法投诉详情")
def get_complaint(request, complaint_id: int):
    return _complaint(scoping.get_visible_or_404(Complaint.objects.select_related("unit"), request.user,
                                                 pk=complaint_id))


@router.post("/complaints/{complaint_id}/reply", response=ComplaintOut, summary="答复执法投诉")
def reply_complaint(request, complaint_id: int, data: ReplyIn):
    c = scoping.get_visible_or_404(Complaint, request.user, pk=complaint_id)
    c = services.reply_complaint(request.user, c, version=data.version, reply=data.reply, on=data.on)
    return _complaint(Complaint.objects.select_related("unit").get(pk=c.pk))


class CertificateOut(Schema):
    id: int
    number: str
    kind: str
    officer: str
    unit: str
    valid_to: dt.date
    expired: bool


@router.get("/certificates/expiring", response=list[CertificateOut],
            summary="证件到期提醒（60日内到期或已过期仍登记为有效）")
def expiring_certificates(request, on: dt.date | None = None):
    from fazhi.core import clocks

    on = on or clocks.today()
    return [{"id": c.pk, "number": c.number, "kind": c.kind, "officer": c.officer.name, "unit": c.officer.unit.code,
             "valid_to": c.valid_to, "expired": c.valid_to < on}
            for c in services.expiring_certificates(request.user, on)[:1000]]


# ---------------------------------------------------------------------------
# 从轻/减轻/不予处罚清单 and 裁量基准 (read-only; scope and counts as the pages, standards.py)
# ---------------------------------------------------------------------------
STANDARD_PAGE_SIZE = 100
STANDARD_ITEM_PAGE_SIZE = 500
_KIND_HELP = "清单类型：" + "；".join(f"{value} {label}" for value, label in StandardList.Kind.choices)
_SCOPE_HELP = "可查看本人权限范围内单位及其上级单位制定的清单（上级的清单适用于下级）；其他清单答复 404。"
_CASES_HELP = ("本人权限范围内适用该事项的案件数：裁量基准计案件的“适用裁量基准事项”，其余清单计"
               "“适用从轻/减轻/不予处罚清单事项”，与清单详情页一致。")


class StandardListOut(Schema):
    id: int = Field(..., description="清单编号")
    unit: str = Field(..., description="制定单位代码")
    unit_name: str = Field(..., description="制定单位名称")
    kind: str = Field(..., description=_KIND_HELP)
    kind_label: str = Field(..., description="清单类型名称")
    title: str = Field(..., description="清单名称")
    version: int = Field(..., description="版本号（第几版）")
    effective_from: dt.date = Field(..., description="施行日期")
    effective_to: dt.date | None = Field(None, description="失效日期（被新版本替代或废止；施行中为空）")
    in_force: bool = Field(..., description="今日是否施行中")
    status: str = Field(..., description="尚未施行 / 施行中 / 已失效")
    item_count: int = Field(..., description="事项数")


class StandardListPage(Schema):
    items: list[StandardListOut]
    next: str = Field(..., description="下一页游标，作为 after 参数传回；为空表示没有下一页")


class StandardItemOut(Schema):
    code: str = Field(..., description="事项编码（在所有清单中唯一，案件按此编码适用事项）")
    title: str = Field(..., description="违法行为")
    basis: str = Field(..., description="依据")
    measure: str = Field(..., description="处理方式或裁量幅度")
    cases_applied: int = Field(..., description=_CASES_HELP)


class StandardListDetailOut(StandardListOut):
    items: list[StandardItemOut] = Field(..., description=f"事项（按录入顺序，每页至多 {STANDARD_ITEM_PAGE_SIZE} 个）")
    next: str = Field(..., description="事项下一页游标，作为 after 参数传回；为空表示没有下一页")


class StandardItemDetailOut(StandardItemOut):
    standard: StandardListOut = Field(..., description="事项所属清单")


StandardKind = Literal[tuple(StandardList.Kind.values)]  # an inline enum in the schema


class StandardListQuery(Schema):
    kind: StandardKind | None = Field(None, description=_KIND_HELP)  # type: ignore[valid-type]
    unit: str | None = Field(None, description="制定单位代码")
    after: str = Field("", description="游标：上一页答复中的 next")


def _standard_list(lst: StandardList, today: dt.date) -> dict:
    status = standards.status_label(lst, today)
    return {"id": lst.pk, "unit": lst.unit.code, "unit_name": lst.unit.name, "kind": lst.kind,
            "kind_label": lst.get_kind_display(), "title": lst.title, "version": lst.version,
            "effective_from": lst.effective_from, "effective_to": lst.effective_to,
            "in_force": status == "施行中", "status": status, "item_count": lst.n_items}


def _standard_item(item: StandardItem, counts: dict[str, int]) -> dict:
    return {"code": item.code, "title": item.title, "basis": item.basis, "measure": item.measure,
            "cases_applied": counts.get(item.code, 0)}


_PATH_RE = re.compile(r"^(/\d+)+/$")


def _standard_cursor(value: str) -> tuple[str, str, int]:
    """``<unit path>_<kind>_<version>`` of the last list of the previous page (the list pages' order)."""
    try:
        path, rest = value.split("_", 1)
        kind, version = rest.rsplit("_", 1)
        if _PATH_RE.match(path) and kind in StandardList.Kind.values:
            return path, kind, int(version)
    except ValueError:
        pass
    raise ApiError(422, "invalid_cursor", "游标 after 无效：请使用上一页答复中的 next 值。")


def _standards_visible(user):
    return standards.visible_lists(user).select_related("unit").annotate(n_items=Count("items"))


@router.get("/standards", response=StandardListPage, summary="从轻/减轻/不予处罚清单与裁量基准",
            description=_SCOPE_HELP + f"按制定单位、类型、版本（新版本在前）排列，游标分页，每页至多 {STANDARD_PAGE_SIZE} 条。"
            "unit 为本人不能查看其清单的单位时答复 404。")
def list_standards(request, filters: Query[StandardListQuery]):
    qs = _standards_visible(request.user)
    if filters.unit:
        unit = Unit.objects.filter(code=filters.unit.strip()).first()
        if unit is None or not standards.can_view(request.user, unit):
            raise Http404("未找到该单位，或您无权查看。")
        qs = qs.filter(unit=unit)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.after:
        path, kind, version = _standard_cursor(filters.after)
        qs = qs.filter(Q(unit__path__gt=path) | Q(unit__path=path, kind__gt=kind)
                       | Q(unit__path=path, kind=kind, version__lt=version))
    rows = list(qs.order_by("unit__path", "kind", "-version")[:STANDARD_PAGE_SIZE + 1])
    more = len(rows) > STANDARD_PAGE_SIZE
    rows = rows[:STANDARD_PAGE_SIZE]
    today = clocks.today()
    last = rows[-1] if more else None
    return {"items": [_standard_list(lst, today) for lst in rows],
            "next": f"{last.unit.path}_{last.kind}_{last.version}" if last else ""}


@router.get("/standards/items/{code}", response=StandardItemDetailOut, summary="清单事项详情（按事项编码）",
            description="按事项编码查询事项及其所属清单。" + _SCOPE_HELP)
def get_standard_item(request, code: str = Path(..., description="事项编码")):
    item = StandardItem.objects.filter(code=code, standard__in=standards.visible_lists(request.user)).first()
    if item is None:
        raise Http404("未找到该事项，或您无权查看。")
    lst = _standards_visible(request.user).get(pk=item.standard_id)
    counts = standards.usage_counts(lst, Case.objects.visible_to(request.user), codes=[item.code])
    return {**_standard_item(item, counts), "standard": _standard_list(lst, clocks.today())}


@router.get("/standards/{list_id}", response=StandardListDetailOut, summary="清单或裁量基准详情（含事项）",
            description=_SCOPE_HELP + "事项按录入顺序游标分页，每页至多 "
            f"{STANDARD_ITEM_PAGE_SIZE} 个；cases_applied 为本人权限范围内适用该事项的案件数（一次分组计数）。")
def get_standard(request, list_id: int = Path(..., description="清单编号"),
                 after: int = Query(0, description="事项游标：上一页答复中的 next")):
    try:
        lst = _standards_visible(request.user).get(pk=list_id)
    except StandardList.DoesNotExist:
        raise Http404("未找到该清单，或您无权查看。") from None
    items = list(lst.items.filter(pk__gt=after).order_by("pk")[:STANDARD_ITEM_PAGE_SIZE + 1])
    more = len(items) > STANDARD_ITEM_PAGE_SIZE
    items = items[:STANDARD_ITEM_PAGE_SIZE]
    # The page's items as a subquery (pk range), not hundreds of bound parameters.
    page_codes = lst.items.filter(pk__gt=after, pk__lte=items[-1].pk).values("code") if items else None
    counts = standards.usage_counts(lst, Case.objects.visible_to(request.user), codes=page_codes) if items else {}
    return {**_standard_list(lst, clocks.today()), "items": [_standard_item(i, counts) for i in items],
            "next": str(items[-1].pk) if more else ""}
