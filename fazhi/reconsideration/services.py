"""行政复议 services: the only place where cases change (pages, API and commands call these).

Each ``do_*`` function is one operation of the procedure. It runs in one transaction: the
transition through ``fazhi.core.procedure.perform`` (scope, role, guards, optimistic concurrency,
declared clocks, audit), plus what the declaration cannot say — the record of the step (补正通知,
听证, 中止 …) and the clocks whose rule depends on the procedure type (``procedure.TYPE_RULES``).
If anything is refused, nothing is written.

The respondent's reply (``do_record_reply``) is the one write open to the respondent unit's staff;
it does not move the case, so it is a plain transaction with a version check and an audit record.
The system's own acts (视为受理, flags) are in ``tick``.
"""
from __future__ import annotations

import datetime as dt
import hmac
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from fazhi.core import audit, clocks, scoping
from fazhi.core.models import Clock, Role, Unit
from fazhi.core.procedure import GuardFailed, InvalidInput, ProcedureError, RoleDenied, StaleVersion, perform, perform_system
from fazhi.core.workdays import get_calendar

from . import procedure as proc
from .checks import conversion_clock_mode
from .models import (
    Applicant, Case, CommitteeConsultation, Conversion, Correction, Extension, Hearing, Office, OpinionLetter, Reply,
    Suspension, hash_tracking_code, new_tracking_code, normalise_tracking_code,
)

LAW_SINCE = proc.SINCE


# ---------------------------------------------------------------------------
# Offices (per-government settings)
# ---------------------------------------------------------------------------
def office_of(government: Unit) -> Office | None:
    return Office.objects.select_related("office_unit", "government").filter(government=government.government()).first()


def office_for_case(case: Case) -> Office | None:
    return office_of(case.unit.government())


def offices_for_user(user) -> list[Office]:
    """Offices where ``user`` may register applications (a writing role at the office's unit)."""
    out = []
    for office in Office.objects.select_related("office_unit", "government"):
        if (scoping.roles_at(user, office.office_unit) - scoping.READ_ONLY_ROLES) & proc.OFFICE_ALL:
            out.append(office)
    return out


@transaction.atomic
def setup_office(government: Unit, office_unit: Unit, *, organ_name: str = "", number_prefix: str = "行复",
                 actor=None) -> Office:
    """Create or update the office of ``government`` (setup, demo data, administrators)."""
    if government.kind != Unit.Kind.GOVERNMENT:
        raise InvalidInput(f"{government.name} 不是人民政府，不能设为行政复议机关。")
    if not office_unit.path.startswith(government.path):
        raise InvalidInput(f"行政复议机构 {office_unit.name} 不属于 {government.name}。")
    office, created = Office.objects.update_or_create(
        government=government,
        defaults={"office_unit": office_unit, "organ_name": organ_name or government.name,
                  "number_prefix": number_prefix})
    audit.record("create" if created else "update", actor=actor, obj=office, unit=government,
                 changes={"行政复议机构": office_unit.name, "行政复议机关": office.organ_name, "案号代字": number_prefix})
    return office


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _text(value, label: str, *, required: bool = True, max_length: int | None = None) -> str:
    text = (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value).strip())
    if required and not text:
        raise InvalidInput(f"请填写{label}。")
    if max_length and len(text) > max_length:
        raise InvalidInput(f"{label}不能超过 {max_length} 个字。")
    return text


def _date(value, label: str, *, required: bool = True) -> dt.date | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(f"请填写{label}。")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    from fazhi.core.deadlines import DeadlineError, parse_date

    try:
        return parse_date(str(value))
    except DeadlineError as exc:
        raise InvalidInput(f"{label}：{exc}") from None


def _not_future(day: dt.date, label: str) -> None:
    if day > clocks.today():
        raise InvalidInput(f"{label}（{day}）不能晚于今天。")


