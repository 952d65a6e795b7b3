"""Pages and API: scoping (ScopingContract), public page masking, upload with progress and rejections."""
import pytest
from django.test import Client

from fazhi.core.testing import ScopingContract
from fazhi.enforcement import importer, services, views
from fazhi.enforcement.models import Case, ImportBatch

from .conftest import D, case_row


def _import(tmp_path, rows):
    import csv

    from .conftest import HEADER

    path = tmp_path / "c.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return importer.run_import(str(path), as_of=D(2025, 6, 30))


class TestCaseScoping(ScopingContract):
    @pytest.fixture(autouse=True)
    def _setup(self, enf, tmp_path):
        self.tmp_path = tmp_path

    def make_record(self, demo_gov):
        _import(self.tmp_path, [case_row(案件编号="ZJ-SCOPE-1", 公示日期="2024-05-30")])
        return Case.objects.get(case_number="ZJ-SCOPE-1")

    def marker(self, obj):
        return "ZJ-SCOPE-1"

    def read_urls(self, obj):
        return [f"/enforcement/cases/{obj.pk}/", f"/api/enforcement/cases/{obj.pk}"]

    def list_urls(self):
        return ["/enforcement/cases/", "/api/enforcement/cases"]


class TestOpinionScoping(ScopingContract):
    def make_record(self, demo_gov):
        coordinator = demo_gov.persona("司法局协调员")
        return services.issue_opinion(coordinator, unit=demo_gov.units["YX-ZJJ"], issued_by=demo_gov.units["YX-SFJ"],
                                      number="云司执监〔2025〕9号", subject="未按期公示", content="请整改",
                                      issued_on=D(2025, 3, 3))

    def marker(self, obj):
        return "云司执监〔2025〕9号"

    def read_urls(self, obj):
        return [f"/enforcement/opinions/{obj.pk}/", f"/api/enforcement/opinions/{obj.pk}"]

    def write_requests(self, obj):
        return [("post", f"/enforcement/opinions/{obj.pk}/op/reply/", {"version": obj.version, "text": "x"}),
                ("post", f"/api/enforcement/opinions/{obj.pk}/reply",
                 {"version": obj.version, "reply": "x", "on": "2025-03-10"})]

    def list_urls(self):
        return ["/enforcement/opinions/", "/api/enforcement/opinions"]


def test_given_published_penalties_when_the_public_page_is_read_then_personal_data_is_masked(enf, tmp_path):
    _import(tmp_path, [case_row(案件编号="PUB-1", 当事人="张三丰", 证件号码="110101199003071234"),
                       case_row(案件编号="PUB-2", 当事人类型="法人或其他组织", 当事人="云溪某某建材有限公司"),
                       case_row(案件编号="PUB-3", 当事人="李四", 公示日期="")])
    page = Client().get("/enforcement/public/").content.decode()
    assert "PUB-1" in page and "张*" in page and "云溪某某建材有限公司" in page
    assert "张三丰" not in page and "110101199003071234" not in page
    assert "PUB-3" not in page  # not published
    assert "ZF0001" in page  # certified officers are public (118号 事前公示)
    searched = Client().get("/enforcement/public/", {"q": "张三丰"}).content.decode()
    assert "PUB-1" not in searched  # the clear name is not stored, so it cannot be found either


def test_given_an_upload_when_posted_then_the_import_runs_and_rejections_download_as_excel(
        enf, client_of, monkeypatch, tmp_path, write_csv):
    # The page starts a thread; a test's transaction is invisible to other connections, so run it inline.
    monkeypatch.setattr(views, "run_in_background",
                        lambda batch, path, allowed, user: importer.run_batch(batch, path, allowed_units=allowed,
                                                                              actor=user, as_of=D(2025, 6, 30)))
    path = write_csv([case_row(案件编号="UP-1"), case_row(案件编号="UP-2", 单位代码="YX-SCJG",
                                                          执法主体代码="SCJG")])
    client = client_of("住建局经办人")
    with open(path, "rb") as fh:
        response = client.post("/enforcement/import/", {"file": fh})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.inserted, batch.rejected) == ("done", 1, 1)
    assert batch.rejections.get().reason == "单位不在您的权限范围内：YX-SCJG"
    progress = client.get(f"/enforcement/import/{batch.pk}/progress/").content.decode()
    assert "新增 1" in progress and "hx-get" not in progress  # finished: polling stops
    xlsx = client.get(f"/enforcement/import/{batch.pk}/rejections.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client_of("市监局经办人").get(f"/enforcement/import/{batch.pk}/").status_code == 404


def test_given_many_cases_when_paging_then_the_keyset_cursor_walks_without_repeats(enf, tmp_path, client_of):
    _import(tmp_path, [case_row(案件编号=f"K-{i:03d}", 决定日期=f"2024-04-{1 + i % 20:02d}",
                                公示日期=f"2024-04-{1 + i % 20:02d}") for i in range(45)])
    user = client_of("住建局经办人")
    seen, after = [], ""
    for _ in range(5):
        data = user.get("/api/enforcement/cases", {"after": after}).json()
        seen += [c["case_number"] for c in data["items"]]
        after = data["next"]
        if not after:
            break
    assert len(seen) == 45 and len(set(seen)) == 45


def test_given_the_overview_and_officers_when_read_by_a_coordinator_then_they_render(enf, tmp_path, client_of):
    _import(tmp_path, [case_row(案件编号="OV-1", 公示日期="")])
    c = client_of("司法局协调员")
    page = c.get("/enforcement/?year=2024").content.decode()
    assert "未按期公示" in page
    assert "王建" in c.get("/enforcement/officers/").content.decode()
    assert c.get("/enforcement/reviews/").status_code == 200
