"""行政复议: the statutory time limits and the case procedure, declared as data.

Law: 《中华人民共和国行政复议法》(2023年9月1日修订, in force 2024-01-01), statutory-rules.md §1.
Day counting (第八十八条): the law's 三日、五日、七日、十日 are working days; 30 and 60 days are
calendar days counted under the 民事诉讼法 rules (start day not counted, a period ending on a rest
day ends on the next working day). fazhi.core.deadlines implements both.

Clocks of a case (the names the services and pages use):

- ``acceptance``  受理审查 5 working days from receipt (第三十条); restarted when 补正 arrives (第三十一条).
- ``correction``  补正 10 working days for the applicant (第三十一条), extendable.
- ``copy``        申请书副本发送被申请人 7 / 3 working days from acceptance (第四十八条 / 第五十四条).
- ``reply``       被申请人书面答复 10 / 5 working days from receipt of the copy (第四十八条 / 第五十四条).
- ``trial``       审理期限 60 / 30 days from acceptance (第六十二条), paused while suspended (第三十九条),
                  extended once by ≤ 30 days (第六十二条第一款).
- ``suspension``  60 days of suspension on grounds (一)(二)(四) → termination (第四十一条第五项).
- an opinion letter's ``reply`` 60 days (第七十六条), on the OpinionLetter matter.

Which rule a clock uses may depend on the procedure type (ordinary / simplified); those clocks are
named in ``TYPE_RULES`` and started by the services inside the transition's transaction, because a
``ClockAction`` names one fixed rule. Everything that does not depend on the type is declared on
the transitions below.
"""
from __future__ import annotations

import datetime as dt

from fazhi.core.procedure import ClockAction, DeadlineOwner, Guard, Procedure, Rule, Transition

LAW = "《行政复议法》"
SINCE = dt.date(2024, 1, 1)  # the 2023 revision took effect on 2024-01-01


def _art(text: str) -> str:
    return f"{LAW}{text}"


RULES = [
    Rule("reconsideration.application", "申请期限", 60, "d", _art("第二十条第一款"), since=SINCE,
         note="自知道或者应当知道行政行为之日起六十日内提出申请；逾期的标记提示，由审查人员判断是否有正当理由，系统不自动拒收。"),
    Rule("reconsideration.acceptance", "受理审查", 5, "wd", _art("第三十条"), since=SINCE,
         note="审查期限届满未作出不予受理决定的，审查期限届满之日起视为受理。"),
    Rule("reconsideration.correction_notice", "补正通知", 5, "wd", _art("第三十一条第一款"), since=SINCE,
         note="自收到申请之日起五日内书面通知申请人补正，一次性载明需要补正的事项。"),
    Rule("reconsideration.correction", "申请人补正", 10, "wd", _art("第三十一条第一款"), since=SINCE,
         note="自收到补正通知之日起十日内提交补正材料；有正当理由的可以延长合理期限。"),
    Rule("reconsideration.copy", "发送申请书副本（普通程序）", 7, "wd", _art("第四十八条"), since=SINCE),
    Rule("reconsideration.copy_simplified", "发送申请书副本（简易程序）", 3, "wd", _art("第五十四条"), since=SINCE),
    Rule("reconsideration.reply", "被申请人答复（普通程序）", 10, "wd", _art("第四十八条"), since=SINCE,
         note="逾期不答复的，视为该行政行为没有证据、依据（第七十条）。"),
    Rule("reconsideration.reply_simplified", "被申请人答复（简易程序）", 5, "wd", _art("第五十四条"), since=SINCE,
         note="逾期不答复的，视为该行政行为没有证据、依据（第七十条）。"),
    Rule("reconsideration.trial", "审理期限（普通程序）", 60, "d", _art("第六十二条第一款"), since=SINCE,
         note="情况复杂的，经行政复议机构负责人批准可以适当延长，最多不超过三十日。"),
    Rule("reconsideration.trial_simplified", "审理期限（简易程序）", 30, "d", _art("第六十二条第二款"), since=SINCE),
    Rule("reconsideration.hearing_notice", "听证通知", 5, "wd", _art("第五十一条"), since=SINCE,
         note="应当于举行听证的五日前将听证的时间、地点和拟听证事项书面通知当事人。"),
    Rule("reconsideration.suspension_limit", "中止满六十日", 60, "d", _art("第四十一条第五项"), since=SINCE,
         note="依照第三十九条第一款第一项、第二项、第四项中止满六十日，中止原因仍未消除的，终止行政复议。"),
    Rule("reconsideration.opinion_reply", "意见书落实情况反馈", 60, "d", _art("第七十六条"), since=SINCE),
]

