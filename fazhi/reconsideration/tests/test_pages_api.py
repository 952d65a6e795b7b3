"""Pages and API: scoping (ScopingContract), transitions with version, conflicts, registration, tick command."""
import datetime as dt
import io
import json

from django.core.management import call_command

from fazhi.core.models import AuditRecord
from fazhi.core.testing import ScopingContract
from fazhi.reconsideration import services
from fazhi.reconsideration.models import Case

D = dt.date
MARKER = "拆除违法建设决定（云建罚〔2025〕77号）"


def _zjj_case(demo_gov):
    office = services.setup_office(demo_gov.units["YX"], demo_gov.units["YX-SFJ"], organ_name="云溪区人民政府",
                                   number_prefix="云府复")
    staff = demo_gov.persona("复议专员")
    case, _ = services.do_register(staff, office=office, channel="counter", received_on=D(2025, 9, 1),
                                   respondent_unit=demo_gov.units["YX-ZJJ"], act_description=MARKER,
                                   applicants=[{"name": "李建华", "phone": "13800000000"}])
    case = services.do_accept(case, staff, version=case.version, on=D(2025, 9, 2))
    return services.do_send_copy(case, staff, version=case.version, on=D(2025, 9, 3))


class TestRespondentOperatorsSeeOnlyCasesAgainstTheirUnit(ScopingContract):
    owner = "住建局经办人"  # the respondent's operator: sees and answers the case
    outsider = "市监局经办人"  # another department's operator: must see nothing

    def make_record(self, demo_gov):
        return _zjj_case(demo_gov)

    def read_urls(self, obj):
        return [f"/reconsideration/{obj.pk}/", f"/api/reconsideration/{obj.pk}"]

    def write_requests(self, obj):
        return [
            ("post", f"/reconsideration/{obj.pk}/reply/", {"version": obj.version, "reply-on": "2025-09-10"}),
            ("post", f"/reconsideration/{obj.pk}/act/decide/",
             {"version": obj.version, "decide-on": "2025-09-10", "decide-outcome": "revoked"}),
            ("post", f"/reconsideration/{obj.pk}/opinion/", {"opinion-on": "2025-09-10", "opinion-content": "x"}),
            ("post", f"/api/reconsideration/{obj.pk}/reply", {"version": obj.version, "on": "2025-09-10"}),
            ("post", f"/api/reconsideration/{obj.pk}/transition/decide",
             {"version": obj.version, "data": {"on": "2025-09-10", "outcome": "revoked"}}),
        ]

    def list_urls(self):
        return ["/reconsideration/", "/api/reconsideration"]

    def marker(self, obj):
        return MARKER


def test_given_the_respondent_operator_then_the_page_offers_the_reply_but_no_office_action(demo_gov, client_of):
    case = _zjj_case(demo_gov)
    html = client_of("住建局经办人").get(f"/reconsideration/{case.pk}/").content.decode()
    assert "提交答复" in html and "/act/" not in html
    assert AuditRecord.objects.filter(action="view_personal_data", object_id=str(case.pk)).exists()


