"""/api/returns: a unit's returns — list, detail, save values, and the moves (same scope and services as the pages)."""
from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from fazhi.core import scoping
from fazhi.core.procedure import allowed_transitions

from . import services
from .models import Return

router = Router(tags=["统计填报"])


class ValueOut(Schema):
    metric_code: str
    label: str
    unit: str
    raw: str


class ReturnOut(Schema):
    id: int
    form: str
    form_code: str
    period: str
    unit: str
    unit_name: str
    state: str
    state_label: str
    version: int
    due_date: dt.date
    values: list[ValueOut]
    actions: list[str]


class ValuesIn(Schema):
    version: int
    values: dict[str, str]


class MoveIn(Schema):
    version: int
    comment: str = ""


def _out(ret: Return, user) -> dict:
    raws = {v.field_id: v.raw for v in ret.values.all()}
    return {
        "id": ret.pk, "form": ret.round.form.name, "form_code": ret.round.form.code, "period": ret.round.period_label,
        "unit": ret.unit.code, "unit_name": ret.unit.name, "state": ret.state, "state_label": ret.state_label,
        "version": ret.version, "due_date": ret.round.due_date,
        "values": [{"metric_code": f.metric_code, "label": f.label, "unit": f.unit_label, "raw": raws.get(f.pk, "")}
                   for f in ret.round.form.fields.all()],
        "actions": [t.name for t in allowed_transitions(ret, user)],
    }


def _get(request, pk: int) -> Return:
    return scoping.get_visible_or_404(Return.objects.select_related("unit", "round", "round__form"), request.user,
                                      pk=pk)


@router.get("/", response=list[ReturnOut], summary="我可见的统计报表")
def list_returns(request):
    qs = (Return.objects.visible_to(request.user).select_related("unit", "round", "round__form")
          .order_by("-round__period_start", "unit__path")[:500])
    return [_out(r, request.user) for r in qs]


@router.get("/{pk}", response=ReturnOut, summary="统计报表详情")
def get_return(request, pk: int):
    return _out(_get(request, pk), request.user)


@router.put("/{pk}/values", response=ReturnOut, summary="保存填报数据（校验不通过则全部不保存）")
def put_values(request, pk: int, payload: ValuesIn):
    ret = services.save_values(request.user, _get(request, pk), version=payload.version, raw=payload.values,
                               source="接口")
    return _out(ret, request.user)


@router.post("/{pk}/{op}", response=ReturnOut, summary="办理：submit / approve / accept / reject / send_back")
def move(request, pk: int, op: str, payload: MoveIn):
    ret = _get(request, pk)
    if op in services.OPERATIONS:
        ret = services.OPERATIONS[op](request.user, ret, version=payload.version)
    elif op in services.COMMENTED:
        ret = services.COMMENTED[op](request.user, ret, version=payload.version, comment=payload.comment)
    else:
        raise services.InvalidInput(f"未知的操作：{op}")
    return _out(ret, request.user)