EXTENSION_MAX_DAYS = 30  # 第六十二条第一款: "延长期限最多不超过三十日"
SIMPLIFIED_AMOUNT_LIMIT = 3000  # 第五十三条第一款第三项: 款额三千元以下

# Clocks whose rule depends on the case's procedure type: {clock: {type: rule code}}.
TYPE_RULES = {
    "copy": {"ordinary": "reconsideration.copy", "simplified": "reconsideration.copy_simplified"},
    "reply": {"ordinary": "reconsideration.reply", "simplified": "reconsideration.reply_simplified"},
    "trial": {"ordinary": "reconsideration.trial", "simplified": "reconsideration.trial_simplified"},
}

# 第三十九条第一款: grounds of suspension. Grounds (一)(二)(四) lead to termination after 60 days (第四十一条).
SUSPENSION_GROUNDS = [
    ("1", "（一）作为申请人的自然人死亡，其近亲属尚未确定是否参加行政复议"),
    ("2", "（二）作为申请人的自然人丧失参加行政复议的行为能力，尚未确定法定代理人参加行政复议"),
    ("3", "（三）作为申请人的自然人下落不明"),
    ("4", "（四）作为申请人的法人或者其他组织终止，尚未确定权利义务承受人"),
    ("5", "（五）申请人、被申请人因不可抗力或者其他正当理由，不能参加行政复议"),
    ("6", "（六）依照本法规定进行调解、和解，申请人和被申请人同意中止"),
    ("7", "（七）行政复议案件涉及的法律适用问题需要有权机关作出解释或者确认"),
    ("8", "（八）行政复议案件审理需要以其他案件的审理结果为依据，而其他案件尚未审结"),
    ("9", "（九）有本法第五十六条或者第五十七条规定的情形"),
    ("10", "（十）需要中止行政复议的其他情形"),
]
SUSPENSION_TERMINATION_GROUNDS = {"1", "2", "4"}

# 第五十二条第一款: when the reconsideration committee is consulted.
CONSULTATION_GROUNDS = [
    ("1", "（一）案情重大、疑难、复杂"),
    ("2", "（二）专业性、技术性较强"),
    ("3", "（三）本法第二十四条第二款规定的行政复议案件"),
    ("4", "（四）行政复议机构认为有必要"),
]

# 第四十一条: grounds of termination other than withdrawal (withdrawal is its own operation).
TERMINATION_GROUNDS = [
    ("2", "（二）作为申请人的自然人死亡，没有近亲属或者其近亲属放弃行政复议权利"),
    ("3", "（三）作为申请人的法人或者其他组织终止，没有权利义务承受人或者其权利义务承受人放弃行政复议权利"),
    ("4", "（四）申请人对行政拘留或者限制人身自由的行政强制措施不服申请行政复议后，因同一违法行为涉嫌犯罪，被采取刑事强制措施"),
    ("5", "（五）依照本法第三十九条第一款第一项、第二项、第四项的规定中止行政复议满六十日，行政复议中止的原因仍未消除"),
]


def _clock_due(case, name: str):
    from fazhi.core import clocks

    clock = clocks.clock_of(case, name)
    return clock.due_date if clock is not None and clock.status != clock.Status.STOPPED else None


def _within_review(case, ctx) -> bool:
    """第三十条: a decision on acceptance is possible only within the review period."""
    due = _clock_due(case, "acceptance")
    return due is None or ctx["on"] <= due


def _review_expired(case, ctx) -> bool:
    due = _clock_due(case, "acceptance")
    return due is not None and ctx.get("today", ctx["on"]) > due


def _correction_expired(case, ctx) -> bool:
    due = _clock_due(case, "correction")
    return due is not None and ctx["on"] > due


def _simplified_ok(case, ctx) -> bool:
    from .models import Case

    if case.procedure_type != Case.ProcedureType.SIMPLIFIED:
        return True
    if case.simplified_ground not in Case.SimplifiedGround.values:
        return False
    if case.simplified_ground == Case.SimplifiedGround.AMOUNT:
        return case.amount is not None and case.amount <= SIMPLIFIED_AMOUNT_LIMIT
    return True


def _is_ordinary(case, ctx) -> bool:
    return case.procedure_type == "ordinary"


def _is_simplified(case, ctx) -> bool:
    # The conversion itself changes the type: ask the stored row.
    return type(case)._default_manager.filter(pk=case.pk, procedure_type="simplified").exists()


def _not_extended(case, ctx) -> bool:
    return not case.extensions.exists()


def _no_previous_correction(case, ctx) -> bool:
    return not case.corrections.exists()


def _copy_not_sent(case, ctx) -> bool:
    # Guards see the transition's own changes applied: ask the stored row.
    return type(case)._default_manager.filter(pk=case.pk, copy_sent_on__isnull=True).exists()


