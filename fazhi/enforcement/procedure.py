"""监督意见书 and 执法投诉: states, transitions and clocks, declared as data (fazhi.core.procedure).

No national statute fixes the reply period of a 监督意见书 or the handling period of an
enforcement complaint; provincial 行政执法监督条例/办法 do, and they differ. The limits below are
the common provincial figure and are declared as versioned rules, so a government with another
local rule adds a version instead of changing code.
"""
from __future__ import annotations

from fazhi.core.procedure import ClockAction, Guard, Procedure, Rule, Transition

LOCAL = "地方行政执法监督规定（省级行政执法监督条例/办法，各地不一）"

RULES = [
    Rule("enforcement.opinion_reply", "监督意见书回复与整改", 30, "d", LOCAL,
         note="被监督单位自收到行政执法监督意见书之日起三十日内书面回复整改情况；退回重新整改的重新起算。"),
    Rule("enforcement.complaint", "执法投诉办理", 60, "d", LOCAL,
         note="自受理执法投诉之日起六十日内办结并答复投诉人。"),
]

COORDINATOR = {"coordinator"}
UNIT_STAFF = {"operator", "leader"}

OPINION_PROCEDURE = Procedure(
    key="enforcement.opinion", label="行政执法监督意见书",
    states={"draft": "草稿", "issued": "已制发，待回复", "replied": "已回复，待审核", "closed": "已办结"},
    transitions=[
        Transition("issue", "制发", source=["draft"], target="issued", roles=COORDINATOR,
                   clocks=[ClockAction("start", "reply", rule="enforcement.opinion_reply")]),
        Transition("reply", "回复整改情况", source=["issued"], target="replied", roles=UNIT_STAFF,
                   guards=[Guard(lambda m, ctx: bool((m.reply or "").strip()), "请填写回复与整改情况。")],
                   clocks=[ClockAction("stop", "reply")]),
        Transition("return", "退回重新整改", source=["replied"], target="issued", roles=COORDINATOR,
                   clocks=[ClockAction("start", "reply", rule="enforcement.opinion_reply")]),
        Transition("close", "审核办结", source=["replied"], target="closed", roles=COORDINATOR),
    ],
    final={"closed"},
)

COMPLAINT_PROCEDURE = Procedure(
    key="enforcement.complaint", label="执法投诉",
    states={"received": "已受理", "replied": "已答复", "closed": "已办结"},
    transitions=[
        Transition("reply", "答复投诉人", source=["received"], target="replied", roles=UNIT_STAFF | COORDINATOR,
                   guards=[Guard(lambda m, ctx: bool((m.reply or "").strip()), "请填写处理结果。")],
                   clocks=[ClockAction("stop", "handling")]),
        Transition("close", "审核办结", source=["replied"], target="closed", roles=COORDINATOR),
    ],
    final={"closed"},
)
