"""年度报告: figures equal `fazhi metrics`, the five parts in order, the official styles read back from
the DOCX, missing figures shown as missing, 同比 phrasing, the workflow to the public page."""
import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from docx import Document
from docx.enum.text import WD_LINE_SPACING

from fazhi.core import clocks
from fazhi.core.documents import style_fonts
from fazhi.core.metrics import Metric
from fazhi.reports import output, services
from fazhi.reports.compiler import PLACEHOLDER, compile_for, format_value, yoy_text
from fazhi.reports.templates_data import load_spec
from fazhi.returns import services as returns_services
from fazhi.returns.models import Return

pytestmark = pytest.mark.django_db
PARTS = ["一、2025年度推进法治政府建设的主要举措和成效", "二、2025年度推进法治政府建设存在的不足和原因",
         "三、党政主要负责人履行推进法治建设第一责任人职责，加强法治政府建设的有关情况",
         "四、2026年度推进法治政府建设的主要安排", "五、其他需要报告的情况"]


@pytest.fixture
def mediation_2025(demo_gov, persona):
    """An accepted mediation return of 住建局 for 2025 (a returns-fed figure in the report)."""
    c = persona("司法局协调员")
    f = returns_services.create_form(c, unit=demo_gov.units["YX-SFJ"], name="调解", code="T-01")
    returns_services.add_field(c, f, metric_code="mediation.cases", label="调解矛盾纠纷", unit_label="件")
    rnd = returns_services.issue_round(c, f, year=2025, due_date=dt.date(2026, 1, 20),
                                       units=[demo_gov.units["YX-ZJJ"]], on=dt.date(2026, 1, 5))
    ret = Return.objects.get(round=rnd)
    ret = returns_services.save_values(persona("住建局经办人"), ret, version=ret.version, raw={"mediation.cases": "37"})
    ret = returns_services.submit(persona("住建局经办人"), ret, version=ret.version, on=dt.date(2026, 1, 9))
    ret = returns_services.approve(persona("住建局负责人"), ret, version=ret.version, on=dt.date(2026, 1, 9))
    returns_services.accept(c, ret, version=ret.version, on=dt.date(2026, 1, 12))


@pytest.fixture
def docx_2025(demo_gov, mediation_2025, tmp_path):
    out = tmp_path / "report.docx"
    call_command("report", "compile", "--year", "2025", "--out", str(out), "--html", str(tmp_path / "r.html"),
                 "--no-charts", stdout=io.StringIO())
    return Document(str(out)), (tmp_path / "r.html").read_text(encoding="utf-8")


def _metrics_json(year: int, unit: str = "YX") -> dict:
    buf = io.StringIO()
    call_command("metrics", "--year", str(year), "--unit", unit, "--json", stdout=buf)
    return json.loads(buf.getvalue())


def test_given_the_compiled_docx_then_every_figure_equals_fazhi_metrics_for_the_unit_and_year(docx_2025):
    doc, _html = docx_2025
    values = _metrics_json(2025)
    body = [p.text for p in doc.paragraphs]
    checked = 0
    for section in load_spec()["sections"]:
        sentence = section.get("figures", "").replace("{{year}}", "2025")
        if not sentence:
            continue
        # The sentence template as a pattern: literal text, each placeholder a capture group.
        pattern, codes, pos = "", [], 0
        for m in PLACEHOLDER.finditer(sentence):
            pattern += re.escape(sentence[pos:m.start()]) + "(.+?)"
            codes.append((m.group(1), m.group(2) or ""))
            pos = m.end()
        pattern += re.escape(sentence[pos:]) + "$"
        match = next((re.match(pattern, t) for t in body if re.match(pattern, t)), None)
        assert match is not None, f"DOCX 中没有找到数据语句：{sentence[:30]}"
        for (code, op), shown in zip(codes, match.groups()):
            if op:
                continue
            expected = values.get(code, {}).get("value")  # not registered at all: missing too
            if expected is None:
                assert shown.startswith("【数据缺失：2025年") and code in shown
            else:
                assert shown == format_value(expected, values[code]["unit"]), code
            checked += 1
    assert checked >= 12
    assert values["mediation.cases"]["value"] == 37 and any("调解矛盾纠纷37件" in t for t in body)


