"""Pages and API of 行政应诉: scoping on every page and endpoint, optimistic concurrency, the flows."""
import datetime as dt


from fazhi.core import clocks
from fazhi.core.models import AuditRecord
from fazhi.core.testing import ScopingContract
from fazhi.litigation import services
from fazhi.litigation.models import Hearing, LitigationCase

D = dt.date
TOKEN = "ZJJ-LIT-9K2"  # ASCII: found in HTML and in JSON alike


def zjj_case(demo_gov, number=f"（2025）云0102行初{TOKEN}号", unit="YX-ZJJ", by="住建局经办人"):
    """A case in 已收到起诉状副本 with its answer clock running (so it is in the owner's inbox too)."""
    return services.register_case(demo_gov.persona(by), unit=demo_gov.units[unit], court="云溪区人民法院",
                                  case_number=number, plaintiffs="张三", act_challenged="限期拆除决定",
                                  served_on=D(2025, 9, 20))


WRITE_FORMS = {
    "answer": {"filed_on": "2025-09-30"},
    "hearing": {"date": "2025-10-20", "head_appeared": "on", "head_name": "越权", "head_position": "principal"},
    "result": {"result": "revoked", "result_kind": "judgment", "served_on": "2025-11-01"},
    "appeal": {"appellant": "defendant", "filed_on": "2025-11-05"},
    "finalise": {"on": "2025-11-20"},
    "second": {"outcome": "changed", "final_result": "upheld", "on": "2025-12-01"},
    "remand": {"on": "2025-12-01"},
    "edit": {"court": "越权法院", "case_number": "越权", "plaintiffs": "越权", "act_challenged": "越权"},
}
WRITE_JSON = {
    "answer": {"filed_on": "2025-09-30"},
    "hearings": {"date": "2025-10-20", "head_appeared": True, "head_name": "越权", "head_position": "principal"},
    "result": {"result": "revoked", "result_kind": "judgment", "served_on": "2025-11-01"},
    "appeal": {"appellant": "defendant", "filed_on": "2025-11-05"},
    "finalise": {"on": "2025-11-20"},
    "second-instance": {"outcome": "changed", "final_result": "upheld", "on": "2025-12-01"},
    "remand": {"on": "2025-12-01"},
    "edit": {"court": "越权法院"},
}


class TestLitigationScoping(ScopingContract):
    owner = "住建局经办人"
    outsider = "市监局经办人"

    def make_record(self, demo_gov):
        return zjj_case(demo_gov)

    def read_urls(self, obj):
        return [f"/litigation/{obj.pk}/", f"/api/litigation/{obj.pk}"]

    def write_requests(self, obj):
        pages = [("post", f"/litigation/{obj.pk}/op/{op}/", {"version": obj.version, **data})
                 for op, data in WRITE_FORMS.items()]
        api = [("post", f"/api/litigation/{obj.pk}/{op}", {"version": obj.version, **data})
               for op, data in WRITE_JSON.items()]
        return pages + api

    def list_urls(self):
        return ["/litigation/", "/litigation/?q=行初&state=served", "/api/litigation", f"/api/litigation?q={TOKEN}",
                "/inbox/", "/api/inbox"]

    def marker(self, obj):
        return TOKEN

    def snapshot(self, obj):
        snap = super().snapshot(obj)
        return {**snap, "hearings": Hearing.objects.filter(case=obj).count()}


class TestLitigationScopingTheOtherWay(TestLitigationScoping):
    """The same contract with the roles swapped: a 市监局 case, a 住建局 operator outside."""

    owner = "市监局经办人"
    outsider = "住建局经办人"

    def make_record(self, demo_gov):
        return zjj_case(demo_gov, unit="YX-SCJG", by="市监局经办人")


class TestLitigationScopingSubdistrict(TestLitigationScoping):
    """A 街道 operator does not see a department's case either."""

    outsider = "青石街道经办人"


def test_given_an_outsider_when_registering_for_another_unit_then_page_refuses_and_api_answers_404(
        demo_gov, client_of):
    data = {"court": "云溪区人民法院", "case_number": "X-1", "plaintiffs": "张三", "act_challenged": "决定",
            "served_on": "2025-09-20", "instance": "first"}
    page = client_of("市监局经办人").post("/litigation/new/", {**data, "unit": str(demo_gov.units["YX-ZJJ"].pk)})
    assert page.status_code == 400 and "被告单位不在您的权限范围内" in page.content.decode()
    api = client_of("市监局经办人").post("/api/litigation", {**data, "unit": "YX-ZJJ"},
                                     content_type="application/json")
    assert api.status_code == 404
    assert LitigationCase.objects.count() == 0


