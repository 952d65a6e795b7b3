"""ScopingContract (fazhi.core.testing) for a return, a contribution and a report: the owner reads
every page, API detail and export; an operator of another unit gets 404 on each and changes nothing."""
import datetime as dt

import pytest
from django.forms.models import model_to_dict

from fazhi.core.testing import ScopingContract
from fazhi.reports import services
from fazhi.reports.models import (
    AnnualReport,
    Contribution,
    ReportTemplate,
    TemplateSection,
)
from fazhi.returns import services as returns_services
from fazhi.returns.models import Return

pytestmark = pytest.mark.django_db


def _zjj_return(demo_gov, persona) -> Return:
    c = persona("司法局协调员")
    f = returns_services.create_form(c, unit=demo_gov.units["YX-SFJ"], name="调解", code="T-01")
    returns_services.add_field(c, f, metric_code="mediation.cases", label="调解矛盾纠纷", unit_label="件")
    rnd = returns_services.issue_round(c, f, year=2025, due_date=dt.date(2026, 1, 20),
                                       units=[demo_gov.units["YX-ZJJ"]], on=dt.date(2026, 1, 5))
    ret = Return.objects.get(round=rnd)
    return returns_services.save_values(persona("住建局经办人"), ret, version=ret.version,
                                        raw={"mediation.cases": "12"})


def zjj_report(demo_gov, persona) -> AnnualReport:
    """The government's 2025 report whose one section is written by 住建局, contributions requested."""
    c = persona("司法局协调员")
    tpl = ReportTemplate.objects.create(unit=demo_gov.units["YX"], name="测试模板", is_default=True)
    TemplateSection.objects.create(template=tpl, key="housing", order=10, level=1, title="住房城乡建设领域依法行政",
                                   responsible_unit=demo_gov.units["YX-ZJJ"])
    report = services.create_report(c, unit=demo_gov.units["YX"], year=2025, on=dt.date(2026, 1, 6))
    return services.request_contributions(c, report, version=report.version, due_date=dt.date(2026, 2, 13),
                                          on=dt.date(2026, 1, 6))


class TestReturnScoping(ScopingContract):
    def make_record(self, demo_gov):
        return _zjj_return(demo_gov, demo_gov.persona)

    def read_urls(self, ret):
        return [f"/returns/{ret.pk}/", f"/api/returns/{ret.pk}", f"/returns/{ret.pk}/template.xlsx"]

    def write_requests(self, ret):
        return [("post", f"/returns/{ret.pk}/save/", {"version": ret.version, "v_mediation.cases": "99"}),
                ("put", f"/api/returns/{ret.pk}/values", {"version": ret.version, "values": {"mediation.cases": "99"}}),
                ("post", f"/returns/{ret.pk}/upload/", {"version": ret.version}),
                ("post", f"/returns/{ret.pk}/op/submit/", {"version": ret.version}),
                ("post", f"/api/returns/{ret.pk}/submit", {"version": ret.version})]

    def snapshot(self, ret):
        ret.refresh_from_db()
        return {**model_to_dict(ret), "values": {k: v.raw for k, v in ret.value_map().items()}}


class TestContributionScoping(ScopingContract):
    def make_record(self, demo_gov):
        report = zjj_report(demo_gov, demo_gov.persona)
        return Contribution.objects.get(report=report, unit=demo_gov.units["YX-ZJJ"])

    def read_urls(self, c):
        return [f"/reports/contributions/{c.pk}/", f"/api/reports/contributions/{c.pk}"]

    def write_requests(self, c):
        return [("post", f"/reports/contributions/{c.pk}/", {"version": c.version, "text": "越权写入"}),
                ("put", f"/api/reports/contributions/{c.pk}/text", {"version": c.version, "text": "越权写入"}),
                ("post", f"/reports/contributions/{c.pk}/op/submit/", {"version": c.version}),
                ("post", f"/api/reports/contributions/{c.pk}/submit", {"version": c.version})]


class TestReportScoping(ScopingContract):
    owner = "司法局协调员"

    def make_record(self, demo_gov):
        return zjj_report(demo_gov, demo_gov.persona)

    def read_urls(self, report):
        section = report.sections.get()
        return [f"/reports/{report.pk}/", f"/reports/{report.pk}/report.docx", f"/api/reports/{report.pk}",
                f"/reports/{report.pk}/sections/{section.pk}/"]

    def write_requests(self, report):
        section = report.sections.get()
        return [("post", f"/reports/{report.pk}/op/edit/", {"version": report.version}),
                ("post", f"/reports/{report.pk}/sections/{section.pk}/", {"version": section.version,
                                                                          "narrative": "越权"}),
                ("post", f"/api/reports/{report.pk}/edit", {"version": report.version})]


def test_given_an_outsider_operator_then_the_report_answers_404_until_published_and_then_only_its_public_page(
        demo_gov, persona, client_of):
    c, leader = persona("司法局协调员"), persona("区政府负责人")
    report = services.create_report(c, unit=demo_gov.units["YX"], year=2025, on=dt.date(2026, 1, 6))
    outsider = client_of("市监局经办人")
    urls = [f"/reports/{report.pk}/", f"/reports/{report.pk}/report.docx", f"/api/reports/{report.pk}"]
    public = [f"/reports/public/{report.pk}/", f"/reports/public/{report.pk}/report.docx"]
    for url in urls + public:
        assert outsider.get(url).status_code == 404, url
    report = services.move_report(c, report, "edit", version=report.version, on=dt.date(2026, 2, 2))
    report = services.move_report(c, report, "submit", version=report.version, on=dt.date(2026, 2, 3))
    report = services.move_report(leader, report, "approve", version=report.version, on=dt.date(2026, 2, 4))
    for url in public:
        assert outsider.get(url).status_code == 404, url  # approved is not yet public
    services.publish(c, report, version=report.version, on=dt.date(2026, 2, 5))
    for url in public:
        assert outsider.get(url).status_code == 200, url
    for url in urls:
        assert outsider.get(url).status_code == 404, url  # the working copy stays internal
