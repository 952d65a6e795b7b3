"""/api/reports: the moves of a report and of a contribution through the API — the same services,
scope, roles and versions as the pages, errors as JSON {"code", "message"} in Chinese."""
import datetime as dt
import json

import pytest

from fazhi.core import clocks
from fazhi.reports.models import AnnualReport, Contribution

from .test_scoping import zjj_report

pytestmark = pytest.mark.django_db


def _post(client, url, data, method="post"):
    r = getattr(client, method)(url, data=json.dumps(data), content_type="application/json")
    return r.status_code, r.json()


def test_given_the_api_then_a_report_goes_from_request_to_published_and_errors_are_json(demo_gov, persona,
                                                                                        client_of):
    c = persona("司法局协调员")
    from fazhi.reports import services
    from fazhi.reports.models import ReportTemplate, TemplateSection

    tpl = ReportTemplate.objects.create(unit=demo_gov.units["YX"], name="测试模板", is_default=True)
    TemplateSection.objects.create(template=tpl, key="housing", order=10, level=1, title="住房城乡建设领域依法行政",
                                   responsible_unit=demo_gov.units["YX-ZJJ"])
    report = services.create_report(c, unit=demo_gov.units["YX"], year=2025, on=dt.date(2026, 1, 6))
    coordinator, operator = client_of("司法局协调员"), client_of("住建局经办人")
    zjj_leader, gov_leader = client_of("住建局负责人"), client_of("区政府负责人")
    base = f"/api/reports/{report.pk}"
    detail = coordinator.get(base).json()
    assert detail["publication_due"] == "2026-03-31" and "request" in detail["actions"]

    status, body = _post(coordinator, base + "/request", {"version": detail["version"]})
    assert (status, body["code"]) == (400, "invalid_input") and "截止日" in body["message"]
    status, body = _post(coordinator, base + "/request", {"version": detail["version"], "due_date": "2099-02-13"})
    assert status == 200 and body["state"] == "collecting" and len(body["contributions"]) == 1
    status, stale = _post(coordinator, base + "/edit", {"version": detail["version"]})
    assert (status, stale["code"]) == (409, "stale_version") and "已被他人修改" in stale["message"]
    status, guard = _post(coordinator, base + "/edit", {"version": body["version"]})
    assert (status, guard["code"]) == (422, "guard_failed") and "尚有单位材料" in guard["message"]

    cid = body["contributions"][0]
    cbase = f"/api/reports/contributions/{cid}"
    c0 = operator.get(cbase).json()
    assert c0["state"] == "writing" and c0["unit"] == "YX-ZJJ" and c0["due_date"] == "2099-02-13"
    status, body = _post(operator, cbase + "/submit", {"version": c0["version"]})
    assert status == 422 and body["message"] == "材料内容为空，不能报送。"
    status, c1 = _post(operator, cbase + "/text", {"version": c0["version"], "text": "住建局依法行政材料。"}, "put")
    assert status == 200 and c1["text"] == "住建局依法行政材料。"
    status, c2 = _post(operator, cbase + "/submit", {"version": c1["version"]})
    assert status == 200 and c2["state"] == "submitted"
    status, body = _post(operator, cbase + "/approve", {"version": c2["version"]})
    assert (status, body["code"]) == (403, "role_denied")
    status, body = _post(zjj_leader, cbase + "/fly", {"version": c2["version"]})
    assert (status, body["code"]) == (400, "invalid_input") and "未知的操作" in body["message"]
    status, c3 = _post(zjj_leader, cbase + "/approve", {"version": c2["version"]})
    assert status == 200 and c3["state"] == "approved"

    v = coordinator.get(base).json()["version"]
    status, r = _post(coordinator, base + "/edit", {"version": v})
    assert status == 200 and r["state"] == "editing"
    status, r = _post(coordinator, base + "/submit", {"version": r["version"]})
    assert status == 200 and r["state"] == "pending"
    status, body = _post(gov_leader, base + "/send_back", {"version": r["version"]})
    assert status == 422 and body["message"] == "退回须写明意见。"
    status, r = _post(gov_leader, base + "/approve", {"version": r["version"]})
    assert status == 200 and r["state"] == "approved"
    status, r = _post(coordinator, base + "/publish", {"version": r["version"]})
    assert status == 200 and r["state"] == "published" and r["actions"] == []
    report = AnnualReport.objects.get(pk=report.pk)
    assert report.sections.get().narrative == "住建局依法行政材料。" and report.published_docx
    assert clocks.clock_of(report, "publication").stopped_on == clocks.today()
    assert Contribution.objects.get(pk=cid).state == "approved"


def test_given_an_outsider_then_the_api_moves_answer_404_json_and_nothing_changes(demo_gov, persona, client_of):
    report = zjj_report(demo_gov, persona)
    c = report.contributions.get()
    outsider = client_of("市监局经办人")
    for url, data, method in [(f"/api/reports/{report.pk}/edit", {"version": report.version}, "post"),
                              (f"/api/reports/contributions/{c.pk}/submit", {"version": c.version}, "post"),
                              (f"/api/reports/contributions/{c.pk}/text", {"version": c.version, "text": "x"}, "put")]:
        status, body = _post(outsider, url, data, method)
        assert (status, body["code"]) == (404, "not_found"), url
    report.refresh_from_db()
    c.refresh_from_db()
    assert (report.state, c.state, c.text) == ("collecting", "writing", "")