def _int(value, label: str, lo: int, hi: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{label}应为整数。") from None
    if not lo <= n <= hi:
        raise InvalidInput(f"{label}应在 {lo} 至 {hi} 之间。")
    return n


def _start_clock(case, name: str, rule: str, on: dt.date, user, reason: str) -> Clock:
    """Start clock ``name``; a stopped clock of an earlier round keeps its ledger under ``name#n``."""
    existing = clocks.clock_of(case, name)
    if existing is not None:
        if existing.status != Clock.Status.STOPPED:
            clocks.add_event(existing, "stop", on, actor=user, reason=reason)
        rounds = Clock.objects.filter(matter_type=existing.matter_type, matter_id=existing.matter_id,
                                      name__startswith=f"{name}#").count()
        Clock.objects.filter(pk=existing.pk).update(name=f"{name}#{rounds + 1}")
        audit.record("clock.archive", actor=user, obj=case, changes={"clock": [name, f"{name}#{rounds + 1}"]})
    return clocks.start_clock(case, name, rule, on, actor=user, reason=reason, rule_on=case.rules_date or on)


def _start_type_clock(case: Case, name: str, on: dt.date, user, reason: str) -> Clock:
    return _start_clock(case, name, proc.TYPE_RULES[name][case.procedure_type], on, user, reason)


def _stop_clock(case, name: str, on: dt.date, user, reason: str) -> None:
    clock = clocks.clock_of(case, name)
    if clock is not None and clock.status != Clock.Status.STOPPED:
        clocks.add_event(clock, "stop", on, actor=user, reason=reason)


def _office_roles(user, case: Case) -> set[str]:
    return (scoping.roles_at(user, case.unit) - scoping.READ_ONLY_ROLES) & proc.OFFICE_ALL


def _require_office_head(approver, case: Case, what: str) -> None:
    """第五十五条、第六十二条: the approval of the head (负责人) of the 行政复议机构."""
    if approver is None or not getattr(approver, "pk", None):
        raise GuardFailed(f"{what}须经行政复议机构负责人批准，请选择批准人。")
    if Role.LEADER not in scoping.roles_at(approver, case.unit):
        raise GuardFailed(f"{what}须经行政复议机构负责人批准：{approver} 不是 {case.unit.name} 的负责人。")


def _note(action: str, case, user, changes: dict) -> None:
    audit.record(action, actor=user, obj=case, changes=changes)


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("unit", "respondent_unit").get(pk=case.pk)


def _act(case: Case, name: str, user, *, version, on: dt.date, reason: str = "", changes: dict | None = None,
         context: dict | None = None) -> Case:
    perform(case, name, user, version=version, on=on, reason=reason, changes=changes, context=context)
    return _fresh(case)


# ---------------------------------------------------------------------------
# Application (申请) and tracking code (查询码)
# ---------------------------------------------------------------------------
def application_deadline(known_on: dt.date) -> dt.date:
    """第二十条第一款: 60 days from the day the applicant knew (or should have known) of the act."""
    from fazhi.core.deadlines import compute

    rule = clocks.rule_for("reconsideration.application", max(known_on, LAW_SINCE))
    return compute(get_calendar(), rule.budget, rule.day_unit, [clocks.Event("start", known_on)]).due


def late_check(received_on: dt.date, known_on: dt.date | None) -> tuple[bool, str]:
    """Flag (never refuse) an application received after the 60-day period (第二十条)."""
    if known_on is None:
        return False, ""
    due = application_deadline(known_on)
    if received_on <= due:
        return False, ""
    return True, (f"收到申请之日（{received_on}）已超过申请期限：自知道或者应当知道该行政行为之日（{known_on}）起"
                  f"六十日，至 {due} 届满（《行政复议法》第二十条第一款）。是否因不可抗力或者其他正当理由耽误，"
                  "由审查人员审查认定，系统不自动拒收。")


def _clean_applicants(applicants: list[dict]) -> list[dict]:
    if not applicants:
        raise InvalidInput("请至少填写一名申请人。")
    out = []
    for i, a in enumerate(applicants, start=1):
        label = f"第 {i} 名申请人的"
        kind = (a.get("kind") or Applicant.Kind.PERSON)
        if kind not in Applicant.Kind.values:
            raise InvalidInput(f"{label}类型无效。")
        id_number = _text(a.get("id_number"), f"{label}身份证件号码", required=False, max_length=30).upper()
        if id_number and (not id_number.isalnum() or len(id_number) not in (15, 18)):
            raise InvalidInput(f"{label}身份证件号码或统一社会信用代码应为 15 或 18 位字母数字。")
        phone = _text(a.get("phone"), f"{label}联系电话", required=False, max_length=30)
        if phone and not all(ch.isdigit() or ch in "-+ " for ch in phone):
            raise InvalidInput(f"{label}联系电话只能包含数字、空格、“-”和“+”。")
        out.append({"kind": kind, "name": _text(a.get("name"), f"{label}姓名或名称", max_length=100),
                    "id_number": id_number, "phone": phone,
                    "address": _text(a.get("address"), f"{label}地址", required=False, max_length=200)})
    return out


def _clean_simplified(procedure_type: str, ground: str, amount) -> tuple[str, str, Decimal | None]:
    if procedure_type not in Case.ProcedureType.values:
        raise InvalidInput("审理程序应为普通程序或简易程序。")
    if amount in (None, ""):
        amount = None
    else:
        try:
            amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise InvalidInput("涉及款额应为数字（元）。") from None
        if amount < 0:
            raise InvalidInput("涉及款额不能为负数。")
    if procedure_type == Case.ProcedureType.ORDINARY:
        return procedure_type, "", amount
    if ground not in Case.SimplifiedGround.values:
        raise GuardFailed("适用简易程序须选择《行政复议法》第五十三条规定的情形。")
    if ground == Case.SimplifiedGround.AMOUNT and (amount is None or amount > proc.SIMPLIFIED_AMOUNT_LIMIT):
        raise GuardFailed("以“款额三千元以下”适用简易程序的，涉及款额须不超过 3000 元（《行政复议法》第五十三条第一款第三项）。")
    return procedure_type, ground, amount


def do_register(user, *, office: Office, channel: str, received_on, respondent_unit: Unit, act_description: str,
                applicants: list[dict], act_date=None, act_known_on=None, request: str = "",
                procedure_type: str = "ordinary", simplified_ground: str = "", amount=None) -> tuple[Case, str]:
    """Register an application (收件) and start the 5-working-day acceptance review (第三十条).

    ``user`` is the staff member for a counter or mail application; ``None`` only for an online
    application from the public form. Returns the case and its tracking code (查询码), which is shown
    once: only its digest is stored (``do_reissue_tracking_code`` issues a new one).
    """
    if channel not in Case.Channel.values:
        raise InvalidInput("申请方式应为网上申请、当面递交或邮寄。")
    if user is None:
        if channel != Case.Channel.ONLINE:
            raise RoleDenied("当面递交和邮寄的申请须由工作人员登记。")
    else:
        if not scoping.can_view_unit(user, office.office_unit):
            raise Http404("未找到该单位，或您无权查看。")
        if not (scoping.roles_at(user, office.office_unit) - scoping.READ_ONLY_ROLES) & proc.OFFICE_ALL:
            raise RoleDenied(f"只有{office.office_unit.name}的工作人员可以登记行政复议申请。")
    received_on = _date(received_on, "收到申请日期")
    _not_future(received_on, "收到申请日期")
    if received_on < LAW_SINCE:
        raise InvalidInput("本系统按 2023 年修订的《行政复议法》（2024 年 1 月 1 日施行）计算期限，"
                           "2024 年 1 月 1 日以前收到的申请请通过历史案件导入登记。")
    if not isinstance(respondent_unit, Unit):
        raise InvalidInput("请选择被申请人。")
    gov = office.government
    if respondent_unit.pk == gov.pk or not respondent_unit.path.startswith(gov.path) or not respondent_unit.active:
        raise InvalidInput(f"被申请人应为{gov.name}的工作部门、派出机关或下级人民政府（《行政复议法》第二十四条），"
                           f"{respondent_unit.name}不在其列。")
    act_date = _date(act_date, "行政行为作出日期", required=False)
    act_known_on = _date(act_known_on, "知道该行政行为之日", required=False)
    if act_known_on and act_known_on > received_on:
        raise InvalidInput("知道该行政行为之日不能晚于收到申请日期。")
    if act_date and act_known_on and act_known_on < act_date:
        raise InvalidInput("知道该行政行为之日不能早于行政行为作出日期。")
    procedure_type, simplified_ground, amount = _clean_simplified(procedure_type, simplified_ground, amount)
    cleaned = _clean_applicants(applicants)
    act_description = _text(act_description, "被申请复议的行政行为", max_length=2000)
    request = _text(request, "行政复议请求", required=False, max_length=2000)
    late, late_reason = late_check(received_on, act_known_on)
    with transaction.atomic():
        code, digest = _unused_tracking_code()
        case = Case.objects.create(
            unit=office.office_unit, state=proc.PROCEDURE.initial, tracking_code_hash=digest, channel=channel,
            received_on=received_on, rules_date=received_on, respondent_unit=respondent_unit,
            act_description=act_description, act_date=act_date, act_known_on=act_known_on, request=request,
            late_flag=late, late_reason=late_reason, procedure_type=procedure_type,
            simplified_ground=simplified_ground, amount=amount)
        for order, a in enumerate(cleaned):
            Applicant.objects.create(case=case, order=order, **a)
        # Personal data stay out of the audit trail: it names the case and counts the applicants.
        _note("reconsideration.register", case, user, {
            "申请方式": case.get_channel_display(), "收到申请日期": received_on, "被申请人": respondent_unit.name,
            "申请人人数": len(cleaned), "审理程序（拟）": case.get_procedure_type_display(),
            **({"超期提示": late_reason} if late else {})})
        clocks.start_clock(case, "acceptance", "reconsideration.acceptance", received_on, actor=user,
                           reason="收到行政复议申请", rule_on=received_on)
    return _fresh(case), code


def _unused_tracking_code() -> tuple[str, str]:
    """A fresh 查询码 and its digest (only the digest is stored)."""
    while True:
        code = new_tracking_code()
        digest = hash_tracking_code(code)
        if not Case.objects.filter(tracking_code_hash=digest).exists():
            return code, digest


def find_by_tracking_code(code: str) -> Case | None:
    """The case of ``code`` or None. Every input takes the same path (normalise, hash, one indexed
    query, constant-time comparison), so a malformed, a mistyped and a guessed code look alike."""
    digest = hash_tracking_code(normalise_tracking_code(code)[:64])
    case = Case.objects.filter(tracking_code_hash=digest).select_related("unit").first()
    stored = case.tracking_code_hash if case is not None else "0" * 64
    return case if hmac.compare_digest(stored, digest) and case is not None else None


def do_reissue_tracking_code(case: Case, user) -> str:
    """A new 查询码 (the old one stops working), e.g. for the 受理通知书 of a mail application."""
    case = scoping.get_visible_or_404(Case, user, pk=case.pk)
    if not _office_roles(user, case):
        raise RoleDenied("只有行政复议机构的工作人员可以重新生成查询码。")
    with transaction.atomic():
        code, digest = _unused_tracking_code()
        Case.objects.filter(pk=case.pk).update(tracking_code_hash=digest, version=F("version") + 1,
                                               updated_at=timezone.now())
        _note("reconsideration.tracking_code", case, user, {"查询码": "已重新生成（原查询码失效）"})
    return code


# ---------------------------------------------------------------------------
# Acceptance review (第三十条、第三十一条)
# ---------------------------------------------------------------------------
def do_request_correction(case: Case, user, *, version, on, items: str) -> Case:
    on = _date(on, "补正通知日期")
    items = _text(items, "需要补正的事项", max_length=2000)
    with transaction.atomic():
        case = _act(case, "request_correction", user, version=version, on=on, reason="通知申请人补正",
                    changes={"correction_items": items})
        Correction.objects.create(case=case, notice_on=on, items=items, created_by=user)
    return case


def do_extend_correction(case: Case, user, *, version, on, days, reason: str) -> Case:
    """第三十一条: 有正当理由不能按期补正的，可以延长合理的补正期限."""
    on = _date(on, "延长日期")
    days = _int(days, "延长补正期限（工作日）", 1, 30)
    reason = _text(reason, "延长补正期限的正当理由", max_length=300)
    with transaction.atomic():
        case = _act(case, "extend_correction", user, version=version, on=on, reason=reason)
        clock = clocks.clock_of(case, "correction")
        try:
            clocks.add_event(clock, "extend", on, actor=user, amount=days, amount_unit="wd", reason=reason,
                             approver=str(user))
        except clocks.DeadlineError as exc:
            raise GuardFailed(str(exc)) from exc
        correction = case.corrections.order_by("-pk").first()
        Correction.objects.filter(pk=correction.pk).update(extended_days=F("extended_days") + days,
                                                           extension_reason=reason)
    return _fresh(case)


def do_receive_correction(case: Case, user, *, version, on) -> Case:
    """The corrected application restarts the 5-working-day review from ``on`` (第三十一条、第三十条)."""
    on = _date(on, "收到补正材料日期")
    correction = case.corrections.order_by("-pk").first()
    if correction is not None and on < correction.notice_on:
        raise InvalidInput(f"收到补正材料日期不能早于补正通知日期（{correction.notice_on}）。")
    with transaction.atomic():
        case = _act(case, "receive_correction", user, version=version, on=on, reason="收到补正材料，重新审查")
        Correction.objects.filter(pk=correction.pk).update(received_on=on)
    return case


def do_abandon(case: Case, user, *, version, on) -> Case:
    on = _date(on, "记录日期")
    return _act(case, "abandon", user, version=version, on=on,
                reason="无正当理由逾期不补正，视为申请人放弃行政复议申请（《行政复议法》第三十一条第二款）")


def _number(case: Case, on: dt.date, user) -> str:
    from fazhi.core.numbering import next_number

    office = office_for_case(case)
    prefix = office.number_prefix if office else "行复"
    return next_number(case.unit, "行政复议案件", prefix, year=on.year, obj=case, actor=user)


def _start_trial(case: Case, on: dt.date, user, how: str) -> Case:
    number = case.number or _number(case, on, user)
    Case.objects.filter(pk=case.pk).update(number=number)
    case = _fresh(case)
    _start_type_clock(case, "copy", on, user, f"{how}，发送申请书副本")
    _start_type_clock(case, "trial", on, user, f"{how}，审理期限起算")
    return case


def do_accept(case: Case, user, *, version, on, procedure_type: str = "ordinary", simplified_ground: str = "",
              amount=None, reviewer=None) -> Case:
    on = _date(on, "受理日期")
    procedure_type, simplified_ground, amount = _clean_simplified(
        procedure_type, simplified_ground, case.amount if amount in (None, "") else amount)
    changes = {"accepted_on": on, "acceptance_kind": Case.Acceptance.DECIDED,
               "acceptance_note": "经审查符合受理条件（《行政复议法》第三十条第一款）", "procedure_type": procedure_type,
               "simplified_ground": simplified_ground, "amount": amount}
    if reviewer is not None:
        changes["reviewer"] = reviewer
    with transaction.atomic():
        case = _act(case, "accept", user, version=version, on=on, changes=changes,
                    reason=f"受理，适用{Case.ProcedureType(procedure_type).label}")
        case = _start_trial(case, on, user, "受理")
    return case


def deemed_acceptance_note(due: dt.date) -> str:
    return (f"审查期限于 {due} 届满，行政复议机关未作出不予受理决定，依《行政复议法》第三十条第二款，"
            f"自审查期限届满之日（{due}）起视为受理。")


def do_deem_accepted(case: Case, user, *, version, today=None) -> Case:
    """Record 视为受理 (第三十条第二款) by hand; ``tick`` does the same by itself."""
    today = _date(today, "今日", required=False) or clocks.today()
    clock = clocks.clock_of(case, "acceptance")
    if clock is None or clock.due_date is None:
        raise GuardFailed("本案没有正在计算的受理审查期限。")
    due = clock.due_date
    with transaction.atomic():
        case = _act(case, "deem_accepted", user, version=version, on=due, context={"today": today},
                    changes={"accepted_on": due, "acceptance_kind": Case.Acceptance.DEEMED,
                             "acceptance_note": deemed_acceptance_note(due)},
                    reason=deemed_acceptance_note(due))
        case = _start_trial(case, due, user, "视为受理")
    return case


def do_refuse(case: Case, user, *, version, on, reason: str) -> Case:
    on = _date(on, "不予受理决定日期")
    reason = _text(reason, "不予受理的理由", max_length=2000)
    return _act(case, "refuse", user, version=version, on=on, reason="决定不予受理",
                changes={"refused_on": on, "refusal_reason": reason})


# ---------------------------------------------------------------------------
# Respondent (第四十八条、第五十四条、第七十条)
# ---------------------------------------------------------------------------
def do_send_copy(case: Case, user, *, version, on, received_on=None) -> Case:
    """Copy sent to the respondent; its reply period runs from its receipt (default: the same day)."""
    on = _date(on, "发送日期")
    received_on = _date(received_on, "被申请人收到副本日期", required=False) or on
    if received_on < on:
        raise InvalidInput("被申请人收到副本日期不能早于发送日期。")
    with transaction.atomic():
        case = _act(case, "send_copy", user, version=version, on=on, reason="发送申请书副本",
                    changes={"copy_sent_on": on})
        _start_type_clock(case, "reply", received_on, user, "被申请人收到申请书副本，答复期限起算")
    return case


def can_answer(user, case: Case) -> bool:
    """The respondent's operators and leaders (and the office's staff, recording on its behalf)."""
    if _office_roles(user, case):
        return True
    return bool(scoping.roles_at(user, case.respondent_unit) & {Role.OPERATOR, Role.LEADER})


def do_record_reply(case: Case, user, *, version, on, summary: str = "", files=()) -> Reply:
    """被申请人的书面答复 and its evidence (第四十八条): stops the reply clock."""
    from fazhi.core.attachments import store_attachment

    case = scoping.get_visible_or_404(Case, user, pk=case.pk)
    if not can_answer(user, case):
        raise RoleDenied("只有被申请人的经办人、负责人或行政复议机构的工作人员可以提交答复。")
    on = _date(on, "答复日期")
    _not_future(on, "答复日期")
    summary = _text(summary, "答复意见", required=False, max_length=5000)
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ProcedureError("缺少或无法识别版本号，请刷新页面后重试。", "bad_version") from None
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.version != version:
            raise StaleVersion(f"该行政复议案件已被他人修改（您看到的是第 {version} 版，当前为第 {current.version} 版）。"
                               "为避免覆盖他人的修改，本次操作未保存，请刷新页面后重试。")
        if current.state not in ("trial", "suspended"):
            raise GuardFailed(f"当前状态为“{current.state_label}”，不能提交答复。")
        if current.copy_sent_on is None:
            raise GuardFailed("行政复议机构尚未发送申请书副本，暂不能登记答复（《行政复议法》第四十八条）。")
        if on < current.copy_sent_on:
            raise InvalidInput(f"答复日期不能早于申请书副本发送日期（{current.copy_sent_on}）。")
        reply = Reply.objects.create(case=current, unit=current.respondent_unit, received_on=on, summary=summary,
                                     submitted_by=user)
        names = [store_attachment(f, unit=current.respondent_unit, actor=user, owner=reply).original_name
                 for f in files]
        Case.objects.filter(pk=current.pk).update(version=F("version") + 1, updated_at=timezone.now())
        clock = clocks.clock_of(current, "reply")
        late = clock is not None and clock.due_date is not None and on > clock.due_date
        _stop_clock(current, "reply", on, user, "收到被申请人书面答复")
        _note("reconsideration.reply", current, user, {
            "答复日期": on, "证据材料": names, "version": [version, version + 1],
            **({"逾期": f"答复期限于 {clock.due_date} 届满"} if late else {})})
    return reply


# ---------------------------------------------------------------------------
# Trial (第三十九条至第四十一条、第五十条至第五十五条、第六十二条)
# ---------------------------------------------------------------------------
def do_extend(case: Case, user, *, version, on, days, approver, notice_on, reason: str) -> Case:
    """延长审理期限 (第六十二条第一款): once, ≤ 30 days, approved by the office's head, parties told in writing."""
    on = _date(on, "批准日期")
    notice_on = _date(notice_on, "书面告知当事人日期")
    days = _int(days, "延长日数", 1, 10_000)
    if days > proc.EXTENSION_MAX_DAYS:
        raise GuardFailed(f"延长期限最多不超过三十日（《行政复议法》第六十二条第一款），不能延长 {days} 日。")
    reason = _text(reason, "延长理由（情况复杂的具体情形）", max_length=300)
    if notice_on < on:
        raise InvalidInput("书面告知当事人日期不能早于批准日期。")
    _require_office_head(approver, case, "延长审理期限")
    clock = clocks.clock_of(case, "trial")
    if clock is not None and clock.due_date and on > clock.due_date:
        raise GuardFailed(f"审理期限已于 {clock.due_date} 届满，不能再批准延长（《行政复议法》第六十二条第一款）。")
    with transaction.atomic():
        case = _act(case, "extend", user, version=version, on=on, reason=reason)
        Extension.objects.create(case=case, days=days, approved_on=on, approver=approver, notice_on=notice_on,
                                 reason=reason, created_by=user)
        try:
            clocks.add_event(clock, "extend", on, actor=user, amount=days, amount_unit="d", reason=reason,
                             approver=str(approver))
        except clocks.DeadlineError as exc:
            raise GuardFailed(str(exc)) from exc
    return _fresh(case)


def do_convert(case: Case, user, *, version, on, approver, reason: str = "") -> Case:
    """简易程序转为普通程序 (第五十五条). The 60-day period then runs per
    ``FAZHI_RECONSIDERATION_CONVERSION_CLOCK``: from the acceptance (default; suspensions so far
    still do not count) or from the conversion."""
    on = _date(on, "转换日期")
    reason = _text(reason, "转换理由", required=False, max_length=300)
    _require_office_head(approver, case, "简易程序转为普通程序")
    mode = conversion_clock_mode()
    with transaction.atomic():
        case = _act(case, "convert", user, version=version, on=on, reason=reason or "转为普通程序",
                    changes={"procedure_type": Case.ProcedureType.ORDINARY, "converted_on": on})
        if case.accepted_on and on < case.accepted_on:
            raise InvalidInput("转换日期不能早于受理日期。")
        Conversion.objects.create(case=case, converted_on=on, approver=approver, clock_mode=mode, reason=reason,
                                  created_by=user)
        old = clocks.clock_of(case, "trial")
        old_events = list(old.events.order_by("seq")) if old is not None else []
        why = "简易程序转为普通程序（《行政复议法》第五十五条）"
        _stop_clock(case, "trial", on, user, why)  # the simplified period ends on the conversion day
        if mode == "from_acceptance":
            new = _start_clock(case, "trial", "reconsideration.trial", case.accepted_on, user,
                               why + "，审理期限自受理之日起计算")
            for ev in old_events:  # periods of suspension before the conversion still do not count
                if ev.kind in ("pause", "resume"):
                    clocks.add_event(new, ev.kind, ev.on, actor=user, reason=ev.reason or why)
        else:
            _start_clock(case, "trial", "reconsideration.trial", on, user, why + "，审理期限自转换之日起计算")
    return _fresh(case)


def latest_hearing_notice(held_on: dt.date) -> dt.date:
    """第五十一条: the last day on which notice of a hearing on ``held_on`` may be given (5 working days before)."""
    cal = get_calendar()
    day, counted = held_on, 0
    while counted < 5:
        if cal.is_workday(day):
            counted += 1
        day -= dt.timedelta(days=1)
    return day


def do_schedule_hearing(case: Case, user, *, version, held_on, notice_on, place: str = "", presider: str = "",
                        participants: str = "") -> Hearing:
    held_on = _date(held_on, "听证日期")
    notice_on = _date(notice_on, "听证通知日期")
    latest = latest_hearing_notice(held_on)
    if notice_on > latest:
        ahead = get_calendar().count_workdays(notice_on, held_on) if notice_on < held_on else 0
        raise GuardFailed(f"听证通知应当于举行听证的五日（工作日）前书面通知当事人（《行政复议法》第五十一条、第八十八条）："
                          f"{held_on} 举行听证，通知最迟应于 {latest} 发出；{notice_on} 发出只提前了 {ahead} 个工作日。")
    with transaction.atomic():
        case = _act(case, "schedule_hearing", user, version=version, on=notice_on, reason=f"定于 {held_on} 举行听证")
        hearing = Hearing.objects.create(case=case, held_on=held_on, notice_on=notice_on,
                                         place=_text(place, "听证地点", required=False, max_length=200),
                                         presider=_text(presider, "主持人", required=False, max_length=50),
                                         participants=_text(participants, "参加人员", required=False, max_length=2000),
                                         created_by=user)
        _note("reconsideration.hearing", case, user, {"听证日期": held_on, "通知日期": notice_on, "地点": hearing.place})
    return hearing


def do_record_hearing(case: Case, user, *, version, hearing_id, transcript: str, participants: str = "",
                      respondent_head_attended=None) -> Hearing:
    hearing = Hearing.objects.filter(case=case, pk=hearing_id).first()
    if hearing is None:
        raise InvalidInput("未找到该听证记录。")
    transcript = _text(transcript, "听证笔录", max_length=100_000)
    with transaction.atomic():
        case = _act(case, "record_hearing", user, version=version, on=hearing.held_on, reason="记录听证笔录")
        hearing.transcript = transcript
        if participants:
            hearing.participants = _text(participants, "参加人员", max_length=2000)
        hearing.respondent_head_attended = respondent_head_attended
        hearing.save(update_fields=["transcript", "participants", "respondent_head_attended"])
        _note("reconsideration.hearing_record", case, user, {"听证日期": hearing.held_on,
                                                              "被申请人负责人参加": respondent_head_attended})
    return hearing


def do_consult(case: Case, user, *, version, on, ground: str, opinion: str = "") -> CommitteeConsultation:
    on = _date(on, "提请日期")
    grounds = dict(proc.CONSULTATION_GROUNDS)
    if ground not in grounds:
        raise InvalidInput("请选择提请行政复议委员会咨询的情形（《行政复议法》第五十二条）。")
    with transaction.atomic():
        case = _act(case, "consult", user, version=version, on=on, reason=grounds[ground])
        consultation = CommitteeConsultation.objects.create(
            case=case, ground=ground, requested_on=on, created_by=user,
            opinion=_text(opinion, "咨询意见", required=False, max_length=20_000))
    return consultation


def do_suspend(case: Case, user, *, version, on, ground: str, reason: str = "", notice_on=None) -> Case:
    """中止 (第三十九条): the trial clock pauses from ``on``; grounds (一)(二)(四) start the 60-day count (第四十一条)."""
    on = _date(on, "中止日期")
    notice_on = _date(notice_on, "书面告知日期", required=False)
    grounds = dict(proc.SUSPENSION_GROUNDS)
    if ground not in grounds:
        raise InvalidInput("请选择中止的法定情形（《行政复议法》第三十九条第一款）。")
    reason = _text(reason, "具体理由", required=False, max_length=300)
    with transaction.atomic():
        case = _act(case, "suspend", user, version=version, on=on, reason=f"中止审理：{grounds[ground]}")
        Suspension.objects.create(case=case, ground=ground, from_on=on, notice_on=notice_on, reason=reason,
                                  created_by=user)
        if ground in proc.SUSPENSION_TERMINATION_GROUNDS:
            _start_clock(case, "suspension", "reconsideration.suspension_limit", on, user,
                         "中止满六十日原因仍未消除的，终止行政复议（《行政复议法》第四十一条第五项）")
    return case


def do_resume(case: Case, user, *, version, on, notice_on=None) -> Case:
    on = _date(on, "恢复审理日期")
    notice_on = _date(notice_on, "书面告知日期", required=False)
    open_suspension = case.suspensions.filter(to_on__isnull=True).order_by("-pk").first()
    if open_suspension is not None and on < open_suspension.from_on:
        raise InvalidInput(f"恢复审理日期不能早于中止日期（{open_suspension.from_on}）。")
    with transaction.atomic():
        case = _act(case, "resume", user, version=version, on=on, reason="中止原因消除，恢复审理",
                    changes={"suspension_flag": False, "suspension_note": ""})
        if open_suspension is not None:
            Suspension.objects.filter(pk=open_suspension.pk).update(to_on=on, notice_on=notice_on or open_suspension.notice_on)
    return case


# ---------------------------------------------------------------------------
# Conclusion and service (第六十三条至第七十四条、第四十一条、第七十五条)
# ---------------------------------------------------------------------------
def trial_timeliness(case: Case, on: dt.date) -> tuple[dt.date | None, bool | None]:
    """(due date, concluded in time?) of the trial period as of ``on``; a suspended case is judged by the
    time it has used (the days of suspension do not count)."""
    clock = clocks.clock_of(case, "trial")
    if clock is None:
        return None, None
    result = clocks.outcome(clock, on=on)
    if result.stopped:
        return clock.due_date, clock.due_date is None or clock.stopped_on <= clock.due_date
    if result.paused:
        return result.provisional_due, result.consumed <= result.budget
    return result.due, on <= result.due


def _conclude(case: Case, name: str, user, *, version, on, outcome: str, reason_text: str, extra: dict,
              audit_reason: str) -> Case:
    on = _date(on, "结案日期")
    _not_future(on, "结案日期")
    due, on_time = trial_timeliness(case, on)
    changes = {"outcome": outcome, "outcome_reason": reason_text, "concluded_on": on, "trial_due_on": due,
               "concluded_on_time": on_time, **extra}
    with transaction.atomic():
        case = _act(case, name, user, version=version, on=on, reason=audit_reason, changes=changes)
        Suspension.objects.filter(case=case, to_on__isnull=True).update(to_on=on)
    return case


def do_decide(case: Case, user, *, version, on, outcome: str, reason: str = "") -> Case:
    if outcome not in proc.DECISION_OUTCOMES:
        raise GuardFailed("请选择行政复议决定的类型（《行政复议法》第六十三条至第六十九条、第三十三条）。")
    label = Case.Outcome(outcome).label
    return _conclude(case, "decide", user, version=version, on=on, outcome=outcome,
                     reason_text=_text(reason, "决定理由", required=False, max_length=5000), extra={},
                     audit_reason=f"作出行政复议决定：{label}")


def do_mediate(case: Case, user, *, version, on, summary: str = "") -> Case:
    """调解书 (第七十三条); it takes effect when signed by the parties (recorded as service)."""
    return _conclude(case, "mediate", user, version=version, on=on, outcome=Case.Outcome.MEDIATED,
                     reason_text=_text(summary, "调解协议内容", required=False, max_length=5000), extra={},
                     audit_reason="制作行政复议调解书（《行政复议法》第七十三条）")


def do_withdraw(case: Case, user, *, version, on, settled: bool = False, reason: str = "") -> Case:
    """撤回 (第四十一条第一项), after a settlement (和解, 第七十四条) or not."""
    outcome = Case.Outcome.SETTLED_WITHDRAWN if settled else Case.Outcome.WITHDRAWN
    ground = ("（一）申请人撤回行政复议申请，行政复议机构准予撤回" + ("（当事人达成和解，《行政复议法》第七十四条）" if settled else ""))
    return _conclude(case, "withdraw", user, version=version, on=on, outcome=outcome,
                     reason_text=_text(reason, "撤回理由", required=False, max_length=2000),
                     extra={"termination_ground": ground}, audit_reason=f"准予撤回，终止行政复议：{ground}")


def do_terminate(case: Case, user, *, version, on, ground: str, reason: str = "") -> Case:
    """终止 on the grounds of 第四十一条 (二)–(五); (五) only after 60 days of suspension on (一)(二)(四)."""
    grounds = dict(proc.TERMINATION_GROUNDS)
    if ground not in grounds:
        raise InvalidInput("请选择终止行政复议的法定情形（《行政复议法》第四十一条）。")
    on_date = _date(on, "终止日期")
    if ground == "5":
        clock = clocks.clock_of(case, "suspension")
        if case.state != "suspended" or clock is None or clock.status == Clock.Status.STOPPED:
            raise GuardFailed("以第四十一条第五项终止的，案件须正依照第三十九条第一款第一项、第二项或第四项中止审理。")
        if clock.due_date and on_date < clock.due_date:
            raise GuardFailed(f"中止尚未满六十日（至 {clock.due_date} 届满），不能依《行政复议法》第四十一条第五项终止。")
    return _conclude(case, "terminate", user, version=version, on=on_date, outcome=Case.Outcome.TERMINATED,
                     reason_text=_text(reason, "终止理由", required=False, max_length=2000),
                     extra={"termination_ground": grounds[ground]}, audit_reason=f"终止行政复议：{grounds[ground]}")


def do_serve(case: Case, user, *, version, on) -> Case:
    """送达: the decision takes effect on service (第七十五条); the case is closed."""
    on = _date(on, "送达日期")
    _not_future(on, "送达日期")
    return _act(case, "serve", user, version=version, on=on, reason="送达", changes={"served_on": on})


# ---------------------------------------------------------------------------
# 行政复议意见书 (第七十六条)
# ---------------------------------------------------------------------------
def do_issue_opinion(case: Case, user, *, on, recipient: Unit, content: str) -> OpinionLetter:
    case = scoping.get_visible_or_404(Case, user, pk=case.pk)
    if not _office_roles(user, case) & proc.OFFICE:
        raise RoleDenied("只有行政复议机构的协调员或负责人可以制发行政复议意见书。")
    if case.state not in ("trial", "suspended", "decided", "closed"):
        raise GuardFailed("行政复议意见书在办理行政复议案件过程中制发（《行政复议法》第七十六条），本案尚未受理。")
    on = _date(on, "制发日期")
    content = _text(content, "意见内容", max_length=20_000)
    gov = case.unit.government()
    if not isinstance(recipient, Unit) or not recipient.path.startswith(gov.path) or recipient.pk == gov.pk:
        raise InvalidInput("意见书的受文单位应为被申请人或者其他下级行政机关。")
    with transaction.atomic():
        letter = OpinionLetter.objects.create(unit=case.unit, state=proc.OPINION_PROCEDURE.initial, case=case,
                                              recipient=recipient, issued_on=on, content=content)
        audit.record("reconsideration.opinion", actor=user, obj=letter,
                     changes={"案件": case.display_number, "受文单位": recipient.name, "制发日期": on})
        clocks.start_clock(letter, "reply", "reconsideration.opinion_reply", on, actor=user,
                           reason="受文单位自收到意见书之日起六十日内反馈纠正情况", rule_on=case.rules_date or on)
    return letter


def do_record_opinion_reply(letter: OpinionLetter, user, *, version, on, text: str) -> OpinionLetter:
    on = _date(on, "收到反馈日期")
    text = _text(text, "纠正情况反馈", max_length=20_000)
    perform(letter, "record_reply", user, version=version, on=on, reason="收到意见书落实情况反馈",
            changes={"reply_on": on, "reply_text": text})
    return OpinionLetter.objects.get(pk=letter.pk)


# ---------------------------------------------------------------------------
# The system's own acts: ``fazhi reconsideration tick``
# ---------------------------------------------------------------------------
def reply_missing_note(due: dt.date) -> str:
    return (f"被申请人未在答复期限（{due} 届满）内提出书面答复、提交证据和依据：依《行政复议法》第七十条，"
            "视为该行政行为没有证据、依据，行政复议机关决定撤销、部分撤销该行政行为，确认该行政行为违法、无效"
            "或者决定被申请人在一定期限内履行，但是行政行为涉及第三人合法权益，第三人提供证据的除外。")


def suspension_note(due: dt.date, ground: str) -> str:
    return (f"依《行政复议法》第三十九条第一款{dict(proc.SUSPENSION_GROUNDS).get(ground, '')[:4]}中止，"
            f"至 {due} 已满六十日；中止原因仍未消除的，应当依第四十一条第五项终止行政复议。")


def _system_deem_accepted(case: Case, due: dt.date, today: dt.date) -> Case:
    """视为受理 by the system (第三十条第二款: the law accepts the case when the review period ran out):
    the declared transition through ``perform_system`` — same guards, clocks and audit as by hand."""
    note = deemed_acceptance_note(due)
    with transaction.atomic():
        current = perform_system(case, "deem_accepted", on=due, reason=note, context={"today": today},
                                 changes={"accepted_on": due, "acceptance_kind": Case.Acceptance.DEEMED,
                                          "acceptance_note": note})
        if current is None:  # someone acted on the case first
            return _fresh(case)
        return _start_trial(current, due, None, "视为受理")


def tick(on: dt.date | None = None) -> dict[str, list[str]]:
    """Idempotent daily run as of ``on`` (default today).

    - 视为受理 (第三十条第二款): a case still under acceptance review after its review period expired
      (``on`` is after the due date) is accepted as of the due date, with the legal ground recorded.
    - 逾期未答复 (第七十条): a reply period that expired without a reply is flagged on the case, with
      its consequence; the decision itself stays with the office.
    - 中止满六十日 (第四十一条第五项): flagged for the coordinator, not terminated automatically:
      whether "中止原因仍未消除" (e.g. the heirs have not yet decided) is a finding of fact the office
      must make; the termination is then ``do_terminate(ground="5")``.
    """
    on = on or clocks.today()
    done: dict[str, list[str]] = {"deemed_accepted": [], "reply_missing": [], "suspension_expired": []}
    ctype = ContentType.objects.get_for_model(Case)

    def open_clocks(name: str):
        return Clock.objects.filter(matter_type=ctype, name=name, status=Clock.Status.RUNNING,
                                    due_date__isnull=False)

    expired = open_clocks("acceptance").filter(due_date__lt=on)
    for clock in expired.order_by("due_date", "pk"):
        case = Case.objects.filter(pk=clock.matter_id, state="received").first()
        if case is not None:
            case = _system_deem_accepted(case, clock.due_date, on)
            done["deemed_accepted"].append(case.display_number)

    for clock in open_clocks("reply").filter(due_date__lt=on).order_by("due_date", "pk"):
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=clock.matter_id, reply_missing_flag=False,
                                                           state__in=["trial", "suspended"]).first()
            if case is None:
                continue
            note = reply_missing_note(clock.due_date)
            Case.objects.filter(pk=case.pk).update(reply_missing_flag=True, reply_missing_note=note[:300],
                                                   version=F("version") + 1, updated_at=timezone.now())
            audit.record("reconsideration.flag", obj=case, changes={"提示": "被申请人逾期未答复", "说明": note})
            done["reply_missing"].append(case.display_number)

    for clock in open_clocks("suspension").filter(due_date__lte=on).order_by("due_date", "pk"):
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=clock.matter_id, suspension_flag=False,
                                                           state="suspended").first()
            if case is None:
                continue
            current = case.suspensions.filter(to_on__isnull=True).order_by("-pk").first()
            note = suspension_note(clock.due_date, current.ground if current else "")
            Case.objects.filter(pk=case.pk).update(suspension_flag=True, suspension_note=note[:300],
                                                   version=F("version") + 1, updated_at=timezone.now())
            audit.record("reconsideration.flag", obj=case, changes={"提示": "中止满六十日", "说明": note})
            done["suspension_expired"].append(case.display_number)
    return done


# ---------------------------------------------------------------------------
# 纠错率口径 (per government)
# ---------------------------------------------------------------------------
def do_set_correction_formula(office: Office, user, code: str) -> Office:
    """A coordinator of the government chooses the named, versioned 纠错率 formula (metrics.FORMULAS)."""
    from .metrics import FORMULAS

    if code not in FORMULAS:
        raise InvalidInput(f"未知的纠错率口径：{code}")
    if not scoping.can_view_unit(user, office.government):
        raise Http404("未找到该单位，或您无权查看。")
    if Role.COORDINATOR not in scoping.roles_at(user, office.government):
        raise GuardFailed(f"只有{office.government.name}的法治协调员可以切换纠错率口径。")
    with transaction.atomic():
        current = Office.objects.select_for_update().get(pk=office.pk)
        before = current.correction_formula
        if before == code:
            return current
        Office.objects.filter(pk=office.pk).update(correction_formula=code, updated_at=timezone.now())
        audit.record("reconsideration.formula", actor=user, obj=current, unit=office.government,
                     changes={"纠错率口径": [before, code], "说明": FORMULAS[code].text})
    return Office.objects.get(pk=office.pk)
