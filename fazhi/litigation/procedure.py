"""行政应诉: the statutory time limits and the procedure of a case in which an agency is the defendant.

Periods are calendar days: the start day is not counted and a period whose last day is a holiday
ends on the first working day after it (行诉法解释 第四十八条; statutory-rules.md §0.4). There is no
working-day conversion in litigation.

Flow: 登记 (起诉状副本送达) → 答辩 → 开庭 → 一审判决/裁定 → 上诉期 → 生效 | 上诉 → 二审 → 终审 (or
发回重审 → 一审 again). 调解 closes the case at once (调解书 is not appealable).
"""
from __future__ import annotations

import datetime as dt

from fazhi.core import clocks
from fazhi.core.procedure import ClockAction, Guard, Procedure, Rule, Transition

AMENDED_2015 = dt.date(2015, 5, 1)  # 《行政诉讼法》2014年修正施行
LAW_1990 = dt.date(1990, 10, 1)  # 《行政诉讼法》(1989) 施行
ROLLOVER_NOTE = "期间届满的最后一日是节假日的，以节假日后的第一日为期间届满的日期（行诉法解释第四十八条）。"

RULES = [
    # 第六十七条第一款: 被告应当在收到起诉状副本之日起十五日内提交证据和规范性文件，并提出答辩状。
    Rule("litigation.answer", "提交答辩状和证据", 15, "d", "《行政诉讼法》第六十七条第一款",
         since=AMENDED_2015, note=ROLLOVER_NOTE + "逾期提供证据的，视为没有相应证据（第三十四条第二款）。"),
    # 1989年法第四十三条: 十日内提交作出具体行政行为的有关材料，并提出答辩状。
    Rule("litigation.answer", "提交答辩状和证据", 10, "d", "《行政诉讼法》（1989年）第四十三条",
         since=LAW_1990, until=AMENDED_2015 - dt.timedelta(days=1), note=ROLLOVER_NOTE),
    # 第八十五条: 不服一审判决，判决书送达之日起十五日内上诉；不服一审裁定，裁定书送达之日起十日内上诉。
    Rule("litigation.appeal_judgment", "判决上诉期", 15, "d", "《行政诉讼法》第八十五条",
         since=AMENDED_2015, note=ROLLOVER_NOTE + "自判决书送达之日起计算。"),
    Rule("litigation.appeal_judgment", "判决上诉期", 15, "d", "《行政诉讼法》（1989年）第五十八条",
         since=LAW_1990, until=AMENDED_2015 - dt.timedelta(days=1), note=ROLLOVER_NOTE),
    Rule("litigation.appeal_ruling", "裁定上诉期", 10, "d", "《行政诉讼法》第八十五条",
         since=AMENDED_2015, note=ROLLOVER_NOTE + "自裁定书送达之日起计算。"),
    Rule("litigation.appeal_ruling", "裁定上诉期", 10, "d", "《行政诉讼法》（1989年）第五十八条",
         since=LAW_1990, until=AMENDED_2015 - dt.timedelta(days=1), note=ROLLOVER_NOTE),
]

STATES = {
    "draft": "待登记",
    "served": "已收到起诉状副本",
    "answered": "已答辩",
    "in_trial": "一审审理中",
    "judged": "一审已裁判（上诉期内）",
    "appealed": "二审审理中",
    "final": "已生效结案",
}

HANDLERS = {"operator", "coordinator"}  # the defendant unit's operators; the coordinator everything
BEFORE_JUDGMENT = ["served", "answered", "in_trial"]


def _appeal_due(m) -> dt.date | None:
    clock = clocks.clock_of(m, "appeal")
    return clock.due_date if clock is not None else None


def _within_appeal_period(m, ctx) -> bool:
    due = _appeal_due(m)
    return due is None or ctx["on"] <= due


def _after_appeal_period(m, ctx) -> bool:
    due = _appeal_due(m)
    return due is not None and ctx["on"] > due


def _not_before(field: str, other: str):
    def check(m, ctx) -> bool:
        a, b = getattr(m, field), getattr(m, other)
        return a is not None and (b is None or a >= b)

    return check


HAS_SERVED = Guard(lambda m, ctx: m.served_on is not None, "请填写收到起诉状副本的日期。")
HAS_COURT = Guard(lambda m, ctx: bool(m.court.strip()) and bool(m.case_number.strip()),
                  "请填写受理法院和法院案号。")
