"""/api/enforcement: case records (keyset pages), opinions, complaints, expiring certificates — same scope and
services as the pages."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema

from fazhi.core import scoping

from . import services
from .models import Case, Complaint, Opinion
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
