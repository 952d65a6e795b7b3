"""/api/reconsideration: list, detail and the operations of a case (the same forms and services as the pages).

Every lookup goes through ``scoping.get_visible_or_404`` / ``Case.objects.visible_to``: out of scope → 404.
"""
from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from fazhi.core import audit, clocks, scoping
from fazhi.core.procedure import allowed_transitions

from . import forms, services
from .models import Case

router = Router(tags=["行政复议"])


class ClockOut(Schema):
    name: str
    label: str
    citation: str
    status: str
    started_on: dt.date
    due_date: dt.date | None
    days_left: int | None
    day_unit: str


class ApplicantOut(Schema):
    name: str
    kind: str
    id_number: str
    phone: str
    address: str


class CaseOut(Schema):
    id: int
    number: str | None
    display_number: str
    state: str
    state_label: str
    version: int
    channel: str
    received_on: dt.date
    respondent_unit: str
    act_description: str
    procedure_type: str
    accepted_on: dt.date | None
    acceptance_kind: str
    outcome: str
    outcome_label: str
    concluded_on: dt.date | None
    served_on: dt.date | None
    late_flag: bool
    reply_missing_flag: bool
    suspension_flag: bool
    transitions: list[str]


class CaseDetailOut(CaseOut):
    applicants: list[ApplicantOut]
    clocks: list[ClockOut]
    late_reason: str
    acceptance_note: str


class TransitionIn(Schema):
    version: int
    data: dict = {}


class ReplyIn(Schema):
    version: int
    on: dt.date
    summary: str = ""


class ReplyOut(Schema):
    id: int
    received_on: dt.date
    case_version: int


def _out(case: Case, user) -> dict:
    return {
        "id": case.pk, "number": case.number, "display_number": case.display_number, "state": case.state,
        "state_label": case.state_label, "version": case.version, "channel": case.channel,
        "received_on": case.received_on, "respondent_unit": case.respondent_unit.code,
        "act_description": case.act_description, "procedure_type": case.procedure_type,
        "accepted_on": case.accepted_on, "acceptance_kind": case.acceptance_kind, "outcome": case.outcome,
        "outcome_label": case.get_outcome_display() if case.outcome else "", "concluded_on": case.concluded_on,
        "served_on": case.served_on, "late_flag": case.late_flag, "reply_missing_flag": case.reply_missing_flag,
        "suspension_flag": case.suspension_flag,
        "transitions": [t.name for t in allowed_transitions(case, user)],
    }


def _detail(case: Case, user) -> dict:
    audit.log_view(user, case, what="通过接口查看行政复议案件（含申请人信息）")
    rows = []
    for c in clocks.clocks_of(case):
        rows.append({"name": c.name, "label": c.rule.label, "citation": c.rule.citation, "status": c.status,
                     "started_on": c.started_on, "due_date": c.due_date, "day_unit": c.rule.day_unit,
                     "days_left": clocks.remaining(c) if c.status != c.Status.STOPPED else None})
    return {**_out(case, user), "clocks": rows, "late_reason": case.late_reason,
            "acceptance_note": case.acceptance_note,
            "applicants": [{"name": a.name, "kind": a.kind, "id_number": a.id_number, "phone": a.phone,
                            "address": a.address} for a in case.applicants.all()]}


def _get(request, pk: int) -> Case:
    return scoping.get_visible_or_404(Case.objects.select_related("unit", "respondent_unit"), request.user, pk=pk)


@router.get("", response=list[CaseOut], summary="行政复议案件列表")
def list_cases(request, state: str = "", respondent: str = "", year: int | None = None, limit: int = 200,
               offset: int = 0):
    qs = Case.objects.visible_to(request.user).select_related("unit", "respondent_unit").order_by("-received_on", "-pk")
    if state:
        qs = qs.filter(state=state)
    if respondent:
        qs = qs.filter(respondent_unit__code=respondent)
    if year:
        qs = qs.filter(received_on__year=year)
    limit = max(1, min(limit, 1000))
    return [_out(c, request.user) for c in qs[max(offset, 0):max(offset, 0) + limit]]


@router.get("/{int:pk}", response=CaseDetailOut, summary="行政复议案件详情（含申请人信息，查看记入审计日志）")
def get_case(request, pk: int):
    return _detail(_get(request, pk), request.user)


@router.post("/{int:pk}/transition/{name}", response=CaseOut, summary="办理行政复议案件")
def transition(request, pk: int, name: str, payload: TransitionIn):
    case = _get(request, pk)
    if name not in forms.ACTIONS:
        raise services.InvalidInput(f"未知的操作：{name}")
    form = forms.make_form(name, case, {f"{name}-{k}": v for k, v in payload.data.items()})
    if not form.is_valid():
        raise services.InvalidInput(forms.form_errors(form))
    forms.ACTIONS[name][1](case, request.user, payload.version, form.cleaned_data)
    return _out(_get(request, pk), request.user)


@router.post("/{int:pk}/reply", response=ReplyOut, summary="被申请人提交书面答复（第四十八条）")
def reply(request, pk: int, payload: ReplyIn):
    case = _get(request, pk)
    r = services.do_record_reply(case, request.user, version=payload.version, on=payload.on, summary=payload.summary)
    return {"id": r.pk, "received_on": r.received_on, "case_version": Case.objects.get(pk=pk).version}
