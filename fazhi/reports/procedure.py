"""年度报告 (法治政府建设年度报告): the report's workflow and the units' contributions.

Publication: 《法治政府建设与责任落实督察工作规定》第二十四条 — 每年4月1日之前，地方各级政府和县级以上政府
部门的法治政府建设年度报告应当向社会公开. The clock starts when the report is opened (or, for a report opened after
the legal date, the day before that date, so it shows overdue with the real date) and is extended
(in the same transaction, recorded in its ledger) to the last working day before April 1 of the next
year: a calendar-day period would otherwise roll a weekend 31 March forward past the legal date.
Contributions (单位材料) have the due date the coordinator sets when requesting them.
"""
from __future__ import annotations

from fazhi.core.procedure import ClockAction, Guard, Procedure, Rule, Transition

CITATION_PUBLISH = "《法治政府建设与责任落实督察工作规定》第二十四条"

RULES = [
    Rule("reports.publication", "年度报告向社会公开（4月1日之前）", 1, "d", CITATION_PUBLISH,
         note="截止日为报告年度次年4月1日之前的最后一个工作日；期限自报告起草之日起算，按截止日记录延长。"),
    Rule("reports.contribution", "报送年度报告材料", 1, "d", "年度报告材料征集通知规定的截止日",
         note="自征集之日起算，按通知规定的截止日延长。"),
]


def _all_contributions_approved(report, ctx) -> bool:
    return not report.contributions.exclude(state="approved").exists()


REPORT_PROCEDURE = Procedure(
    key="reports.annual_report",
    label="法治政府建设年度报告",
    states={
        "new": "待起草",
        "draft": "起草中",
        "collecting": "征集单位材料",
        "editing": "统稿中",
        "pending": "待审批",
        "approved": "已批准",
        "published": "已公开",
    },
    initial="new",
    final={"published"},
    transitions=[
        # The publication clock is started by services.create_report in the same transaction: its
        # start depends on whether the legal date has already passed (see _start_publication_clock).
        Transition("open", "起草", source=["new"], target="draft", roles={"coordinator"}),
        Transition("request", "征集单位材料", source=["draft"], target="collecting", roles={"coordinator"}),
        Transition("edit", "开始统稿", source=["draft", "collecting"], target="editing", roles={"coordinator"},
                   guards=[Guard(_all_contributions_approved, "尚有单位材料未经单位负责人审核报送，不能开始统稿。")]),
        Transition("submit", "报请审批", source=["editing"], target="pending", roles={"coordinator"}),
        Transition("approve", "审批同意", source=["pending"], target="approved", roles={"leader"}),
        Transition("send_back", "退回修改", source=["pending"], target="editing", roles={"leader"},
                   guards=[Guard(lambda m, ctx: bool((ctx.get("reason") or "").strip()), "退回须写明意见。")]),
        Transition("publish", "向社会公开", source=["approved"], target="published", roles={"coordinator"},
                   clocks=[ClockAction("stop", "publication")]),
    ],
)

CONTRIBUTION_PROCEDURE = Procedure(
    key="reports.contribution",
    label="年度报告单位材料",
    states={"new": "待征集", "writing": "撰写中", "submitted": "待单位负责人审核", "approved": "已报送",
            "returned": "已退回修改"},
    initial="new",
    final={"approved"},
    transitions=[
        Transition("issue", "征集", source=["new"], target="writing", roles={"coordinator"},
                   clocks=[ClockAction("start", "contribution", rule="reports.contribution")]),
        Transition("submit", "报单位负责人审核", source=["writing", "returned"], target="submitted",
                   roles={"operator", "leader"},
                   guards=[Guard(lambda m, ctx: bool(m.text.strip()), "材料内容为空，不能报送。")]),
        Transition("approve", "审核同意并报送", source=["submitted"], target="approved", roles={"leader"},
                   clocks=[ClockAction("stop", "contribution")]),
        Transition("reject", "退回经办人修改", source=["submitted"], target="writing", roles={"leader"},
                   guards=[Guard(lambda m, ctx: bool((ctx.get("reason") or "").strip()), "退回须写明意见。")]),
        Transition("send_back", "退回单位修改", source=["approved"], target="returned", roles={"coordinator"},
                   guards=[Guard(lambda m, ctx: bool((ctx.get("reason") or "").strip()), "退回须写明意见。")]),
    ],
)