def test_given_the_respondent_operator_replies_through_the_page_then_the_reply_clock_stops(demo_gov, client_of):
    from fazhi.core import clocks

    case = _zjj_case(demo_gov)
    r = client_of("住建局经办人").post(f"/reconsideration/{case.pk}/reply/",
                                    {"version": case.version, "reply-on": "2025-09-12", "reply-summary": "行为合法"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert clocks.clock_of(case, "reply").stopped_on == D(2025, 9, 12)
    assert case.replies.get().summary == "行为合法"


def test_given_the_respondent_operator_then_office_transitions_through_the_api_are_refused_and_nothing_changes(demo_gov, client_of):
    case = _zjj_case(demo_gov)
    r = client_of("住建局经办人").post(f"/api/reconsideration/{case.pk}/transition/decide",
                                    json.dumps({"version": case.version, "data": {"on": "2025-09-10", "outcome": "revoked"}}),
                                    content_type="application/json")
    assert r.status_code == 404  # the office's unit is outside the operator's scope
    case.refresh_from_db()
    assert case.state == "trial"


def test_given_a_page_transition_then_version_conflicts_are_shown_in_chinese(demo_gov, client_of):
    case = _zjj_case(demo_gov)
    staff = client_of("复议专员")
    first = staff.post(f"/reconsideration/{case.pk}/act/suspend/",
                       {"version": case.version, "suspend-on": "2025-09-10", "suspend-ground": "8"})
    assert first.status_code == 302
    second = staff.post(f"/reconsideration/{case.pk}/act/decide/",
                        {"version": case.version, "decide-on": "2025-09-10", "decide-outcome": "upheld"})
    assert second.status_code == 409 and "已被他人修改" in second.content.decode()
    case.refresh_from_db()
    assert (case.state, case.outcome) == ("suspended", "")


def test_given_an_illegal_transition_through_the_api_then_409_with_a_chinese_message(demo_gov, client_of):
    case = _zjj_case(demo_gov)
    r = client_of("复议专员").post(f"/api/reconsideration/{case.pk}/transition/serve",
                                json.dumps({"version": case.version, "data": {"on": "2025-09-10"}}),
                                content_type="application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "transition_not_allowed" and "当前状态为“审理中”，不能执行“送达”" in r.json()["message"]


def test_given_the_detail_page_then_clocks_show_remaining_days_and_the_ledger(demo_gov, client_of):
    case = _zjj_case(demo_gov)
    html = client_of("复议专员").get(f"/reconsideration/{case.pk}/").content.decode()
    assert "被申请人答复（普通程序）" in html and "《行政复议法》第四十八条" in html
    assert "审理期限（普通程序）" in html and "2025-11-03" in html  # 9-2 + 60 = 11-1 (Saturday) → 11-3
    assert "账目" in html and "起算" in html
    assert 'name="version" value="%d"' % case.version in html


def test_given_a_counter_registration_through_the_page_then_the_case_and_its_tracking_code_exist(demo_gov, client_of):
    services.setup_office(demo_gov.units["YX"], demo_gov.units["YX-SFJ"], organ_name="云溪区人民政府")
    r = client_of("复议专员").post("/reconsideration/new/", {
        "channel": "mail", "received_on": "2025-09-30", "respondent_unit": demo_gov.units["YX-SCJG"].pk,
        "act_description": "行政处罚决定", "procedure_type": "ordinary", "applicant_kind": "legal",
        "applicant_name": "云溪某某贸易有限公司", "applicant_id_number": "91330100MA2XXXXX1A"}, follow=True)
    assert r.status_code == 200
    case = Case.objects.get()
    html = r.content.decode()
    assert "查询码" in html and case.state == "received" and case.channel == "mail"
    code = html.split("查询码：", 1)[1][:14]
    assert services.find_by_tracking_code(code) == case
    assert services.find_by_tracking_code("ABCD-EFGH-JKMN") is None


def test_given_the_metrics_page_then_this_year_and_last_year_are_compared(demo_gov, client_of):
    case = _zjj_case(demo_gov)
    staff = demo_gov.persona("复议专员")
    services.do_decide(case, staff, version=case.version, on=D(2025, 10, 20), outcome="revoked")
    html = client_of("司法局协调员").get("/reconsideration/metrics/?unit=YX&year=2025").content.decode()
    assert "2025年" in html and "2024年" in html and "行政复议纠错率" in html and "100.0" in html
    r = client_of("司法局协调员").post("/reconsideration/metrics/formula/", {"unit": "YX", "formula": "decided.v1", "year": "2025"})
    assert r.status_code == 302 and services.office_of(demo_gov.units["YX"]).correction_formula == "decided.v1"


def test_given_the_tick_command_then_it_records_deemed_acceptance_once(demo_gov):
    office = services.setup_office(demo_gov.units["YX"], demo_gov.units["YX-SFJ"])
    case, _ = services.do_register(demo_gov.persona("复议专员"), office=office, channel="counter",
                                   received_on=D(2025, 9, 30), respondent_unit=demo_gov.units["YX-ZJJ"],
                                   act_description="x", applicants=[{"name": "张三"}])
    out = io.StringIO()
    call_command("reconsideration", "tick", "--on", "2025-10-15", "--json", stdout=out)
    case.refresh_from_db()
    assert json.loads(out.getvalue())["deemed_accepted"] == [case.number] and case.accepted_on == D(2025, 10, 14)
    out = io.StringIO()
    call_command("reconsideration", "tick", "--on", "2025-10-15", stdout=out)
    assert "视为受理（第三十条第二款）：0 件" in out.getvalue()


def test_given_the_inbox_then_the_coordinator_sees_the_case_clocks(demo_gov, client_of):
    case = _zjj_case(demo_gov)
    items = client_of("复议专员").get("/api/inbox").json()
    mine = [i for i in (items if isinstance(items, list) else items.get("items", [])) if i["matter_id"] == case.pk
            and i["matter_type"] == "reconsideration.case"]
    assert {i["clock"] for i in mine} >= {"trial", "reply"}


def test_given_cases_in_every_stage_then_list_detail_and_forms_render_for_the_office(demo_gov, client_of):
    case = _zjj_case(demo_gov)
    staff = demo_gov.persona("复议专员")
    services.do_issue_opinion(case, staff, on=D(2025, 9, 20), recipient=demo_gov.units["YX-ZJJ"], content="规范执法")
    case.refresh_from_db()
    services.do_decide(case, staff, version=case.version, on=D(2025, 10, 20), outcome="confirmed_void")
    c = client_of("复议专员")
    for url in ["/reconsideration/", "/reconsideration/?state=decided&flag=late&year=2025&q=云府复",
                "/reconsideration/new/", f"/reconsideration/{case.pk}/", "/reconsideration/metrics/"]:
        r = c.get(url)
        assert r.status_code == 200, url
    html = c.get(f"/reconsideration/{case.pk}/").content.decode()
    assert "确认无效" in html and "（纠错）" in html and "送达" in html and "意见书落实情况反馈" in html


def test_given_the_demo_loader_then_the_demo_government_has_its_office_once(db):
    # Only this module's office loader: the full demo (≈300 cases) is covered by test_demo_history.
    from fazhi.core.demo import load_demo
    from fazhi.reconsideration.demo import load_office
    from fazhi.reconsideration.models import Office

    demo = load_demo(with_modules=False)
    load_office(demo)
    load_office(demo)

    office = Office.objects.get()
    assert (office.government.code, office.office_unit.code, office.number_prefix) == ("YX", "YX-SFJ", "云府复")
