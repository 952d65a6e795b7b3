"""统计填报 services: the only place forms, rounds, returns and their values change.

Every function checks scope and role, validates (Chinese messages), writes in one transaction and
audits; moves of a return go through ``fazhi.core.procedure.perform``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from fazhi.core import audit, clocks, metrics, scoping
from fazhi.core.models import MetricDefinition, Role, Unit
from fazhi.core.procedure import InvalidInput, RoleDenied, StaleVersion, perform

from .models import (FieldType, OverTime, Periodicity, Return, ReturnField, ReturnForm, ReturnRound, ReturnValue,
                     quarter_bounds)
from .validation import FieldError, validate_values

SOURCE = "returns"
FILL_STATES = ("filling", "returned")


class InvalidValues(InvalidInput):
    """The values of a return failed validation; ``errors`` lists every problem (by field or cell)."""

    code = "invalid_values"
    status = 422

    def __init__(self, errors: list[FieldError], prefix: str = "填报数据未通过校验"):
        self.errors = errors
        super().__init__(prefix + "：" + "；".join(e.message for e in errors))


def _require_coordinator(user, unit: Unit) -> None:
    if not scoping.can_view_unit(user, unit):
        raise Http404("未找到该单位，或您无权查看。")
    if Role.COORDINATOR not in scoping.roles_at(user, unit):
        raise RoleDenied("只有法治协调员可以定义和下发统计报表。")


# ---------------------------------------------------------------------------
# Forms and fields
# ---------------------------------------------------------------------------
def create_form(user, *, unit: Unit, name: str, code: str, periodicity: str = Periodicity.YEAR,
                description: str = "") -> ReturnForm:
    _require_coordinator(user, unit)
    name, code = (name or "").strip(), (code or "").strip()
    if not name:
        raise InvalidInput("请填写报表名称。")
    if not code:
        raise InvalidInput("请填写表号。")
    if periodicity not in Periodicity.values:
        raise InvalidInput(f"报送周期无效：{periodicity}。")
    if ReturnForm.objects.filter(code=code).exists():
        raise InvalidInput(f"表号 {code} 已被使用。")
    with transaction.atomic():
        form = ReturnForm.objects.create(unit=unit, name=name[:100], code=code[:30], periodicity=periodicity,
                                         description=description or "")
        audit.record("returns.form.create", actor=user, obj=form,
                     changes={"name": [None, form.name], "code": [None, form.code], "periodicity": [None, periodicity]})
    return form


def _field_by_code(form: ReturnForm, code: str, what: str) -> ReturnField | None:
    code = (code or "").strip()
    if not code:
        return None
    f = form.fields.filter(metric_code=code).first()
    if f is None:
        raise InvalidInput(f"{what}“{code}”不是本报表的字段，请先添加该字段。")
    return f


def add_field(user, form: ReturnForm, *, metric_code: str, label: str, unit_label: str = "",
              field_type: str = FieldType.INTEGER, over_time: str = OverTime.SUM, required: bool = True,
              numerator: str = "", denominator: str = "", not_above: str = "", sum_of: str = "",
              help_text: str = "", formula: str = "") -> ReturnField:
    """Add a field bound to ``metric_code``; the metric is registered (MetricDefinition, source returns)."""
    _require_coordinator(user, form.unit)
    metric_code, label = (metric_code or "").strip(), (label or "").strip()
    if not metrics.CODE_RE.match(metric_code):
        raise InvalidInput(f"指标代码格式无效：“{metric_code}”（应为“领域.名称”，小写字母、数字和下划线，如 mediation.cases）。")
    if not label:
        raise InvalidInput("请填写指标名称。")
    if field_type not in FieldType.values:
        raise InvalidInput(f"字段类型无效：{field_type}。")
    if over_time not in OverTime.values:
        raise InvalidInput(f"跨期汇总方式无效：{over_time}。")
    existing = metrics.all_metrics().get(metric_code)
    if existing is not None and existing.has_source and existing.source != SOURCE:
        raise InvalidInput(f"指标 {metric_code}（{existing.label}）已由“{existing.source}”模块根据业务数据计算，"
                           "不能再由统计填报提供，以免同一指标有两个来源。")
    if ReturnField.objects.filter(metric_code=metric_code).exists():
        raise InvalidInput(f"指标 {metric_code} 已绑定到其他报表字段，一个指标只能有一个填报来源。")
    num_f = _field_by_code(form, numerator, "分子字段")
    den_f = _field_by_code(form, denominator, "分母字段")
    above_f = _field_by_code(form, not_above, "“不得大于”字段")
    if field_type == FieldType.PERCENTAGE and bool(num_f) != bool(den_f):
        raise InvalidInput("比率字段须同时指定分子字段和分母字段（或都不指定）。")
    if (num_f or den_f) and field_type != FieldType.PERCENTAGE:
        raise InvalidInput("只有百分比字段可以指定分子、分母字段。")
    for f in (num_f, den_f):
        if f is not None and not f.is_numeric:
            raise InvalidInput(f"分子、分母字段须为数值字段：“{f.label}”是文字字段。")
    for code in [c.strip() for c in (sum_of or "").replace("，", ",").split(",") if c.strip()]:
        _field_by_code(form, code, "分项字段")
    unit_label = (unit_label or ("%" if field_type == FieldType.PERCENTAGE else "")).strip()
    with transaction.atomic():
        order = (form.fields.count() + 1) * 10
        field = ReturnField.objects.create(
            form=form, order=order, metric_code=metric_code, label=label[:100], unit_label=unit_label[:10],
            field_type=field_type, over_time=over_time, required=required, numerator=num_f, denominator=den_f,
            not_above=above_f, sum_of=sum_of or "", help_text=(help_text or "")[:300])
        if not formula:
            formula = _default_formula(field, form)
        MetricDefinition.objects.update_or_create(
            code=metric_code, defaults=dict(label=label[:100], unit=unit_label[:10], formula=formula, source=SOURCE))
        audit.record("returns.field.add", actor=user, obj=form,
                     changes={"metric_code": [None, metric_code], "label": [None, label], "type": [None, field_type]})
    return field


def _default_formula(field: ReturnField, form: ReturnForm) -> str:
    where = f"由各单位通过统计报表“{form.name}（{form.code}）”填报，经协调员验收后计入"
    if field.field_type == FieldType.PERCENTAGE and field.numerator_id:
        return (f"{field.numerator.label} ÷ {field.denominator.label} × 100%（{field.numerator.metric_code} ÷ "
                f"{field.denominator.metric_code}），按本单位及下级单位已验收报表的合计数计算，不对各单位的比率取平均；{where}。")
    if field.field_type == FieldType.PERCENTAGE:
        return f"{where}；只有一个单位填报时取其填报值，多个单位不能汇总（未指定分子、分母）。"
    how = "各统计期相加" if field.over_time == OverTime.SUM else "取统计期内最后一期的数值"
    return f"{where}；本单位及下级单位的数值相加，跨期{how}。"


# ---------------------------------------------------------------------------
# Rounds: sending a form to units
# ---------------------------------------------------------------------------
def issue_round(user, form: ReturnForm, *, year: int, part: int = 1, due_date: dt.date, units: list[Unit],
                on: dt.date | None = None) -> ReturnRound:
    """Send ``form`` for period ``part`` of ``year`` to ``units``, each with a clock ending on ``due_date``."""
    _require_coordinator(user, form.unit)
    on = on or clocks.today()
    try:
        start, end, label = quarter_bounds(int(year), int(part), form.periodicity)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"统计期无效：{exc}") from None
    if not form.fields.exists():
        raise InvalidInput("报表还没有字段，不能下发。")
    if not isinstance(due_date, dt.date) or due_date <= on:
        raise InvalidInput(f"报送截止日（{due_date}）须晚于下发日期（{on}）。")
    units = list(dict.fromkeys(units))
    if not units:
        raise InvalidInput("请选择至少一个填报单位。")
    for u in units:
        if not scoping.can_change_unit(user, u):
            raise Http404("未找到该单位，或您无权查看。")
    with transaction.atomic():
        try:
            with transaction.atomic():
                rnd = ReturnRound.objects.create(form=form, unit=form.unit, period_start=start, period_end=end,
                                                 period_label=label, due_date=due_date, issued_on=on, issued_by=user)
        except IntegrityError:
            raise InvalidInput(f"“{form.name}”{label}的填报任务已经下发过。") from None
        audit.record("returns.round.issue", actor=user, obj=rnd,
                     changes={"form": form.code, "period": label, "due_date": due_date,
                              "units": [u.code for u in units]})
        for u in units:
            ret = Return.objects.create(round=rnd, unit=u, state=Return.procedure.initial)
            ret = perform(ret, "issue", user, version=ret.version, on=on, reason=f"下发{rnd}")
            clocks.extend_to(ret, "submission", due_date, actor=user,
                             reason=f"填报通知规定的报送截止日为 {due_date:%Y年%-m月%-d日}", approver=str(user))
    return rnd


# ---------------------------------------------------------------------------
# Values and the moves of a return
# ---------------------------------------------------------------------------
def _can_fill(user, ret: Return) -> None:
    if not scoping.can_view_unit(user, ret.unit):
        raise Http404("未找到该记录，或您无权查看。")
    roles = scoping.roles_at(user, ret.unit) - scoping.READ_ONLY_ROLES
    if not roles & {Role.OPERATOR, Role.LEADER}:
        raise RoleDenied("只有填报单位的经办人或负责人可以填写报表。")
    if ret.state not in FILL_STATES:
        raise InvalidInput(f"报表当前状态为“{ret.state_label}”，不能修改数据。")


def save_values(user, ret: Return, *, version, raw: dict[str, str], note: str | None = None,
                source: str = "网页填报", cell_of: dict[str, str] | None = None) -> Return:
    """Save the values as entered. Wrong values and failed checks refuse the whole save (nothing is
    written); empty required fields may be saved as a draft but block ``submit``.

    ``cell_of`` maps metric codes to Excel cells, so errors of an upload name their cell.
    """
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise InvalidInput("缺少或无法识别版本号，请刷新页面后重试。") from None
    with transaction.atomic():
        current = Return.objects.select_for_update().filter(pk=ret.pk).first()
        if current is None:
            raise Http404("未找到该记录，或您无权查看。")
        _can_fill(user, current)
        if current.version != version:
            raise StaleVersion(f"该报表已被他人修改（您看到的是第 {version} 版，当前为第 {current.version} 版），"
                               "本次填报未保存，请刷新页面后重试。")
        fields = list(current.round.form.fields.all())
        codes = {f.metric_code for f in fields}
        unknown = [c for c in raw if c not in codes]
        if unknown:
            raise InvalidInput("报表中没有这些字段：" + "、".join(unknown))
        clean, errors = validate_values(fields, raw)
        blocking = [e for e in errors if e.kind != "required"]
        if blocking:
            if cell_of:
                blocking = [FieldError(e.code, f"{cell_of.get(e.code, '')}：{e.message}" if cell_of.get(e.code)
                                       else e.message, e.kind) for e in blocking]
            raise InvalidValues(blocking)
        existing = {v.field_id: v for v in current.values.all()}
        changes = {}
        for f in fields:
            text = (raw.get(f.metric_code, "") or "").strip()
            value = clean.get(f.metric_code)
            number = value if isinstance(value, Decimal) else None
            old = existing.get(f.pk)
            if old is None and not text:
                continue
            if old is not None and old.raw == text:
                continue
            changes[f.metric_code] = [old.raw if old else None, text]
            if old is None:
                ReturnValue.objects.create(ret=current, field=f, raw=text, number=number)
            else:
                old.raw, old.number = text, number
                old.save(update_fields=["raw", "number"])
        fields_update = {}
        if note is not None and note != current.note:
            changes["note"] = [current.note, note]
            fields_update["note"] = note
        if not changes:
            return current
        Return.objects.filter(pk=current.pk).update(version=F("version") + 1, updated_at=timezone.now(),
                                                    **fields_update)
        current.refresh_from_db()
        audit.record("returns.values.save", actor=user, obj=current,
                     changes={**changes, "source": source, "version": [version, current.version]})
    return current


def submit(user, ret: Return, *, version, on=None) -> Return:
    return perform(ret, "submit", user, version=version, on=on, changes={"submitted_by": user})


def approve(user, ret: Return, *, version, on=None) -> Return:
    return perform(ret, "approve", user, version=version, on=on, changes={"approved_by": user})


def reject(user, ret: Return, *, version, comment: str, on=None) -> Return:
    return perform(ret, "reject", user, version=version, on=on, reason=(comment or "").strip(),
                   changes={"comment": (comment or "").strip()})


def accept(user, ret: Return, *, version, on=None) -> Return:
    on = on or clocks.today()
    return perform(ret, "accept", user, version=version, on=on, changes={"accepted_on": on})


def send_back(user, ret: Return, *, version, comment: str, on=None) -> Return:
    return perform(ret, "send_back", user, version=version, on=on, reason=(comment or "").strip(),
                   changes={"comment": (comment or "").strip()})


OPERATIONS = {"submit": submit, "approve": approve, "accept": accept}
COMMENTED = {"reject": reject, "send_back": send_back}


def overdue_returns(user, on: dt.date | None = None):
    """Returns not yet handed in (approved) whose due date has passed, within the user's scope."""
    on = on or clocks.today()
    return (Return.objects.visible_to(user).filter(state__in=("new", "filling", "submitted", "returned"),
                                                   round__due_date__lt=on)
            .select_related("unit", "round", "round__form").order_by("round__due_date", "unit__path"))