def test_given_the_compiled_docx_then_it_has_the_five_parts_in_order_and_part_one_by_the_eight_systems(docx_2025):
    doc, _html = docx_2025
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == PARTS
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert [t[:3] for t in h2] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）", "（九）"]
    for system in ("机构职能体系", "依法行政制度体系", "行政决策制度体系", "行政执法工作体系", "突发事件应对体系",
                   "社会矛盾纠纷行政预防调处化解体系", "行政权力制约和监督体系", "法治政府建设科技保障体系"):
        assert sum(system in t for t in h2) == 1, system
    titles = [p for p in doc.paragraphs if p.style.name == "Title"]
    assert [t.text for t in titles] == ["云溪区人民政府2025年法治政府建设情况报告"]


def test_given_the_compiled_docx_then_the_official_styles_fonts_sizes_and_margins_read_back(docx_2025):
    doc, _html = docx_2025
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert (round(s.top_margin.mm), round(s.bottom_margin.mm), round(s.left_margin.mm), round(s.right_margin.mm)) == (37, 35, 28, 26)
    styles = doc.styles
    assert style_fonts(styles["Normal"])["eastAsia"] == "仿宋_GB2312" and styles["Normal"].font.size.pt == 16
    pf = styles["Normal"].paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY and pf.line_spacing.pt == 28
    assert style_fonts(styles["Title"])["eastAsia"] == "方正小标宋简体" and styles["Title"].font.size.pt == 22
    assert style_fonts(styles["Heading 1"])["eastAsia"] == "黑体"
    assert style_fonts(styles["Heading 2"])["eastAsia"] == "楷体_GB2312"
    footer_xml = s.footer._element.xml
    assert "PAGE" in footer_xml and "—" in footer_xml


def test_given_a_metric_without_source_then_the_report_says_missing_never_zero(demo_gov):
    from fazhi.reports.models import ReportTemplate, TemplateSection

    tpl = ReportTemplate.objects.create(unit=demo_gov.units["YX"], name="测试", title="{{year}}年测试", is_default=True)
    TemplateSection.objects.create(template=tpl, key="a", level=1, title="数据",
                                   figure_text="报送备案规范性文件{{normdocs.filed}}件，调解{{mediation.cases}}件。")
    compiled = compile_for(demo_gov.units["YX"], 2025, with_charts=False)
    text = compiled.blocks[0].paragraphs[-1].text
    assert "【数据缺失：2025年报送备案的规范性文件（normdocs.filed），无数据来源】件" in text
    assert "【数据缺失：2025年调解矛盾纠纷（mediation.cases）" in text
    assert "0件" not in text
    html = output.to_html_fragment(compiled)
    assert 'href="/metrics/normdocs.filed/?year=2025&amp;unit=YX"' in html and "report-missing" in html


def test_given_values_of_two_years_then_the_yoy_phrase_is_growth_decline_or_points():
    count = Metric("x.count", "案件", "件", compute=lambda u, p: 0)
    pct = Metric("x.rate", "比率", "%", compute=lambda u, p: 0)
    assert yoy_text(count, 120, 100, 2025) == ("同比增长20.0%", False)
    assert yoy_text(count, 90, 100, 2025) == ("同比下降10.0%", False)
    assert yoy_text(pct, 7.8, 9.0, 2025) == ("同比下降1.2个百分点", False)
    text, missing = yoy_text(count, 5, None, 2025)
    assert missing and text.startswith("【数据缺失：2024年")


def test_given_the_html_output_then_each_figure_links_to_its_drill_down(docx_2025):
    _doc, html = docx_2025
    assert 'href="/metrics/mediation.cases/?year=2025&amp;unit=YX"' in html
    assert 'href="/metrics/litigation.cases/?year=2025&amp;unit=YX"' in html