def _outcome_is(*allowed):
    return lambda case, ctx: case.outcome in allowed


def _concluded_after_acceptance(case, ctx) -> bool:
    return case.accepted_on is None or case.concluded_on is None or case.concluded_on >= case.accepted_on


def _served_after_conclusion(case, ctx) -> bool:
    return case.served_on is not None and case.concluded_on is not None and case.served_on >= case.concluded_on


def _has_text(field):
    return lambda case, ctx: bool((getattr(case, field) or "").strip())


OFFICE = {"coordinator", "leader"}  # the 行政复议机构's staff (复议专员 hold the coordinator role)
OFFICE_ALL = {"coordinator", "leader", "operator"}
# The respondent's staff who answer a case (the same roles as models.RESPONDENT_ROLES, which decide
# who sees the cases against their unit; services.can_answer lets them file the reply).
RESPONDENT = {"operator", "leader"}

DECISION_OUTCOMES = ("altered", "revoked", "revoked_redo", "confirmed_illegal", "ordered_performance",
                     "confirmed_void", "upheld", "dismissed_request", "dismissed_application")

_WITHIN_REVIEW = Guard(_within_review, "受理审查期限已届满：依《行政复议法》第三十条第二款，审查期限届满之日起视为受理，"
                                      "请办理“记录视为受理”；受理后发现不符合受理条件的，依第三十三条决定驳回申请。")
_STOP_PENDING = [ClockAction("stop", "trial"), ClockAction("stop", "copy"), ClockAction("stop", "reply"),
                 ClockAction("stop", "suspension")]