ON_NOT_BEFORE_SERVICE = Guard(lambda m, ctx: m.served_on is None or ctx["on"] >= m.served_on,
                              "办理日期不能早于收到起诉状副本的日期。")
RESULT_CHOSEN = Guard(lambda m, ctx: bool(m.result), "请选择裁判结果。")
RESULT_SERVED = Guard(_not_before("result_served_on", "served_on"),
                      "请填写裁判文书送达日期，且不能早于收到起诉状副本的日期。")
NOT_MEDIATION = Guard(lambda m, ctx: m.result != "mediated", "调解结案请使用“调解结案”，调解书不适用上诉期。")

PROCEDURE = Procedure(
    key="litigation.case",
    label="行政应诉案件",
    states=STATES,
    final={"final"},
    transitions=[
        Transition("register", "登记案件", ["draft"], "served", HANDLERS,
                   guards=[HAS_SERVED, HAS_COURT],
                   clocks=[ClockAction("start", "answer", "litigation.answer")]),
        Transition("file_answer", "提交答辩状和证据", ["served"], "answered", HANDLERS,
                   guards=[Guard(_not_before("answer_filed_on", "served_on"),
                                 "请填写提交答辩状的日期，且不能早于收到起诉状副本的日期。")],
                   clocks=[ClockAction("stop", "answer")]),
        # A hearing may take place although no answer was filed (第六十七条第二款: 不影响审理).
        Transition("hearing", "登记开庭", BEFORE_JUDGMENT, "in_trial", HANDLERS,
                   guards=[ON_NOT_BEFORE_SERVICE],
                   clocks=[ClockAction("stop", "answer")]),
        Transition("record_judgment", "登记一审判决", BEFORE_JUDGMENT, "judged", HANDLERS,
                   guards=[RESULT_CHOSEN, NOT_MEDIATION,
                           Guard(lambda m, ctx: m.result_kind == "judgment", "裁判文书类型应为“判决”。"),
                           RESULT_SERVED],
                   clocks=[ClockAction("stop", "answer"),
                           ClockAction("start", "appeal", "litigation.appeal_judgment")]),
        Transition("record_ruling", "登记一审裁定", BEFORE_JUDGMENT, "judged", HANDLERS,
                   guards=[RESULT_CHOSEN, NOT_MEDIATION,
                           Guard(lambda m, ctx: m.result_kind == "ruling", "裁判文书类型应为“裁定”。"),
                           RESULT_SERVED],
                   clocks=[ClockAction("stop", "answer"),
                           ClockAction("start", "appeal", "litigation.appeal_ruling")]),
        # 第六十条: 调解书经双方签收即生效，不能上诉；案件即告结案。
        Transition("record_mediation", "调解结案", BEFORE_JUDGMENT, "final", HANDLERS,
                   guards=[Guard(lambda m, ctx: m.result == "mediated" and m.result_kind == "mediation",
                                 "调解结案须登记调解书。"), RESULT_SERVED],
                   clocks=[ClockAction("stop", "answer")]),
        Transition("appeal", "登记上诉", ["judged"], "appealed", HANDLERS,
                   guards=[Guard(lambda m, ctx: bool(m.appellant), "请选择上诉人。"),
                           Guard(_within_appeal_period, "上诉日期已超过上诉期限（《行政诉讼法》第八十五条），"
                                                        "不能登记为上诉；如法院已受理逾期上诉，请联系法治协调员。")],
                   clocks=[ClockAction("stop", "appeal")]),
        Transition("finalise", "登记裁判生效", ["judged"], "final", HANDLERS,
                   guards=[Guard(_after_appeal_period, "上诉期限尚未届满，裁判尚未生效，不能登记生效"
                                                       "（《行政诉讼法》第八十五条）。")],
                   clocks=[ClockAction("stop", "appeal")]),
        Transition("appeal_hearing", "登记二审开庭", ["appealed"], "appealed", HANDLERS,
                   guards=[ON_NOT_BEFORE_SERVICE]),
        Transition("record_second_instance", "登记二审裁判（终审）", ["appealed"], "final", HANDLERS,
                   guards=[Guard(lambda m, ctx: bool(m.second_outcome), "请选择二审结果。"),
                           Guard(lambda m, ctx: bool(m.final_result), "请选择生效裁判结果。")]),
        Transition("remand", "发回重审", ["appealed"], "in_trial", HANDLERS,
                   clocks=[ClockAction("stop", "appeal")]),
    ],
)
