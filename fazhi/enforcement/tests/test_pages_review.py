"""File review (案卷评查) pages: sampling with seed and population hash, re-draw, assignment, scoring, results."""
import pytest

from fazhi.core.models import AuditRecord
from fazhi.enforcement import importer
from fazhi.enforcement.models import Case, ReviewFile, SamplingRun

from .conftest import D, case_row

AS_OF = D(2025, 6, 30)


@pytest.fixture
def cases(enf, write_csv):
    importer.run_import(write_csv([
        case_row(案件编号="P1"), case_row(案件编号="P2", 公示日期="2024-04-30"),
        case_row(案件编号="P3", 重大执法决定="是", 法制审核日期="2024-03-30"),
        case_row(案件编号="P4", 决定日期="2024-10-08", 立案日期="2024-09-02", 公示日期="2024-10-09"),
        case_row(案件编号="S1", 单位代码="YX-SCJG", 执法主体代码="SCJG", 执法证号1="ZF0003", 执法证号2="ZF0004"),
    ]), as_of=AS_OF)


def _create(client, demo_gov, seed="seed-42", per_stratum="2"):
    return client.post("/enforcement/reviews/new/", {
        "unit": demo_gov.units["YX"].pk, "title": "2024年度行政处罚案卷评查", "start": "2024-01-01",
        "end": "2024-12-31", "kinds": ["penalty"], "per_stratum": per_stratum, "seed": seed, "sheet": ""})


def test_given_a_coordinator_when_creating_a_sample_then_seed_and_hash_are_shown_and_redraw_reproduces_it(
        cases, demo_gov, client_of):
    c = client_of("司法局协调员")
    assert c.get("/enforcement/reviews/new/").status_code == 200
    response = _create(c, demo_gov)
    run = SamplingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.files.count() == 3  # 2 of 住建局's 4 penalties, 1 of 市监局's 1
    page = c.get(run.get_absolute_url()).content.decode()
    assert "seed-42" in page and run.population_hash in page and "重新抽取" in page
    assert "住房和城乡建设局" in page and "市场监督管理局" in page  # results per unit
    redraw = c.get(f"/enforcement/reviews/{run.pk}/redraw/").content.decode()
    assert "与原样本完全一致" in redraw
    Case.objects.filter(case_number="P1").update(row_hash="changed-at-source")
    assert "案件总体已发生变化" in c.get(f"/enforcement/reviews/{run.pk}/redraw/").content.decode()


def test_given_bad_input_when_creating_a_sample_then_a_chinese_error_and_nothing_saved(cases, demo_gov, client_of):
    c = client_of("司法局协调员")
    response = _create(c, demo_gov, per_stratum="两")
    assert response.status_code == 400 and "每层抽取数应为整数" in response.content.decode()
    response = c.post("/enforcement/reviews/new/", {"unit": demo_gov.units["YX"].pk, "title": "x",
                                                     "start": "2030-01-01", "end": "2030-12-31",
                                                     "per_stratum": "2"})
    assert response.status_code == 422 and "没有已作出决定的案件" in response.content.decode()
    assert SamplingRun.objects.count() == 0 and ReviewFile.objects.count() == 0


def test_given_an_operator_when_organising_or_reading_a_run_then_refused_and_404(cases, demo_gov, client_of):
    _create(client_of("司法局协调员"), demo_gov)
    run = SamplingRun.objects.get()
    op = client_of("住建局经办人")
    assert op.get("/enforcement/reviews/new/").status_code == 403
    assert _create(op, demo_gov, seed="x").status_code == 403
    assert op.get(run.get_absolute_url()).status_code == 404
    assert op.get(f"/enforcement/reviews/{run.pk}/redraw/").status_code == 404
    other = run.files.get(unit=demo_gov.units["YX-SCJG"])
    assert op.get(f"/enforcement/reviews/files/{other.pk}/").status_code == 404
    assert SamplingRun.objects.count() == 1


