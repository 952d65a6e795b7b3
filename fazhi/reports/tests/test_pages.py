"""Pages of 统计填报 and 年度报告 render for their users; another unit's return answers 404."""
import datetime as dt

import pytest

from fazhi.reports import services
from fazhi.returns import services as returns_services
from fazhi.returns.models import Return

pytestmark = pytest.mark.django_db


def test_given_a_report_and_a_return_then_every_page_renders_and_scoping_holds(demo_gov, persona, client_of):
    c = persona("司法局协调员")
    f = returns_services.create_form(c, unit=demo_gov.units["YX-SFJ"], name="调解", code="T-01")
    returns_services.add_field(c, f, metric_code="mediation.cases", label="调解矛盾纠纷", unit_label="件")
    rnd = returns_services.issue_round(c, f, year=2025, due_date=dt.date(2026, 1, 20),
                                       units=[demo_gov.units["YX-ZJJ"]], on=dt.date(2026, 1, 5))
    ret = Return.objects.get(round=rnd)
    report = services.create_report(c, unit=demo_gov.units["YX"], year=2025, on=dt.date(2026, 1, 6))
    section = report.sections.get(key="disputes")
    coordinator = client_of("司法局协调员")
    for url in ["/returns/", "/returns/overdue/", f"/returns/forms/{f.pk}/", f"/returns/{ret.pk}/",
                f"/returns/{ret.pk}/template.xlsx", "/reports/", "/reports/dashboard/?year=2025",
                "/reports/preview/?year=2025&unit=YX", f"/reports/{report.pk}/",
                f"/reports/{report.pk}/sections/{section.pk}/", f"/reports/templates/{report.template_id}/",
                "/reports/public/", "/api/returns/", "/api/reports/compile?year=2025"]:
        assert coordinator.get(url).status_code == 200, url
    operator = client_of("住建局经办人")
    assert operator.get(f"/returns/{ret.pk}/").status_code == 200
    response = operator.post(f"/returns/{ret.pk}/save/", {"version": ret.version, "v_mediation.cases": "12"})
    assert response.status_code == 302 and Return.objects.get(pk=ret.pk).value_map()["mediation.cases"].raw == "12"
    outsider = client_of("市监局经办人")
    assert outsider.get(f"/returns/{ret.pk}/").status_code == 404
    assert outsider.get(f"/api/returns/{ret.pk}").status_code == 404
    assert outsider.post(f"/returns/{ret.pk}/save/", {"version": 2, "v_mediation.cases": "99"}).status_code == 404
    assert Return.objects.get(pk=ret.pk).value_map()["mediation.cases"].raw == "12"


def test_given_sections_whose_titles_name_the_year_then_the_report_page_shows_the_years_filled_in(demo_gov, client_of,
                                                                                                    persona):
    c = persona("司法局协调员")
    report = services.create_report(c, unit=demo_gov.units["YX"], year=2025, on=dt.date(2026, 1, 6))
    report = services.request_contributions(c, report, version=report.version, due_date=dt.date(2026, 2, 10),
                                            on=dt.date(2026, 1, 7))
    page = client_of("司法局协调员").get(f"/reports/{report.pk}/").content.decode()
    assert "{{year}}" not in page and "{{next_year}}" not in page
    assert "2026年度推进法治政府建设的主要安排" in page
