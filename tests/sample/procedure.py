"""A small sample procedure that proves the engine (test-only; real modules declare their own)."""
import datetime as dt

from fazhi.core.procedure import ClockAction, Guard, Procedure, Rule, Transition

RULES = [
    Rule("sample.review", "受理审查", 5, "wd", "样例：《行政复议法》第三十条", since=dt.date(2024, 1, 1)),
    # An older version of the same rule, to prove rules are picked by effective date.
    Rule("sample.review", "受理审查", 7, "wd", "样例：旧法第十七条", since=dt.date(2000, 1, 1), until=dt.date(2023, 12, 31)),
    Rule("sample.correction", "补正", 10, "wd", "样例：《行政复议法》第三十一条", since=dt.date(2024, 1, 1)),
    Rule("sample.trial", "审理", 60, "d", "样例：《行政复议法》第六十二条", since=dt.date(2024, 1, 1)),
]

PROCEDURE = Procedure(
    key="sample.matter",
    label="样例事项",
    states={
        "draft": "草稿",
        "review": "受理审查中",
        "correction": "待补正",
        "trial": "审理中",
        "suspended": "中止审理",
        "closed": "已办结",
    },
    final={"closed"},
    transitions=[
        Transition("submit", "提交", ["draft"], "review", {"operator", "coordinator"},
                   guards=[Guard(lambda m, ctx: bool(m.title.strip()), "标题不能为空，不能提交。")],
                   clocks=[ClockAction("start", "review", "sample.review")]),
        Transition("request_correction", "通知补正", ["review"], "correction", {"coordinator"},
                   clocks=[ClockAction("pause", "review"), ClockAction("start", "correction", "sample.correction")]),
        Transition("corrected", "收到补正材料", ["correction"], "review", {"coordinator", "operator"},
                   clocks=[ClockAction("stop", "correction"), ClockAction("resume", "review"),
                           ClockAction("restart", "review")]),
        Transition("accept", "受理", ["review"], "trial", {"coordinator"},
                   guards=[Guard(lambda m, ctx: m.has_materials, "材料不齐，不能受理。")],
                   clocks=[ClockAction("stop", "review"), ClockAction("start", "trial", "sample.trial")]),
        Transition("suspend", "中止审理", ["trial"], "suspended", {"coordinator"},
                   clocks=[ClockAction("pause", "trial")]),
        Transition("resume", "恢复审理", ["suspended"], "trial", {"coordinator"},
                   clocks=[ClockAction("resume", "trial")]),
        Transition("decide", "作出决定", ["trial"], "closed", {"coordinator", "leader"},
                   clocks=[ClockAction("stop", "trial")]),
    ],
)
