"""行政应诉 services: the only place a litigation case or a hearing changes (pages and API call these).

Each function validates its input (Chinese messages), then moves the case through
``fazhi.core.procedure.perform`` — scope, role, version, guards, clocks and audit in one
transaction; anything it adds (a hearing) is written in the same transaction.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from fazhi.core import audit, clocks, services
from fazhi.core.procedure import InvalidInput, perform

from .models import (LOST_RESULTS, AbsenceReason, Appellant, HeadPosition, Hearing, Instance, LitigationCase,
                     Result, ResultKind, SecondOutcome)


EDITABLE_FIELDS = ("court", "case_number", "plaintiffs", "act_challenged", "reconsideration_number", "note")


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def _date(value, label: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请填写{label}。")
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise InvalidInput(f"{label}格式无效，请写作 YYYY-MM-DD。")
    if value > clocks.today():
        raise InvalidInput(f"{label}（{value}）不能晚于今天。")
    return value


def _choice(value, choices, label: str, *, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        if required:
            raise InvalidInput(f"请选择{label}。")
        return ""
    if value not in choices.values:
        raise InvalidInput(f"{label}取值无效：{value}。")
    return value


def _text(value, label: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。")
    if len(value) > max_length:
        raise InvalidInput(f"{label}不能超过 {max_length} 个字。")
    return value


def _reconsideration_case(user, number: str):
    """The id of the visible reconsideration case with this number, or None (only the text is kept)."""
    if not number:
        return None
    from django.apps import apps

    from fazhi.core import scoping

    model = apps.get_model("reconsideration", "Case")
    return scoping.scoped(model, user).filter(number=number).values_list("pk", flat=True).first()


def visible_reconsideration(case: LitigationCase, user):
    """The linked reconsideration case if ``user`` may see it (a link never widens anyone's scope)."""
    if not case.reconsideration_case_id:
        return None
    from fazhi.core import scoping

    return scoping.scoped(type(case)._meta.get_field("reconsideration_case").related_model, user).filter(
        pk=case.reconsideration_case_id).first()


def _check_unique(court: str, case_number: str, exclude_pk=None) -> None:
    qs = LitigationCase.objects.filter(court=court, case_number=case_number)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        # Existence is disclosed only as a duplicate number, never the case itself.
        raise InvalidInput(f"{court}的案号“{case_number}”已登记，请勿重复登记。", "duplicate_case")


# ---------------------------------------------------------------------------
# Registration and edits
# ---------------------------------------------------------------------------
def register_case(user, *, unit, court: str, case_number: str, plaintiffs: str, act_challenged: str,
                  served_on, instance: str = Instance.FIRST, reconsideration_number: str = "",
                  note: str = "") -> LitigationCase:
    """Register a case on receipt of the complaint copy; the 15-day answer clock starts (第六十七条)."""
    fields = {
        "court": _text(court, "受理法院", 100),
        "case_number": _text(case_number, "法院案号", 80),
        "plaintiffs": _text(plaintiffs, "原告", 2000),
        "act_challenged": _text(act_challenged, "被诉行政行为", 300),
        "instance": _choice(instance or Instance.FIRST, Instance, "审级"),
        "reconsideration_number": _text(reconsideration_number, "前置行政复议案号", 80, required=False),
        "note": _text(note, "备注", 2000, required=False),
        "served_on": _date(served_on, "收到起诉状副本日期"),
    }
    fields["reconsideration_case_id"] = _reconsideration_case(user, fields["reconsideration_number"])
    with transaction.atomic():
        _check_unique(fields["court"], fields["case_number"])
        try:
            case = services.do_create(LitigationCase, user, unit=unit, fields=fields)
        except ValidationError as exc:
            raise InvalidInput(_messages(exc)) from None
        return perform(case, "register", user, version=case.version, on=fields["served_on"])


def edit_case(case: LitigationCase, user, *, version, **values) -> LitigationCase:
    """Correct the descriptive fields (court, number, parties, act, note); state fields are not editable."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"不能在此修改：{'、'.join(sorted(unknown))}。")
    limits = {"court": ("受理法院", 100, True), "case_number": ("法院案号", 80, True),
              "plaintiffs": ("原告", 2000, True), "act_challenged": ("被诉行政行为", 300, True),
              "reconsideration_number": ("前置行政复议案号", 80, False), "note": ("备注", 2000, False)}
    fields = {k: _text(v, limits[k][0], limits[k][1], required=limits[k][2]) for k, v in values.items()}
    if "reconsideration_number" in fields and fields["reconsideration_number"] != case.reconsideration_number:
        fields["reconsideration_case_id"] = _reconsideration_case(user, fields["reconsideration_number"])
    with transaction.atomic():
        if "court" in fields or "case_number" in fields:
            _check_unique(fields.get("court", case.court), fields.get("case_number", case.case_number),
                          exclude_pk=case.pk)
        try:
            return services.do_update(case, user, version=version, fields=fields)
        except ValidationError as exc:
            raise InvalidInput(_messages(exc)) from None


# ---------------------------------------------------------------------------
# Procedure steps
# ---------------------------------------------------------------------------
def file_answer(case: LitigationCase, user, *, version, filed_on) -> LitigationCase:
    """答辩状和证据已提交; the answer clock stops on the filing date."""
    filed_on = _date(filed_on, "提交答辩状日期")
    return perform(case, "file_answer", user, version=version, on=filed_on,
                   changes={"answer_filed_on": filed_on})


def record_hearing(case: LitigationCase, user, *, version, date, head_appeared: bool, head_name: str = "",
                   head_position: str = "", head_title: str = "", staff_name: str = "",
                   absence_reason: str = "", absence_note: str = "", court_notice_on=None) -> Hearing:
    """Record a hearing and who appeared for the defendant (负责人出庭应诉, 法释〔2020〕3号)."""
    hearing = Hearing(
        date=_date(date, "开庭日期"),
        court_notice_on=_date(court_notice_on, "出庭通知书送达日期", required=False),
        head_appeared=bool(head_appeared),
        head_name=_text(head_name, "出庭负责人姓名", 50, required=False),
        head_position=_choice(head_position, HeadPosition, "出庭负责人职务类别", required=False),
        head_title=_text(head_title, "出庭负责人职务", 50, required=False),
        staff_name=_text(staff_name, "出庭工作人员", 100, required=False),
        absence_reason=_choice(absence_reason, AbsenceReason, "负责人未出庭理由", required=False),
        absence_note=_text(absence_note, "未出庭情况说明", 300, required=False),
    )
    try:
        hearing.clean()
    except ValidationError as exc:
        raise InvalidInput(_messages(exc)) from None
    name = "appeal_hearing" if case.state == "appealed" else "hearing"
    with transaction.atomic():
        case = perform(case, name, user, version=version, on=hearing.date)
        hearing.case = case
        hearing.instance = case.instance
        hearing.recorded_by = user if getattr(user, "pk", None) else None
        hearing.save()
        audit.record("litigation.hearing", actor=user, obj=case, changes={
            "开庭日期": hearing.date, "审级": hearing.get_instance_display(),
            "负责人出庭": hearing.head_appeared,
            **({"出庭负责人": f"{hearing.head_name}（{hearing.get_head_position_display()}）"}
               if hearing.head_appeared else
               {"出庭工作人员": hearing.staff_name, "未出庭理由": hearing.get_absence_reason_display()}),
        })
    return hearing


def record_result(case: LitigationCase, user, *, version, result: str, result_kind: str,
                  served_on) -> LitigationCase:
    """First-instance judgment, ruling or 调解书, as served on the defendant.

    判决 starts the 15-day and 裁定 the 10-day appeal clock from the day of service (第八十五条);
    a 调解书 takes effect on service and closes the case.
    """
    result = _choice(result, Result, "裁判结果")
    kind = _choice(result_kind, ResultKind, "裁判文书类型")
    served_on = _date(served_on, "裁判文书送达日期")
    if (result == Result.MEDIATED) != (kind == ResultKind.MEDIATION):
        raise InvalidInput("调解结案的，裁判结果选“调解”、文书类型选“调解书”，二者须同时选择。")
    if result == Result.WITHDRAWN and kind != ResultKind.RULING:
        raise InvalidInput("准予撤诉以裁定作出，文书类型请选择“裁定”。")
    changes = {"result": result, "result_kind": kind, "result_served_on": served_on}
    if kind == ResultKind.MEDIATION:
        changes.update(final_result=result, concluded_on=served_on)
        return perform(case, "record_mediation", user, version=version, on=served_on, changes=changes)
    name = "record_judgment" if kind == ResultKind.JUDGMENT else "record_ruling"
    return perform(case, name, user, version=version, on=served_on, changes=changes)


def record_appeal(case: LitigationCase, user, *, version, appellant: str, filed_on) -> LitigationCase:
    """An appeal within the appeal period moves the case to the second instance."""
    appellant = _choice(appellant, Appellant, "上诉人")
    filed_on = _date(filed_on, "上诉日期")
    if case.result_served_on and filed_on < case.result_served_on:
        raise InvalidInput("上诉日期不能早于裁判文书送达日期。")
    return perform(case, "appeal", user, version=version, on=filed_on,
                   changes={"appealed": True, "appellant": appellant, "appeal_filed_on": filed_on,
                            "instance": Instance.SECOND})


def finalise(case: LitigationCase, user, *, version, on) -> LitigationCase:
    """No appeal within the period: the first-instance decision takes effect."""
    on = _date(on, "生效日期")
    return perform(case, "finalise", user, version=version, on=on,
                   changes={"final_result": case.result, "concluded_on": on})


def record_second_instance(case: LitigationCase, user, *, version, outcome: str, final_result: str = "",
                           on=None) -> LitigationCase:
    """二审终审 (or the appeal withdrawn): the case ends with ``final_result`` in force."""
    outcome = _choice(outcome, SecondOutcome, "二审结果")
    final_result = _choice(final_result, Result, "生效裁判结果", required=False)
    on = _date(on, "二审裁判送达日期")
    if outcome in (SecondOutcome.DISMISSED, SecondOutcome.APPEAL_WITHDRAWN):
        if final_result and final_result != case.result:
            raise InvalidInput("驳回上诉或撤回上诉的，一审裁判生效，生效裁判结果应与一审结果一致。")
        final_result = case.result
    elif outcome == SecondOutcome.MEDIATED:
        final_result = Result.MEDIATED
    elif not final_result:
        raise InvalidInput("改判的，请选择生效裁判结果。")
    if case.appeal_filed_on and on < case.appeal_filed_on:
        raise InvalidInput("二审裁判送达日期不能早于上诉日期。")
    return perform(case, "record_second_instance", user, version=version, on=on,
                   changes={"second_outcome": outcome, "final_result": final_result, "concluded_on": on})


def remand(case: LitigationCase, user, *, version, on) -> LitigationCase:
    """发回重审: the first-instance decision is set aside and the case is tried again at first instance."""
    on = _date(on, "发回重审裁定送达日期")
    return perform(case, "remand", user, version=version, on=on, reason="二审裁定发回重审",
                   changes={"result": "", "result_kind": "", "result_served_on": None, "remanded": True,
                            "instance": Instance.FIRST})


def is_lost(result: str) -> bool:
    return result in LOST_RESULTS
