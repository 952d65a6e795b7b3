"""Demo of 年度报告: 云溪区人民政府's reports for 2024 and 2025, taken through the whole workflow
(draft → units' contributions → coordinator edits → leader approves → published), with narrative in
the manner of the published reports (seeds/). Idempotent: a report that exists is left alone.

Loaded after the returns and module demos (it registers last), so its figures are there when it is
published and frozen."""
from __future__ import annotations

import datetime as dt

from fazhi.core.demo import register_demo_loader

TEXTS = {
    "functions": [
        "深化“放管服”改革，动态调整区级权责清单，全面推行证明事项告知承诺制，企业开办实现“一网通办、一日办结”。",
        "持续优化法治化营商环境，开展涉企行政检查“综合查一次”，清理妨碍统一市场和公平竞争的政策措施。",
    ],
    "institutions": [
        "严格落实行政规范性文件合法性审核机制，坚持“应审必审、有件必备、有备必审、有错必纠”，对区政府及部门规范性文件开展集中清理。",
    ],
    "decisions": [
        "公布{{year}}年度区政府重大行政决策事项目录，严格履行公众参与、专家论证、风险评估、合法性审查和集体讨论决定程序，充分发挥政府法律顾问和公职律师作用。",
    ],
    "enforcement": [
        "全面落实行政执法公示、执法全过程记录、重大执法决定法制审核三项制度，开展行政执法案卷评查，推行包容审慎监管和“首违不罚”清单。",
    ],
    "emergency": [
        "修订完善区级突发事件总体应急预案和专项预案，依法开展防汛、安全生产等应急演练，提升依法预防和处置突发事件能力。",
    ],
    "disputes": [
        "发挥行政复议化解行政争议主渠道作用，推行立案前调解和案件繁简分流，加强行政复议决定和意见书的履行监督。",
        "坚持和发展新时代“枫桥经验”，健全人民调解、行政调解、司法调解联动工作体系，推进公共法律服务实体、热线、网络平台融合发展。",
    ],
    "oversight": [
        "自觉接受人大法律监督、工作监督和政协民主监督，认真办理人大代表建议和政协委员提案；深化政务公开，畅通12345政务服务便民热线诉求渠道。",
    ],
    "digital": [
        "推进行政执法、行政复议、政务服务信息化建设，依托法治政府建设工作平台实现执法案件、复议案件和统计数据网上办理、全程留痕。",
    ],
    "leadership": [
        "区委、区政府定期听取法治政府建设工作汇报，将法治建设纳入全区高质量发展综合绩效考核；落实领导干部应知应会法律法规清单制度，组织“谁执法谁普法”履职评议。",
    ],
    "shortcomings": [
        "对照法治政府建设实施纲要要求，仍存在一些不足：一是部分基层执法人员专业素养有待提升，执法规范化水平不够均衡；二是行政机关负责人出庭应诉“出声”效果有待加强；三是法治政府建设数字化应用有待深化。",
        "究其原因，主要是个别部门对法治政府建设重要性认识不够到位，基层法治工作力量较为薄弱。",
    ],
    "first_responsible": [
        "区政府主要负责同志认真履行推进法治建设第一责任人职责，全年主持召开区政府常务会议专题研究法治政府建设工作，带头开展会前学法，带头出庭应诉，在区委全会上述法述职。",
    ],
    "next_year": [
        "{{next_year}}年，区政府将坚持以习近平法治思想为指导，重点做好以下工作：一是深化行政执法规范化建设；二是推进行政复议体制改革走深走实；三是加强重大行政决策和规范性文件管理；四是持续推进法治政府建设示范创建。",
    ],
    "other": ["无其他需要报告的情况。"],
}
# (year, created, contributions due, written, edit, submit, approve, publish)
SCHEDULE = [
    (2024, dt.date(2025, 1, 6), dt.date(2025, 2, 14), dt.date(2025, 2, 10), dt.date(2025, 2, 20),
     dt.date(2025, 3, 3), dt.date(2025, 3, 10), dt.date(2025, 3, 21)),
    (2025, dt.date(2026, 1, 6), dt.date(2026, 2, 13), dt.date(2026, 2, 9), dt.date(2026, 2, 24),
     dt.date(2026, 3, 4), dt.date(2026, 3, 11), dt.date(2026, 3, 20)),
]


@register_demo_loader
def load_reports_demo(demo) -> None:
    from fazhi.core import clocks

    from . import services
    from .models import AnnualReport

    gov = demo.units["YX"]
    coordinator = demo.persona("司法局协调员")
    leaders = {"YX-SFJ": demo.persona("司法局负责人")}
    gov_leader = demo.persona("区政府负责人")
    for year, created, due, written, edit, submit, approve, publish in SCHEDULE:
        if publish > clocks.today() or AnnualReport.objects.filter(unit=gov, year=year).exists():
            continue
        report = services.create_report(coordinator, unit=gov, year=year, on=created)
        report = services.request_contributions(coordinator, report, version=report.version, due_date=due, on=created)
        for c in report.contributions.select_related("section", "unit"):
            writer = leaders.get(c.unit.code, gov_leader)
            text = "\n".join(TEXTS.get(c.section.key, [])).replace("{{year}}", str(year)).replace(
                "{{next_year}}", str(year + 1))
            c = services.save_contribution(writer, c, version=c.version, text=text)
            c = services.move_contribution(writer, c, "submit", version=c.version, on=written)
            services.move_contribution(writer, c, "approve", version=c.version, on=written + dt.timedelta(days=1))
        report.refresh_from_db()
        report = services.start_editing(coordinator, report, version=report.version, on=edit)
        for section in report.sections.filter(narrative="", responsible_unit__isnull=True):
            text = "\n".join(TEXTS.get(section.key, []))
            if text:
                services.edit_section(coordinator, section, version=section.version, narrative=text)
        report.refresh_from_db()
        report = services.move_report(coordinator, report, "submit", version=report.version, on=submit)
        report = services.move_report(gov_leader, report, "approve", version=report.version, on=approve)
        services.publish(coordinator, report, version=report.version, on=publish)
