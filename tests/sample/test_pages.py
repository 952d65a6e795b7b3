"""The sample module's pages and API drive the engine: transitions, refusals, request id in the audit."""
import pytest

from fazhi.core.models import AuditRecord
from tests.sample.models import SampleMatter


@pytest.fixture
def matter(demo_gov):
    return SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="draft", title="行政处罚复议申请",
                                       has_materials=True)


def test_given_a_transition_through_the_page_then_the_audit_record_carries_the_request_id(matter, client_of):
    response = client_of("住建局经办人").post(f"/sample/{matter.pk}/transition/submit/",
                                           {"version": "1", "on": "2025-09-26"}, HTTP_X_REQUEST_ID="req-engine-0926")
    assert response.status_code == 302
    rec = AuditRecord.objects.get(action="transition.submit", object_id=str(matter.pk))
    assert rec.request_id == "req-engine-0926"
    assert rec.changes["state"] == ["draft", "review"]
    # The clock records of the same request carry the same id.
    assert AuditRecord.objects.get(action="clock.start", object_id=str(matter.pk)).request_id == "req-engine-0926"


def test_given_the_detail_page_then_it_shows_state_clock_due_date_and_only_allowed_actions(matter, client_of):
    client_of("住建局经办人").post(f"/sample/{matter.pk}/transition/submit/", {"version": "1", "on": "2025-09-26"})
    html = client_of("司法局协调员").get(f"/sample/{matter.pk}/").content.decode()
    assert "受理审查中" in html and "2025-10-10" in html and "样例：《行政复议法》第三十条" in html
    assert f"/sample/{matter.pk}/transition/accept/" in html
    assert f"/sample/{matter.pk}/transition/request_correction/" in html
    assert "transition/submit/" not in html
    operator_html = client_of("住建局经办人").get(f"/sample/{matter.pk}/").content.decode()
    assert "transition/accept/" not in operator_html  # an operator may not accept


def test_given_a_refused_transition_through_the_page_then_the_message_and_status_and_nothing_changed(
        matter, client_of):
    response = client_of("司法局协调员").post(f"/sample/{matter.pk}/transition/accept/", {"version": "1"})
    assert response.status_code == 409
    assert "当前状态为“草稿”，不能执行“受理”" in response.content.decode()
    matter.refresh_from_db()
    assert (matter.state, matter.version) == ("draft", 1)


def test_given_a_bad_date_through_the_page_then_a_chinese_error_and_nothing_changed(matter, client_of):
    operator = client_of("住建局经办人")  # logging in is audited too: count after it
    count = AuditRecord.objects.count()
    response = operator.post(f"/sample/{matter.pk}/transition/submit/",
                                           {"version": "1", "on": "2025-02-30"})
    assert response.status_code == 400 and "日期不存在" in response.content.decode()
    matter.refresh_from_db()
    assert (matter.state, matter.version, AuditRecord.objects.count()) == ("draft", 1, count)


def test_given_the_auditor_then_the_page_offers_no_action_and_a_post_is_refused(matter, client_of):
    auditor = client_of("人大监督员")
    html = auditor.get(f"/sample/{matter.pk}/").content.decode()
    assert "transition/" not in html and "/edit/" not in html
    response = auditor.post(f"/sample/{matter.pk}/transition/submit/", {"version": "1"})
    assert response.status_code == 403 and "只能查看" in response.content.decode()
    matter.refresh_from_db()
    assert matter.state == "draft"


def test_given_the_api_then_refusals_are_json_with_stable_codes(matter, client_of):
    url = f"/api/sample/{matter.pk}/transition/"
    coord = client_of("司法局协调员")
    r = coord.post(url + "accept", {"version": 1}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")
    r = client_of("住建局经办人").post(url + "submit", {"version": 1, "on": "2025-09-26"},
                                      content_type="application/json")
    assert r.status_code == 200 and r.json()["transitions"] == []
    r = client_of("住建局经办人").post(url + "accept", {"version": 2}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (403, "role_denied")
    SampleMatter.objects.filter(pk=matter.pk).update(has_materials=False)
    r = coord.post(url + "accept", {"version": 2, "on": "2025-09-30"}, content_type="application/json")
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (422, "guard_failed", "材料不齐，不能受理。")