def test_given_an_evaluator_of_the_reviewed_unit_when_assigned_through_the_page_then_refused(
        cases, demo_gov, client_of, persona):
    c = client_of("司法局协调员")
    _create(c, demo_gov)
    f = ReviewFile.objects.filter(unit=demo_gov.units["YX-ZJJ"]).first()
    response = c.post(f"/enforcement/reviews/files/{f.pk}/assign/",
                      {"evaluator": persona("住建局经办人").pk, "version": f.version})
    assert response.status_code == 422 and "应当回避" in response.content.decode()
    f.refresh_from_db()
    assert f.evaluator_id is None and f.version == 1
    stale = c.post(f"/enforcement/reviews/files/{f.pk}/assign/",
                   {"evaluator": persona("法律顾问").pk, "version": 0})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    ok = c.post(f"/enforcement/reviews/files/{f.pk}/assign/", {"evaluator": persona("法律顾问").pk, "version": 1})
    assert ok.status_code == 302
    f.refresh_from_db()
    assert f.evaluator == persona("法律顾问") and f.version == 2


def test_given_a_veto_item_when_scored_through_the_page_then_the_file_gets_the_veto_grade(
        cases, demo_gov, client_of, persona):
    coordinator = client_of("司法局协调员")
    _create(coordinator, demo_gov)
    f = ReviewFile.objects.filter(unit=demo_gov.units["YX-ZJJ"]).first()
    coordinator.post(f"/enforcement/reviews/files/{f.pk}/assign/", {"evaluator": persona("法律顾问").pk,
                                                                     "version": f.version})
    f.refresh_from_db()
    # Not assigned: the coordinator cannot score.
    refused = coordinator.post(f"/enforcement/reviews/files/{f.pk}/score/", {"version": f.version, "d_C1": "1"})
    assert refused.status_code == 403
    advisor = client_of("法律顾问")  # 司法局's adviser: the 住建局 file is visible because it is assigned
    page = advisor.get(f"/enforcement/reviews/files/{f.pk}/")
    assert page.status_code == 200 and "一票否决" in page.content.decode()
    response = advisor.post(f"/enforcement/reviews/files/{f.pk}/score/", {
        "version": f.version, "d_C1": "2", "veto": ["A2"], "comment": "执法人员仅一人持证", "on": "2025-03-03",
        "poor": "1"})
    assert response.status_code == 302
    f.refresh_from_db()
    assert (f.score, f.grade, f.vetoed, f.poor, f.reviewed_on) == (0, "不合格", ["A2"], True, D(2025, 3, 3))
    assert AuditRecord.objects.filter(action="enforcement.score").count() == 1
    results = coordinator.get(f.run.get_absolute_url()).content.decode()
    assert "不合格 1" in results
    again = advisor.post(f"/enforcement/reviews/files/{f.pk}/score/", {"version": f.version - 1, "d_C1": "1"})
    assert again.status_code == 409


def test_given_a_non_numeric_deduction_when_scored_then_a_chinese_error_and_nothing_saved(
        cases, demo_gov, client_of, persona):
    coordinator = client_of("司法局协调员")
    _create(coordinator, demo_gov)
    f = ReviewFile.objects.filter(unit=demo_gov.units["YX-ZJJ"]).first()
    coordinator.post(f"/enforcement/reviews/files/{f.pk}/assign/", {"evaluator": persona("法律顾问").pk,
                                                                     "version": f.version})
    f.refresh_from_db()
    response = client_of("法律顾问").post(f"/enforcement/reviews/files/{f.pk}/score/",
                                          {"version": f.version, "d_C1": "三分"})
    assert response.status_code == 400 and "C1 的扣分应为数字" in response.content.decode()
    response = client_of("法律顾问").post(f"/enforcement/reviews/files/{f.pk}/score/",
                                          {"version": f.version, "d_C1": "25"})
    assert response.status_code == 400 and "0 至 20" in response.content.decode()
    f.refresh_from_db()
    assert f.score is None and f.grade == ""
