"""统计填报: a unit's return for one form and one period — filled by its operator, approved by its
leader, accepted (or sent back) by the coordinator who issued it.

The due date of a return is not statutory: the coordinator sets it in the notice (填报通知). The
clock starts on the day of issue under a one-day rule and is extended, in the same transaction, to
the notice's due date (recorded in the ledger with the coordinator as approver), so the inbox, the
overdue list and the clock page say the same thing. A return sent back gets a fresh clock of five
working days for the correction.
"""
from __future__ import annotations

from fazhi.core.procedure import ClockAction, Guard, Procedure, Rule, Transition

RULES = [
    Rule("returns.submission", "统计报表报送期限", 1, "d", "填报通知规定的报送截止日",
         note="自下发之日起算，按填报通知规定的截止日延长；截止日为休息日的，顺延至其后第一个工作日。"),
    Rule("returns.correction", "退回修改后重新报送", 5, "wd", "填报通知（退回修改）",
         note="协调员退回后，填报单位应在5个工作日内修改并重新报送。"),
]

STATES = {
    "new": "待下发",
    "filling": "填报中",
    "submitted": "待单位负责人审核",
    "approved": "待协调员验收",
    "returned": "已退回修改",
    "accepted": "已验收",
}

HAS_VALUES = Guard(lambda m, ctx: m.values.exists(), "报表尚未填写任何数据，不能报送。")
NO_ERRORS = Guard(lambda m, ctx: not m.validation_errors(), "报表数据未通过校验，请按提示修改后再报送。")
HAS_COMMENT = Guard(lambda m, ctx: bool((ctx.get("reason") or "").strip()), "退回须写明退回意见。")

PROCEDURE = Procedure(
    key="returns.return",
    label="统计报表",
    states=STATES,
    initial="new",
    final={"accepted"},
    transitions=[
        Transition("issue", "下发", source=["new"], target="filling", roles={"coordinator"},
                   clocks=[ClockAction("start", "submission", rule="returns.submission")]),
        Transition("submit", "报送单位负责人审核", source=["filling", "returned"], target="submitted",
                   roles={"operator", "leader"}, guards=[HAS_VALUES, NO_ERRORS]),
        Transition("approve", "审核同意并报送", source=["submitted"], target="approved", roles={"leader"},
                   guards=[NO_ERRORS],
                   clocks=[ClockAction("stop", "submission"), ClockAction("stop", "correction")]),
        Transition("reject", "退回经办人修改", source=["submitted"], target="filling", roles={"leader"},
                   guards=[HAS_COMMENT]),
        Transition("accept", "验收", source=["approved"], target="accepted", roles={"coordinator"}),
        Transition("send_back", "退回修改", source=["approved"], target="returned", roles={"coordinator"},
                   guards=[HAS_COMMENT],
                   clocks=[ClockAction("start", "correction", rule="returns.correction")]),
    ],
)