# ---------------------------------------------------------------------------
# Optimistic concurrency
# ---------------------------------------------------------------------------
def test_given_two_users_at_the_same_version_when_both_file_the_answer_on_the_page_then_the_second_sees_409(
        demo_gov, client_of):
    case = zjj_case(demo_gov)
    operator, coordinator = client_of("住建局经办人"), client_of("司法局协调员")
    for c in (operator, coordinator):
        assert 'name="version" value="2"' in c.get(f"/litigation/{case.pk}/").content.decode()
    first = operator.post(f"/litigation/{case.pk}/op/answer/", {"version": "2", "filed_on": "2025-09-30"})
    assert first.status_code == 302 and first["Location"] == f"/litigation/{case.pk}/"
    second = coordinator.post(f"/litigation/{case.pk}/op/edit/", {
        "version": "2", "court": "云溪区人民法院", "case_number": "改号", "plaintiffs": "张三",
        "act_challenged": "限期拆除决定"})
    assert second.status_code == 409
    html = second.content.decode()
    assert "已被他人修改（您看到的是第 2 版，当前为第 3 版）" in html and "请刷新页面后重试" in html
    assert 'name="version" value="3"' in html
    case.refresh_from_db()
    assert (case.state, case.version, case.case_number, case.answer_filed_on) == (
        "answered", 3, f"（2025）云0102行初{TOKEN}号", D(2025, 9, 30))


def test_given_two_clients_at_the_same_version_when_both_record_a_hearing_through_the_api_then_stale_version(
        demo_gov, client_of):
    case = zjj_case(demo_gov)
    url = f"/api/litigation/{case.pk}/hearings"
    body = {"version": 2, "date": "2025-10-20", "head_appeared": True, "head_name": "陈国栋",
            "head_position": "principal"}
    first = client_of("住建局经办人").post(url, body, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 3 and first.json()["state"] == "in_trial"
    second = client_of("司法局协调员").post(url, {**body, "head_name": "周正清"}, content_type="application/json")
    assert second.status_code == 409 and second.json()["code"] == "stale_version"
    assert "已被他人修改" in second.json()["message"]
    assert list(Hearing.objects.values_list("head_name", flat=True)) == ["陈国栋"]


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------
def test_given_the_register_page_when_an_operator_registers_then_the_detail_shows_the_rolled_over_due_date(
        demo_gov, client_of):
    operator = client_of("住建局经办人")
    form = operator.get("/litigation/new/").content.decode()
    assert "云溪区住房和城乡建设局" in form and "云溪区市场监督管理局" not in form
    response = operator.post("/litigation/new/", {
        "unit": str(demo_gov.units["YX-ZJJ"].pk), "court": "云溪区人民法院", "case_number": "（2025）云0102行初777号",
        "instance": "first", "plaintiffs": "王五\n赵六", "act_challenged": "房屋征收补偿决定",
        "served_on": "2025-09-20", "reconsideration_number": "云府复〔2025〕8号"})
    case = LitigationCase.objects.get(case_number="（2025）云0102行初777号")
    assert response.status_code == 302 and response["Location"] == f"/litigation/{case.pk}/"
    views_before = AuditRecord.objects.filter(action="view_personal_data", object_id=str(case.pk)).count()
    html = operator.get(f"/litigation/{case.pk}/").content.decode()
    assert "已收到起诉状副本" in html and "2025-10-09" in html and "《行政诉讼法》第六十七条第一款" in html
    overdue = (clocks.today() - D(2025, 10, 9)).days
    assert f"已逾期 {overdue} 日" in html
    assert "王五" in html and "云府复〔2025〕8号" in html
    for op in ("answer", "hearing", "result"):
        assert f"/litigation/{case.pk}/op/{op}/" in html
    assert "/op/finalise/" not in html and "/op/appeal/" not in html
    assert AuditRecord.objects.filter(action="view_personal_data", object_id=str(case.pk)).count() == views_before + 1


def test_given_the_page_when_a_hearing_without_position_is_posted_then_400_and_nothing_saved(demo_gov, client_of):
    case = zjj_case(demo_gov)
    response = client_of("住建局经办人").post(f"/litigation/{case.pk}/op/hearing/", {
        "version": "2", "date": "2025-10-20", "head_appeared": "on", "head_name": "陈国栋"})
    assert response.status_code == 400 and "法释〔2020〕3号第二条" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.version, Hearing.objects.count()) == ("served", 2, 0)


