"""The report template is data a coordinator adjusts: sections are added, deleted and reordered
through audited services (coordinator of the template's unit, optimistic version); a report already
created keeps its own copy of the sections."""
import datetime as dt

import pytest

from fazhi.core.models import AuditRecord
from fazhi.core.procedure import InvalidInput, StaleVersion
from fazhi.reports import services
from fazhi.reports.compiler import compile_template
from fazhi.reports.templates_data import default_template

pytestmark = pytest.mark.django_db


def _copy(report):
    return [(s.key, s.order, s.level, s.title, s.figure_text) for s in report.sections.order_by("order", "pk")]


def _keys(tpl):
    return list(tpl.sections.order_by("order", "pk").values_list("key", flat=True))


@pytest.fixture
def tpl_and_report(demo_gov, persona):
    c = persona("司法局协调员")
    report = services.create_report(c, unit=demo_gov.units["YX"], year=2025, on=dt.date(2026, 1, 6))
    return report.template, report


def test_given_a_created_report_when_the_coordinator_adds_deletes_and_moves_sections_then_the_report_keeps_its_copy(
        tpl_and_report, persona, demo_gov):
    tpl, report = tpl_and_report
    c = persona("司法局协调员")
    copy_before, keys_before = _copy(report), _keys(tpl)
    disputes = tpl.sections.get(key="disputes")
    new = services.add_template_section(c, tpl, {"title": "（补充）行政复议体制改革", "level": "2", "key": "reform",
                                                 "figure_text": "办理行政复议案件{{reconsideration.received}}件。",
                                                 "after": str(disputes.pk), "responsible_unit": "YX-SFJ"},
                                        version=tpl.version)
    tpl.refresh_from_db()
    keys = _keys(tpl)
    assert keys[keys.index("disputes") + 1] == "reform" and len(keys) == len(keys_before) + 1
    assert list(tpl.sections.order_by("order").values_list("order", flat=True)) == [10 * i for i in range(1, len(keys) + 1)]
    last = keys_before[-1]
    tpl = services.delete_template_section(c, tpl.sections.get(key=last), version=tpl.version)
    tpl = services.move_template_section(c, tpl.sections.get(key="reform"), "up", version=tpl.version)
    keys = _keys(tpl)
    assert last not in keys and keys[keys.index("disputes") - 1] == "reform"
    assert tpl.version == 4  # three changes, each one version
    # The report created before keeps its own sections, unchanged.
    report.refresh_from_db()
    assert _copy(report) == copy_before
    # A report created afterwards follows the adjusted template.
    later = services.create_report(c, unit=demo_gov.units["YX"], year=2024, on=dt.date(2026, 1, 6))
    assert [s.key for s in later.sections.order_by("order", "pk")] == keys
    headings = [b.heading for b in compile_template(tpl, demo_gov.units["YX"], 2025, with_charts=False).blocks]
    assert any(h.endswith("（补充）行政复议体制改革") for h in headings)
    actions = list(AuditRecord.objects.filter(object_id=str(tpl.pk), action__startswith="reports.template.section")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["reports.template.section_add", "reports.template.section_delete",
                       "reports.template.section_move"]
    assert new.key == "reform"


def test_given_a_stale_version_when_changing_the_template_then_it_is_refused_and_nothing_changes(tpl_and_report,
                                                                                                persona):
    tpl, _report = tpl_and_report
    c = persona("司法局协调员")
    seen = tpl.version
    services.add_template_section(c, tpl, {"title": "其他"}, version=seen)
    keys = _keys(tpl)
    with pytest.raises(StaleVersion, match="已被他人修改"):
        services.delete_template_section(c, tpl.sections.get(key="disputes"), version=seen)
    with pytest.raises(StaleVersion):
        services.move_template_section(c, tpl.sections.get(key="disputes"), "down", version=seen)
    with pytest.raises(StaleVersion):
        services.edit_template_section(c, tpl.sections.get(key="disputes"), {"title": "改"}, version=seen)
    assert _keys(tpl) == keys and tpl.sections.get(key="disputes").title != "改"


def test_given_bad_input_when_adding_or_deleting_then_chinese_errors_and_nothing_is_saved(demo_gov, persona):
    c = persona("司法局协调员")
    tpl = default_template(demo_gov.units["YX"], actor=c)
    count = tpl.sections.count()
    with pytest.raises(InvalidInput, match="标题不能为空"):
        services.add_template_section(c, tpl, {"title": " "}, version=tpl.version)
    with pytest.raises(InvalidInput, match="已被本模板的其他章节使用"):
        services.add_template_section(c, tpl, {"title": "重复", "key": "disputes"}, version=tpl.version)
    with pytest.raises(InvalidInput, match="章节代码“中文”无效"):
        services.add_template_section(c, tpl, {"title": "代码", "key": "中文"}, version=tpl.version)
    with pytest.raises(InvalidInput, match="no.such"):
        services.add_template_section(c, tpl, {"title": "数据", "figure_text": "{{no.such}}件"}, version=tpl.version)
    with pytest.raises(InvalidInput, match="已在最前"):
        services.move_template_section(c, tpl.sections.order_by("order").first(), "up", version=tpl.version)
    assert tpl.sections.count() == count
    for s in list(tpl.sections.order_by("order"))[1:]:
        tpl = services.delete_template_section(c, s, version=tpl.version)
    with pytest.raises(InvalidInput, match="至少须保留一个章节"):
        services.delete_template_section(c, tpl.sections.get(), version=tpl.version)


def test_given_the_template_pages_then_the_coordinator_adds_moves_and_deletes_and_others_get_404(demo_gov, client_of,
                                                                                                persona):
    tpl = default_template(demo_gov.units["YX"], actor=persona("司法局协调员"))
    first, second = list(tpl.sections.order_by("order", "pk"))[:2]
    coordinator = client_of("司法局协调员")
    base = f"/reports/templates/{tpl.pk}/"
    assert "添加章节" in coordinator.get(base).content.decode()
    assert coordinator.get(base + "sections/new/").status_code == 200
    r = coordinator.post(base + "sections/new/", {"version": tpl.version, "title": "新增的章节", "level": "1",
                                                  "after": "0"})
    assert r.status_code == 302
    tpl.refresh_from_db()
    assert tpl.sections.order_by("order", "pk").first().title == "新增的章节"
    r = coordinator.post(base + f"sections/{first.pk}/move/down/", {"version": tpl.version})
    tpl.refresh_from_db()
    assert r.status_code == 302 and _keys(tpl)[1:3] == [second.key, first.key]
    # A stale form is refused with a message, nothing deleted.
    r = coordinator.post(base + f"sections/{first.pk}/delete/", {"version": tpl.version - 1}, follow=True)
    assert "已被他人修改" in r.content.decode() and tpl.sections.filter(pk=first.pk).exists()
    coordinator.post(base + f"sections/{first.pk}/delete/", {"version": tpl.version})
    assert not tpl.sections.filter(pk=first.pk).exists()
    tpl.refresh_from_db()
    # An operator (of the government's own tree or not) cannot change the template: 404, nothing changes.
    for who in ("住建局经办人", "市监局经办人"):
        other = client_of(who)
        for url, data in [(base + "sections/new/", {"version": tpl.version, "title": "越权"}),
                          (base + f"sections/{second.pk}/delete/", {"version": tpl.version}),
                          (base + f"sections/{second.pk}/move/up/", {"version": tpl.version}),
                          (base + f"sections/{second.pk}/", {"version": tpl.version, "title": "越权"})]:
            assert other.post(url, data).status_code == 404, (who, url)
    tpl.refresh_from_db()
    assert not tpl.sections.filter(title="越权").exists() and tpl.sections.get(pk=second.pk).title == second.title
