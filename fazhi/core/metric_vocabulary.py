"""The metric vocabulary of published annual reports (法治政府建设情况报告), issue 5.

These codes are what the benchmark extractor maps report figures onto and what the annual report
compiles. They are registered without a source: the module that records the data (reconsideration,
litigation, normdocs …) or a statistical return registers the same code with a computation, and the
registry then uses that one instead (see ``fazhi.core.metrics.register``).
"""
from __future__ import annotations

from .metrics import Metric, register

# (code, label, unit, formula 口径)
VOCABULARY: list[tuple[str, str, str, str]] = [
    # 行政复议
    ("reconsideration.received", "收到行政复议申请", "件", "统计期内收到的行政复议申请件数。"),
    ("reconsideration.accepted", "受理行政复议案件", "件", "统计期内决定受理的行政复议案件数。"),
    ("reconsideration.refused", "不予受理的行政复议申请", "件", "统计期内决定不予受理的行政复议申请件数。"),
    ("reconsideration.concluded", "审结行政复议案件", "件", "统计期内审结（作出复议决定或以调解、和解、终止等方式结案）的案件数。"),
    ("reconsideration.upheld", "复议决定维持", "件", "统计期内作出维持决定的案件数。"),
    ("reconsideration.dismissed", "复议决定驳回", "件", "统计期内作出驳回复议请求决定的案件数。"),
    ("reconsideration.revoked", "复议决定撤销", "件", "统计期内作出撤销决定的案件数。"),
    ("reconsideration.altered", "复议决定变更", "件", "统计期内作出变更决定的案件数。"),
    ("reconsideration.confirmed_illegal", "复议决定确认违法", "件", "统计期内作出确认违法决定的案件数（确认无效另计）。"),
    ("reconsideration.corrected", "复议纠错案件", "件", "撤销、变更、确认违法、确认无效和责令履行决定的案件数之和。"),
    ("reconsideration.correction_rate", "行政复议纠错率", "%",
     "复议纠错案件数 ÷ 审结行政复议案件数 × 100%（reconsideration.corrected ÷ reconsideration.concluded）。"),
    ("reconsideration.mediated", "调解和解结案", "件", "统计期内以调解或和解方式结案的行政复议案件数。"),
    # 行政应诉
    ("litigation.cases", "行政应诉案件", "件", "统计期内本级行政机关作为被告的行政诉讼案件数。"),
    ("litigation.head_appearances", "行政机关负责人出庭应诉", "次", "统计期内行政机关负责人出庭应诉的次数。"),
    ("litigation.head_appearance_rate", "行政机关负责人出庭应诉率", "%",
     "负责人出庭应诉的开庭案件数 ÷ 开庭审理的行政诉讼案件数 × 100%。"),
    ("litigation.win_rate", "行政诉讼胜诉率", "%", "行政机关胜诉的审结案件数 ÷ 审结的行政诉讼案件数 × 100%。"),
    # 行政规范性文件
    ("normdocs.issued", "制发行政规范性文件", "件", "统计期内印发的行政规范性文件件数。"),
    ("normdocs.reviewed", "合法性审核的规范性文件", "件", "统计期内经合法性审核的行政规范性文件件数。"),
    ("normdocs.filed", "报送备案的规范性文件", "件", "统计期内报送备案的行政规范性文件件数。"),
    ("normdocs.review_rate", "规范性文件合法性审核率", "%", "经合法性审核的件数 ÷ 制发件数 × 100%。"),
    ("normdocs.filing_rate", "规范性文件备案率", "%", "按时报送备案的件数 ÷ 应当备案的件数 × 100%。"),
    ("normdocs.kept", "清理后继续有效的规范性文件", "件", "统计期内清理后决定保留的件数。"),
    ("normdocs.repealed", "清理后废止的规范性文件", "件", "统计期内清理后决定废止（含宣布失效）的件数。"),
    ("normdocs.revised", "清理后修改的规范性文件", "件", "统计期内清理后决定修改的件数。"),
    # 重大行政决策与合法性审查
    ("decisions.major", "重大行政决策事项", "项", "统计期内作出的重大行政决策事项数。"),
    ("legality.reviews", "合法性审查意见", "件", "统计期内出具的合法性审查（含涉法事务审查）意见件数。"),
    # 行政执法
    ("enforcement.penalties", "行政处罚案件", "件", "统计期内作出行政处罚决定的案件数。"),
    ("enforcement.officers_certified", "持证行政执法人员", "人", "统计期末持有有效行政执法证件的人员数。"),
    ("enforcement.supervision_opinions", "行政执法监督意见书", "份", "统计期内制发的行政执法监督意见书份数。"),
    ("enforcement.files_reviewed", "评查行政执法案卷", "卷", "统计期内案卷评查中评查的行政执法案卷数。"),
    # 矛盾纠纷化解
    ("mediation.cases", "调解矛盾纠纷", "件", "统计期内各类调解组织调解的矛盾纠纷件数。"),
    ("mediation.success_rate", "调解成功率", "%", "调解成功的件数 ÷ 调解的件数 × 100%。"),
    ("mediation.organizations", "人民调解组织", "个", "统计期末人民调解组织个数。"),
    # 政务公开
    ("disclosure.requests", "政府信息公开申请", "件", "统计期内收到的政府信息公开申请件数。"),
    ("disclosure.concluded", "办结政府信息公开申请", "件", "统计期内答复办结的政府信息公开申请件数。"),
    ("disclosure.proactive_items", "主动公开政府信息", "条", "统计期内主动公开的政府信息条数。"),
    # 监督
    ("oversight.npc_suggestions", "办理人大代表建议", "件", "统计期内办理的人大代表建议件数。"),
    ("oversight.cppcc_proposals", "办理政协委员提案", "件", "统计期内办理的政协委员提案件数。"),
    ("oversight.judicial_recommendations", "办理司法建议", "件", "统计期内办理（回复）的司法建议件数。"),
    ("oversight.procuratorial_recommendations", "办理检察建议", "件", "统计期内办理（回复）的检察建议件数。"),
    # 法律顾问与公共法律服务
    ("counsel.legal_advisors", "法律顾问", "人", "统计期末聘请的法律顾问人数。"),
    ("counsel.public_lawyers", "公职律师", "人", "统计期末的公职律师人数。"),
    ("legal_aid.cases", "法律援助案件", "件", "统计期内办结的法律援助案件数。"),
    ("hotline.calls", "公共法律服务热线咨询", "次", "统计期内公共法律服务热线（12348）接听的咨询次数。"),
    # 学法用法
    ("training.sessions", "法治培训和学法活动", "场", "统计期内举办的领导干部和工作人员法治培训、学法活动场次。"),
    ("training.exam_participants", "参加学法考试人数", "人", "统计期内参加学法考试（网上学法用法考试）的人数。"),
]


def vocabulary_metrics() -> list[Metric]:
    return [Metric(code, label, unit, formula=formula, source="") for code, label, unit, formula in VOCABULARY]


def register_vocabulary() -> None:
    """Register every vocabulary code that no module has registered with a source."""
    for metric in vocabulary_metrics():
        register(metric)