def test_given_the_page_when_an_illegal_operation_is_posted_then_409_with_the_chinese_message(demo_gov, client_of):
    case = zjj_case(demo_gov)
    response = client_of("住建局经办人").post(f"/litigation/{case.pk}/op/finalise/", {"version": "2", "on": "2025-10-20"})
    assert response.status_code == 409
    assert "当前状态为“已收到起诉状副本”，不能执行“登记裁判生效”" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.version) == ("served", 2)


def test_given_the_auditor_then_the_detail_offers_no_operation_and_a_post_is_refused(demo_gov, client_of):
    case = zjj_case(demo_gov)
    auditor = client_of("人大监督员")
    html = auditor.get(f"/litigation/{case.pk}/").content.decode()
    assert TOKEN in html and "/op/" not in html
    assert "登记新案件" not in auditor.get("/litigation/").content.decode()
    assert auditor.get("/litigation/new/").status_code == 403
    response = auditor.post(f"/litigation/{case.pk}/op/answer/", {"version": "2", "filed_on": "2025-09-30"})
    assert response.status_code == 403 and "只能查看" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "served"


def test_given_a_whole_case_through_the_pages_then_it_ends_final_and_lost(demo_gov, client_of):
    case = zjj_case(demo_gov)
    c = client_of("住建局经办人")
    url = f"/litigation/{case.pk}/op/"
    assert c.post(url + "answer/", {"version": "2", "filed_on": "2025-09-30"}).status_code == 302
    assert c.post(url + "hearing/", {"version": "3", "date": "2025-10-20", "staff_name": "王晓燕",
                                     "absence_reason": "official_duty"}).status_code == 302
    assert c.post(url + "result/", {"version": "4", "result": "partly_revoked", "result_kind": "judgment",
                                    "served_on": "2025-11-03"}).status_code == 302
    html = c.get(f"/litigation/{case.pk}/").content.decode()
    assert "判决上诉期" in html and "2025-11-18" in html and "需要履行他人不能代替的公务" in html
    assert c.post(url + "finalise/", {"version": "5", "on": "2025-11-19"}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.final_result, case.lost) == ("final", "partly_revoked", True)
    assert "败诉" in c.get(f"/litigation/{case.pk}/").content.decode()


# ---------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------
def test_given_the_api_then_a_case_is_registered_answered_and_judged_with_its_clocks(demo_gov, client_of):
    c = client_of("住建局经办人")
    r = c.post("/api/litigation", {"unit": "YX-ZJJ", "court": "云溪区人民法院", "case_number": "API-1",
                                   "plaintiffs": "张三\n李四", "act_challenged": "行政处罚决定",
                                   "served_on": "2025-09-20"}, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["plaintiffs"] == ["张三", "李四"] and body["state"] == "served"
    assert body["clocks"][0]["due_date"] == "2025-10-09" and body["clocks"][0]["citation"].startswith("《行政诉讼法》")
    assert set(body["transitions"]) >= {"file_answer", "hearing", "record_judgment"}
    pk = body["id"]
    r = c.post(f"/api/litigation/{pk}/result", {"version": 2, "result": "withdrawn", "result_kind": "ruling",
                                                "served_on": "2025-09-23"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "judged"
    appeal = [x for x in r.json()["clocks"] if x["name"] == "appeal"][0]
    assert (appeal["label"], appeal["due_date"]) == ("裁定上诉期", "2025-10-09")
    listing = c.get("/api/litigation").json()
    assert [x["case_number"] for x in listing] == ["API-1"] and "plaintiffs" not in listing[0]


def test_given_the_api_then_refusals_are_json_with_chinese_messages(demo_gov, client_of):
    case = zjj_case(demo_gov)
    c = client_of("住建局经办人")
    r = c.post(f"/api/litigation/{case.pk}/finalise", {"version": 2, "on": "2025-10-20"},
               content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")
    assert "不能执行“登记裁判生效”" in r.json()["message"]
    r = c.post(f"/api/litigation/{case.pk}/hearings", {"version": 2, "date": "2025-10-20", "head_appeared": False},
               content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "invalid_input")
    assert "委托相应的工作人员出庭" in r.json()["message"]
    r = client_of("人大监督员").post(f"/api/litigation/{case.pk}/answer", {"version": 2, "filed_on": "2025-09-30"},
                                 content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (403, "role_denied")
    case.refresh_from_db()
    assert (case.state, case.version) == ("served", 2)
