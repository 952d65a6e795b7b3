"""/api/litigation: 行政应诉 cases — list, detail and every operation (same scope and services as the pages)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from fazhi.core import audit, clocks, scoping
from fazhi.core.models import Clock, Unit
from fazhi.core.procedure import allowed_transitions

from . import services
from .models import LitigationCase
from .procedure import PROCEDURE

router = Router(tags=["行政应诉"])


class ClockOut(Schema):
    name: str
    label: str
    citation: str
    started_on: dt.date
    status: str
    due_date: dt.date | None
    days_left: int | None
    stopped_on: dt.date | None


class HearingOut(Schema):
    id: int
    date: dt.date
    instance: str
    court_notice_on: dt.date | None
    head_appeared: bool
    head_name: str
    head_position: str
    head_title: str
    staff_name: str
    absence_reason: str
    absence_note: str


class CaseOut(Schema):
    id: int
    case_number: str
    court: str
    unit: str
    unit_name: str
    act_challenged: str
    instance: str
    state: str
    state_label: str
    version: int
    served_on: dt.date | None
    result: str
    final_result: str
    concluded_on: dt.date | None


class CaseDetailOut(CaseOut):
    plaintiffs: list[str]
    reconsideration_number: str
    reconsideration_case_id: int | None = Field(None, description="本平台上的前置行政复议案件编号（仅当您有权查看时）")
    answer_filed_on: dt.date | None
    answer_late: bool
    result_kind: str
    result_served_on: dt.date | None
    appealed: bool
    appellant: str
    appeal_filed_on: dt.date | None
    second_outcome: str
    remanded: bool
    note: str
    clocks: list[ClockOut]
    hearings: list[HearingOut]
    transitions: list[str]


class ListQuery(Schema):
    state: str | None = Field(None, description="状态代码")
    q: str | None = Field(None, description="按案号、法院或被诉行为检索")


class RegisterIn(Schema):
    unit: str = Field(..., description="被告单位代码")
    court: str
    case_number: str
    plaintiffs: str
    act_challenged: str
    served_on: dt.date
    instance: str = "first"
    reconsideration_number: str = ""
    note: str = ""


class EditIn(Schema):
    version: int
    court: str | None = None
    case_number: str | None = None
    plaintiffs: str | None = None
    act_challenged: str | None = None
    reconsideration_number: str | None = None
    note: str | None = None


class AnswerIn(Schema):
    version: int
    filed_on: dt.date


class HearingIn(Schema):
    version: int
    date: dt.date
    court_notice_on: dt.date | None = None
    head_appeared: bool
    head_name: str = ""
    head_position: str = Field("", description="principal 正职 / deputy 副职 / in_charge 分管负责人")
    head_title: str = ""
    staff_name: str = ""
    absence_reason: str = Field("", description="force_majeure / accident / official_duty / other（法释〔2020〕3号第八条）")
    absence_note: str = ""


class ResultIn(Schema):
    version: int
    result: str
    result_kind: str = Field(..., description="judgment 判决 / ruling 裁定 / mediation 调解书")
    served_on: dt.date


class AppealIn(Schema):
    version: int
    appellant: str = Field(..., description="defendant / plaintiff / both")
    filed_on: dt.date


class DateIn(Schema):
    version: int
    on: dt.date


class SecondInstanceIn(Schema):
    version: int
    outcome: str
    final_result: str = ""
    on: dt.date


def _out(case: LitigationCase) -> dict:
    return {"id": case.pk, "case_number": case.case_number, "court": case.court, "unit": case.unit.code,
            "unit_name": case.unit.name, "act_challenged": case.act_challenged, "instance": case.instance,
            "state": case.state, "state_label": case.state_label, "version": case.version,
            "served_on": case.served_on, "result": case.result, "final_result": case.final_result,
            "concluded_on": case.concluded_on}


def _detail(case: LitigationCase, user) -> dict:
    audit.log_view(user, case, what="查看行政应诉案件（含原告信息）")
    rows = []
    for c in clocks.clocks_of(case):
        rows.append({"name": c.name, "label": c.rule.label, "citation": c.rule.citation, "started_on": c.started_on,
                     "status": c.status, "due_date": c.due_date, "stopped_on": c.stopped_on,
                     "days_left": clocks.remaining(c) if c.status != Clock.Status.STOPPED else None})
    return {
        **_out(case),
        "plaintiffs": [p.strip() for p in case.plaintiffs.splitlines() if p.strip()],
        "reconsideration_number": case.reconsideration_number,
        "reconsideration_case_id": getattr(services.visible_reconsideration(case, user), "pk", None),
        "answer_filed_on": case.answer_filed_on,
        "answer_late": case.answer_late, "result_kind": case.result_kind, "result_served_on": case.result_served_on,
        "appealed": case.appealed, "appellant": case.appellant, "appeal_filed_on": case.appeal_filed_on,
        "second_outcome": case.second_outcome, "remanded": case.remanded, "note": case.note,
        "clocks": rows, "hearings": list(case.hearings.order_by("date", "pk")),
        "transitions": [t.name for t in allowed_transitions(case, user)],
    }


def _case(request, pk: int) -> LitigationCase:
    return scoping.get_visible_or_404(LitigationCase.objects.select_related("unit"), request.user, pk=pk)


def _done(request, pk: int) -> dict:
    return _detail(_case(request, pk), request.user)


@router.get("", response=list[CaseOut], summary="行政应诉案件列表",
            description="当前用户权限范围内的案件（不含原告个人信息），按收到起诉状副本日期倒序，最多 500 件。")
def list_cases(request, q: Query[ListQuery]):
    qs = scoping.scoped(LitigationCase, request.user).exclude(state="draft").select_related("unit")
    if q.state and q.state in PROCEDURE.states:
        qs = qs.filter(state=q.state)
    if q.q:
        text = q.q.strip()[:80]
        qs = qs.filter(Q(case_number__icontains=text) | Q(court__icontains=text) | Q(act_challenged__icontains=text))
    return [_out(c) for c in qs.order_by("-served_on", "-pk")[:500]]


@router.post("", response={201: CaseDetailOut}, summary="登记行政应诉案件",
             description="收到起诉状副本后登记，自收到之日起计算 15 日答辩期限（《行政诉讼法》第六十七条）。")
def register_case(request, payload: RegisterIn):
    unit = scoping.get_visible_or_404(Unit, request.user, code=payload.unit)
    case = services.register_case(request.user, unit=unit, **payload.dict(exclude={"unit"}))
    return Status(201, _done(request, case.pk))


@router.get("/{int:pk}", response=CaseDetailOut, summary="行政应诉案件详情",
            description="含原告信息（查看记入审计日志）、期限、开庭记录和当前可办理的操作。")
def get_case(request, pk: int):
    return _detail(_case(request, pk), request.user)


@router.post("/{int:pk}/edit", response=CaseDetailOut, summary="修改案件信息")
def edit_case(request, pk: int, payload: EditIn):
    values = {k: v for k, v in payload.dict(exclude={"version"}).items() if v is not None}
    services.edit_case(_case(request, pk), request.user, version=payload.version, **values)
    return _done(request, pk)


@router.post("/{int:pk}/answer", response=CaseDetailOut, summary="提交答辩状和证据")
def file_answer(request, pk: int, payload: AnswerIn):
    services.file_answer(_case(request, pk), request.user, version=payload.version, filed_on=payload.filed_on)
    return _done(request, pk)


@router.post("/{int:pk}/hearings", response=CaseDetailOut, summary="登记开庭及负责人出庭应诉情况")
def record_hearing(request, pk: int, payload: HearingIn):
    services.record_hearing(_case(request, pk), request.user, **payload.dict())
    return _done(request, pk)


@router.post("/{int:pk}/result", response=CaseDetailOut, summary="登记一审裁判结果",
             description="判决起算 15 日、裁定起算 10 日上诉期（《行政诉讼法》第八十五条）；调解书送达即结案。")
def record_result(request, pk: int, payload: ResultIn):
    services.record_result(_case(request, pk), request.user, **payload.dict())
    return _done(request, pk)


@router.post("/{int:pk}/appeal", response=CaseDetailOut, summary="登记上诉")
def record_appeal(request, pk: int, payload: AppealIn):
    services.record_appeal(_case(request, pk), request.user, **payload.dict())
    return _done(request, pk)


@router.post("/{int:pk}/finalise", response=CaseDetailOut, summary="登记裁判生效（上诉期满未上诉）")
def finalise(request, pk: int, payload: DateIn):
    services.finalise(_case(request, pk), request.user, **payload.dict())
    return _done(request, pk)


@router.post("/{int:pk}/second-instance", response=CaseDetailOut, summary="登记二审裁判（终审）")
def record_second_instance(request, pk: int, payload: SecondInstanceIn):
    services.record_second_instance(_case(request, pk), request.user, **payload.dict())
    return _done(request, pk)


@router.post("/{int:pk}/remand", response=CaseDetailOut, summary="登记发回重审")
def remand(request, pk: int, payload: DateIn):
    services.remand(_case(request, pk), request.user, **payload.dict())
    return _done(request, pk)