def test_given_the_workflow_then_draft_contributions_edit_approve_publish_reach_the_public_page(demo_gov, persona, client):
    coordinator, gov_leader = persona("司法局协调员"), persona("区政府负责人")
    report = services.create_report(coordinator, unit=demo_gov.units["YX"], year=2025, on=dt.date(2026, 1, 6))
    # 第二十四条: before 1 April 2026 — Tuesday 31 March 2026 is a working day.
    assert clocks.clock_of(report, "publication").due_date == dt.date(2026, 3, 31)
    report = services.request_contributions(coordinator, report, version=report.version,
                                            due_date=dt.date(2026, 2, 13), on=dt.date(2026, 1, 6))
    contributions = list(report.contributions.select_related("section", "unit"))
    assert contributions and all(clocks.clock_of(c, "contribution").due_date == dt.date(2026, 2, 13)
                                 for c in contributions)
    with pytest.raises(Exception, match="尚有单位材料"):
        services.start_editing(coordinator, report, version=report.version, on=dt.date(2026, 2, 1))
    for c in contributions:
        writer = persona("司法局负责人") if c.unit.code == "YX-SFJ" else gov_leader
        c = services.save_contribution(writer, c, version=c.version, text=f"{c.section.key}的材料。")
        c = services.move_contribution(writer, c, "submit", version=c.version, on=dt.date(2026, 2, 9))
        services.move_contribution(writer, c, "approve", version=c.version, on=dt.date(2026, 2, 10))
    report.refresh_from_db()
    report = services.start_editing(coordinator, report, version=report.version, on=dt.date(2026, 2, 20))
    assert report.sections.get(key="disputes").narrative == "disputes的材料。"
    report = services.move_report(coordinator, report, "submit", version=report.version, on=dt.date(2026, 3, 2))
    report = services.move_report(gov_leader, report, "approve", version=report.version, on=dt.date(2026, 3, 10))
    assert "云溪区人民政府2025年度报告：应于 2026年3月31日 前公开" in client.get("/reports/public/").content.decode()
    report = services.publish(coordinator, report, version=report.version, on=dt.date(2026, 3, 20))
    assert report.state == "published" and clocks.clock_of(report, "publication").stopped_on == dt.date(2026, 3, 20)
    page = client.get("/reports/public/").content.decode()
    assert f"/reports/public/{report.pk}/" in page
    detail = client.get(f"/reports/public/{report.pk}/")
    assert detail.status_code == 200 and "disputes的材料。" in detail.content.decode()
    published = Document(io.BytesIO(client.get(f"/reports/public/{report.pk}/report.docx").content))
    assert [p.text for p in published.paragraphs if p.style.name == "Heading 1"] == PARTS


def test_given_charts_then_they_are_images_in_the_docx(demo_gov):
    compiled = compile_for(demo_gov.units["YX"], 2025)
    doc = Document(io.BytesIO(output.to_docx(compiled)))
    assert len(doc.inline_shapes) == 2
    assert [p.text for p in doc.paragraphs if p.style.name == "公文图表标题"][0].startswith("图1")


def test_given_an_unknown_unit_when_compiling_then_the_command_says_so_in_chinese(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="未找到单位代码"):
        call_command("report", "compile", "--unit", "NOPE", "--year", "2025", "--out", str(tmp_path / "x.docx"))


def test_given_a_chart_drawn_once_then_the_same_data_is_read_from_the_cache_and_changed_data_is_drawn_again(
        settings, tmp_path):
    from fazhi.reports import charts
    from fazhi.reports.compiler import Chart

    settings.REPORT_CHART_CACHE = tmp_path
    chart = Chart("bar", "复议决定", ["a.x", "a.y"], ["维持", "撤销"], [3, None])
    png = charts.render(chart)
    assert png.startswith(b"\x89PNG") and len(list(tmp_path.glob("*.png"))) == 1
    cached = next(tmp_path.glob("*.png"))
    cached.write_bytes(b"\x89PNG cached")
    assert charts.render(Chart("bar", "复议决定", ["a.x", "a.y"], ["维持", "撤销"], [3, None])) == b"\x89PNG cached"
    assert charts.render(Chart("bar", "复议决定", ["a.x", "a.y"], ["维持", "撤销"], [3, 0])).startswith(b"\x89PNG\r\n")
    assert len(list(tmp_path.glob("*.png"))) == 2