PROCEDURE = Procedure(
    key="reconsideration.case",
    label="行政复议案件",
    states={
        "received": "受理审查中",
        "correction": "待补正",
        "trial": "审理中",
        "suspended": "中止审理",
        "decided": "已结案待送达",
        "closed": "已送达",
        "refused": "不予受理",
        "abandoned": "视为放弃申请",
    },
    initial="received",
    final={"closed", "refused", "abandoned"},
    transitions=[
        # --- 受理审查 (第三十条、第三十一条) ---------------------------------------------
        Transition("request_correction", "通知补正", ["received"], "correction", OFFICE,
                   guards=[_WITHIN_REVIEW,
                           Guard(_no_previous_correction, "补正通知应当一次性载明需要补正的事项（《行政复议法》第三十一条第一款），"
                                                          "本案已通知过补正，不能再次通知。"),
                           Guard(_has_text("correction_items"), "请写明需要补正的事项（《行政复议法》第三十一条第一款）。")],
                   clocks=[ClockAction("stop", "acceptance"),
                           ClockAction("start", "correction", "reconsideration.correction")]),
        Transition("extend_correction", "延长补正期限", ["correction"], "correction", OFFICE),
        Transition("receive_correction", "收到补正材料", ["correction"], "received", OFFICE_ALL,
                   # 第三十一条: the corrected application is reviewed again under 第三十条 (a fresh 5 working days).
                   clocks=[ClockAction("stop", "correction"),
                           ClockAction("start", "acceptance", "reconsideration.acceptance")]),
        Transition("abandon", "记录视为放弃申请", ["correction"], "abandoned", OFFICE,
                   guards=[Guard(_correction_expired, "补正期限尚未届满，不能视为放弃（《行政复议法》第三十一条第二款：无正当理由逾期不补正的，"
                                                      "视为申请人放弃行政复议申请）。")],
                   clocks=[ClockAction("stop", "correction")]),
        Transition("accept", "受理", ["received"], "trial", OFFICE,
                   guards=[_WITHIN_REVIEW,
                           Guard(_simplified_ok, "适用简易程序须属于《行政复议法》第五十三条规定的情形：当场作出、警告或者通报批评、"
                                                 "款额三千元以下、政府信息公开案件，或者当事人各方同意。")],
                   clocks=[ClockAction("stop", "acceptance")]),
        Transition("deem_accepted", "记录视为受理", ["received"], "trial", {"coordinator"},
                   guards=[Guard(_review_expired, "受理审查期限尚未届满，不能记录视为受理（《行政复议法》第三十条第二款）。")],
                   clocks=[ClockAction("stop", "acceptance")]),
        Transition("refuse", "不予受理", ["received"], "refused", OFFICE,
                   guards=[_WITHIN_REVIEW,
                           Guard(_has_text("refusal_reason"), "不予受理决定应当说明理由（《行政复议法》第三十条第一款）。")],
                   clocks=[ClockAction("stop", "acceptance")]),
        # --- 审理 ------------------------------------------------------------------------
        Transition("send_copy", "发送申请书副本", ["trial"], "trial", OFFICE_ALL,
                   guards=[Guard(_copy_not_sent, "申请书副本已发送被申请人，不能重复发送。")],
                   clocks=[ClockAction("stop", "copy")]),
        Transition("extend", "延长审理期限", ["trial"], "trial", OFFICE,
                   guards=[Guard(_is_ordinary, "只有适用普通程序的案件可以延长审理期限（《行政复议法》第六十二条第一款）；"
                                               "简易程序案件须先转为普通程序。"),
                           Guard(_not_extended, "审理期限只能延长一次，且最多不超过三十日（《行政复议法》第六十二条第一款），"
                                                "本案已延长过。")]),
        Transition("convert", "转为普通程序", ["trial"], "trial", OFFICE,
                   guards=[Guard(_is_simplified, "本案已适用普通程序，无需转换（《行政复议法》第五十五条）。")]),
        Transition("schedule_hearing", "安排听证", ["trial"], "trial", OFFICE,
                   guards=[Guard(_is_ordinary, "听证是普通程序的审理方式（《行政复议法》第五十条）；简易程序案件须先转为普通程序。")]),
        Transition("record_hearing", "记录听证笔录", ["trial"], "trial", OFFICE_ALL),
        Transition("consult", "提请行政复议委员会咨询", ["trial"], "trial", OFFICE),
        Transition("suspend", "中止审理", ["trial"], "suspended", OFFICE,
                   clocks=[ClockAction("pause", "trial")]),
        Transition("resume", "恢复审理", ["suspended"], "trial", OFFICE,
                   clocks=[ClockAction("resume", "trial"), ClockAction("stop", "suspension")]),
        # --- 结案 (第六十三条至第六十九条、第七十三条、第七十四条、第四十一条) ---------------------
        Transition("decide", "作出行政复议决定", ["trial"], "decided", OFFICE,
                   guards=[Guard(_outcome_is(*DECISION_OUTCOMES), "请选择行政复议决定的类型（《行政复议法》第六十三条至第六十九条、第三十三条）。"),
                           Guard(_concluded_after_acceptance, "决定日期不能早于受理日期。")],
                   clocks=_STOP_PENDING),
        Transition("mediate", "制作调解书", ["trial", "suspended"], "decided", OFFICE,
                   guards=[Guard(_concluded_after_acceptance, "调解书日期不能早于受理日期。")],
                   clocks=_STOP_PENDING),
        Transition("withdraw", "准予撤回并终止", ["trial", "suspended"], "decided", OFFICE,
                   guards=[Guard(_concluded_after_acceptance, "终止日期不能早于受理日期。")],
                   clocks=_STOP_PENDING),
        Transition("terminate", "终止行政复议", ["trial", "suspended"], "decided", OFFICE,
                   guards=[Guard(_has_text("termination_ground"), "请选择终止行政复议的法定情形（《行政复议法》第四十一条）。"),
                           Guard(_concluded_after_acceptance, "终止日期不能早于受理日期。")],
                   clocks=_STOP_PENDING),
        Transition("serve", "送达", ["decided"], "closed", OFFICE_ALL,
                   guards=[Guard(_served_after_conclusion, "送达日期不能早于结案日期。")]),
    ],
    # 第四十八条: the respondent answers within 10 (简易程序 5) working days of receiving the copy. The
    # reply is not a transition (services.do_record_reply) and the respondent holds no role at the
    # office's unit, so the reply clock is declared theirs: it shows in their inbox.
    deadline_owners=[
        DeadlineOwner("reply", "提交答复", roles=RESPONDENT, unit_field="respondent_unit",
                      states=["trial", "suspended"]),
    ],
)

# An opinion letter (行政复议意见书, 第七十六条) is a matter of its own: its 60-day report-back clock
# shows in the inbox of the office, also after the case itself is closed.
OPINION_PROCEDURE = Procedure(
    key="reconsideration.opinion",
    label="行政复议意见书",
    states={"issued": "已制发，待反馈", "answered": "已反馈"},
    initial="issued",
    final={"answered"},
    transitions=[
        Transition("record_reply", "记录整改情况反馈", ["issued"], "answered", OFFICE_ALL,
                   guards=[Guard(_has_text("reply_text"), "请填写被申请人或下级机关反馈的纠正情况。")],
                   clocks=[ClockAction("stop", "reply")]),
    ],
)

# Audit action labels of the module's own (non-transition) services.
ACTION_LABELS = {
    "reconsideration.register": "登记行政复议申请",
    "reconsideration.reply": "收到被申请人答复",
    "reconsideration.flag": "行政复议提示",
    "reconsideration.tracking_code": "重新生成查询码",
    "reconsideration.formula": "切换纠错率口径",
    "reconsideration.opinion": "制发行政复议意见书",
    "reconsideration.applicant": "登记申请人",
}
