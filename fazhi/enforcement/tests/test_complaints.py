"""执法投诉 pages: register, list, detail, transitions through the procedure engine, scoping, the inbox."""
import pytest

from fazhi.core import clocks, inbox
from fazhi.core.testing import ScopingContract
from fazhi.enforcement import services
from fazhi.enforcement.models import Complaint

from .conftest import D

RECEIVED = D(2024, 8, 2)


def _register(demo_gov, subject="执法人员未出示证件", received_on=RECEIVED):
    return services.register_complaint(demo_gov.persona("司法局协调员"), unit=demo_gov.units["YX-ZJJ"],
                                       complainant="李小龙", subject=subject, received_on=received_on)


class TestComplaintScoping(ScopingContract):
    def make_record(self, demo_gov):
        return _register(demo_gov, subject="执法投诉-范围测试-01")

    def marker(self, obj):
        return "执法投诉-范围测试-01"

    def read_urls(self, obj):
        return [f"/enforcement/complaints/{obj.pk}/", f"/api/enforcement/complaints/{obj.pk}"]

    def write_requests(self, obj):
        return [("post", f"/enforcement/complaints/{obj.pk}/op/reply/", {"version": obj.version, "text": "x"}),
                ("post", f"/enforcement/complaints/{obj.pk}/op/close/", {"version": obj.version}),
                ("post", f"/api/enforcement/complaints/{obj.pk}/reply",
                 {"version": obj.version, "reply": "x", "on": "2024-08-20"})]

    def list_urls(self):
        return ["/enforcement/complaints/", "/api/enforcement/complaints"]


def test_given_an_operator_when_registering_through_the_page_then_the_name_is_masked_and_the_clock_runs(
        demo_gov, client_of):
    c = client_of("住建局经办人")
    assert c.get("/enforcement/complaints/new/").status_code == 200
    response = c.post("/enforcement/complaints/new/", {"unit": demo_gov.units["YX-ZJJ"].pk, "complainant": "欧阳娜娜",
                                                       "subject": "拆除违建未全程录像", "received_on": "2024-08-02"})
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == complaint.get_absolute_url()
    assert (complaint.complainant, complaint.state) == ("欧*", "received")
    # 60 days from 2024-08-02 end on 10-01 (国庆节), so the limit rolls to the next working day.
    assert clocks.clock_of(complaint, "handling").due_date == D(2024, 10, 8)
    page = c.get(complaint.get_absolute_url()).content.decode()
    assert "欧*" in page and "欧阳娜娜" not in page and "2024-10-08" in page and "答复投诉人" in page


def test_given_bad_input_when_registering_then_a_chinese_error_and_nothing_saved(demo_gov, client_of):
    c = client_of("住建局经办人")
    base = {"unit": demo_gov.units["YX-ZJJ"].pk, "complainant": "张三", "subject": "x", "received_on": "2024-13-01"}
    response = c.post("/enforcement/complaints/new/", base)
    assert response.status_code == 400 and "收到日期无效" in response.content.decode()
    response = c.post("/enforcement/complaints/new/", {**base, "received_on": "2024-08-02",
                                                       "unit": demo_gov.units["YX-SCJG"].pk})
    assert response.status_code == 400 and "请选择被投诉单位" in response.content.decode()
    assert client_of("人大监督员").get("/enforcement/complaints/new/").status_code == 403
    assert Complaint.objects.count() == 0


def test_given_a_complaint_when_replied_and_closed_through_the_pages_then_roles_and_versions_hold(
        demo_gov, client_of):
    complaint = _register(demo_gov)
    operator, coordinator = client_of("住建局经办人"), client_of("司法局协调员")
    empty = operator.post(f"/enforcement/complaints/{complaint.pk}/op/reply/",
                          {"version": complaint.version, "text": "  ", "on": "2024-08-20"})
    assert empty.status_code == 422 and "请填写处理结果" in empty.content.decode()
    ok = operator.post(f"/enforcement/complaints/{complaint.pk}/op/reply/",
                       {"version": complaint.version, "text": "已约谈执法人员并书面答复", "on": "2024-08-20"})
    assert ok.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.state, complaint.replied_on) == ("replied", D(2024, 8, 20))
    assert clocks.clock_of(complaint, "handling").status == "stopped"
    denied = operator.post(f"/enforcement/complaints/{complaint.pk}/op/close/", {"version": complaint.version})
    assert denied.status_code == 403 and "无权" in denied.content.decode()
    stale = coordinator.post(f"/enforcement/complaints/{complaint.pk}/op/close/", {"version": 1})
    assert stale.status_code == 409
    closed = coordinator.post(f"/enforcement/complaints/{complaint.pk}/op/close/",
                              {"version": complaint.version, "on": "2024-08-22"})
    assert closed.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "closed"
    listing = coordinator.get("/enforcement/complaints/?state=closed").content.decode()
    assert "执法人员未出示证件" in listing
    assert "执法人员未出示证件" not in coordinator.get("/enforcement/complaints/?state=received").content.decode()


def test_given_an_open_complaint_when_the_unit_reads_its_inbox_then_the_handling_limit_is_listed(
        demo_gov, persona):
    complaint = _register(demo_gov)
    items = inbox.items_for(persona("住建局经办人"), on=D(2024, 9, 30))
    mine = [i for i in items if i.matter_type == "enforcement.complaint" and i.matter_id == complaint.pk]
    assert len(mine) == 1 and mine[0].due_date == D(2024, 10, 8)
    assert not [i for i in inbox.items_for(persona("市监局经办人"), on=D(2024, 9, 30))
                if i.matter_type == "enforcement.complaint"]


@pytest.mark.parametrize("op", ["reply", "close"])
def test_given_an_unknown_or_valid_operation_name_when_posted_by_the_auditor_then_nothing_changes(
        demo_gov, client_of, op):
    complaint = _register(demo_gov)
    response = client_of("人大监督员").post(f"/enforcement/complaints/{complaint.pk}/op/{op}/",
                                            {"version": complaint.version, "text": "x"})
    assert response.status_code == 403
    assert client_of("人大监督员").post(f"/enforcement/complaints/{complaint.pk}/op/delete/",
                                        {"version": 1}).status_code == 404
    complaint.refresh_from_db()
    assert complaint.state == "received" and complaint.version == 1
