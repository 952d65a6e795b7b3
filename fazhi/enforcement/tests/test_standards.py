"""从轻/减轻/不予处罚清单 and 裁量基准: versioned lists, item codes that never move, scope, Excel, case page."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.core.models import AuditRecord
from fazhi.core.procedure import GuardFailed, InvalidInput, RoleDenied, StaleVersion
from fazhi.core.testing import ScopingContract
from fazhi.enforcement import demo as enf_demo
from fazhi.enforcement import standards
from fazhi.enforcement.models import Case, StandardItem, StandardList

from .conftest import D


def _list(demo_gov, unit="YX", kind="no_penalty", title="首违不罚清单", who="司法局协调员", items=3,
          prefix="BCF", effective_from=D(2023, 1, 1)):
    lst = standards.do_create_list(demo_gov.persona(who), unit=demo_gov.units[unit], kind=kind, title=title,
                                   effective_from=effective_from)
    for k in range(1, items + 1):
        standards.do_add_item(demo_gov.persona(who), lst, code=f"{prefix}-{k:03d}", title=f"违法行为{k}",
                              basis="《中华人民共和国行政处罚法》第三十三条", measure=f"处理方式{k}")
    return lst


def _case(demo_gov, number, unit="YX-ZJJ", lenient="", discretion="", decided=D(2024, 5, 6)):
    return Case.objects.create(source_system="T", case_number=number, unit=demo_gov.units[unit], kind="penalty",
                               event_on=decided, decided_on=decided, lenient_item=lenient,
                               discretion_item=discretion, row_hash="x")


def _xlsx(rows, header=("事项编码", "违法行为", "依据", "处理方式或裁量幅度")) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, lst, data: bytes, name="items.xlsx"):
    return client.post(f"/enforcement/standards/{lst.pk}/upload/", {"file": SimpleUploadedFile(name, data)})


def _audits(action):
    return AuditRecord.objects.filter(action=action).count()


# ---------------------------------------------------------------------------
# Creation
# ---------------------------------------------------------------------------
def test_given_a_coordinator_when_creating_a_list_and_adding_items_through_the_pages_then_saved_and_audited(
        demo_gov, client_of):
    c = client_of("司法局协调员")
    assert c.get("/enforcement/standards/new/").status_code == 200
    response = c.post("/enforcement/standards/new/", {"unit": demo_gov.units["YX"].pk, "kind": "discretion",
                                                      "title": "云溪区行政处罚裁量基准", "effective_from": "2024-01-01"})
    lst = StandardList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/enforcement/standards/{lst.pk}/"
    assert (lst.unit, lst.kind, lst.version, lst.effective_from, lst.effective_to) == (
        demo_gov.units["YX"], "discretion", 1, D(2024, 1, 1), None)
    added = c.post(f"/enforcement/standards/{lst.pk}/items/new/",
                   {"code": "CLJZ-001", "title": "擅自占用城市道路", "basis": "《城市道路管理条例》第四十二条",
                    "measure": "处500元以下罚款"})
    assert added.status_code == 302
    item = StandardItem.objects.get()
    assert (item.standard, item.code, item.measure) == (lst, "CLJZ-001", "处500元以下罚款")
    assert _audits("enforcement.standard.create") == 1 and _audits("enforcement.standard.item_add") == 1
    page = c.get(f"/enforcement/standards/{lst.pk}/").content.decode()
    assert "CLJZ-001" in page and "擅自占用城市道路" in page and "<h2>制定新版本</h2>" in page


def test_given_bad_input_when_creating_a_list_or_an_item_then_a_chinese_error_and_nothing_saved(demo_gov, client_of):
    lst = _list(demo_gov, items=1)
    c = client_of("司法局协调员")
    base = {"unit": demo_gov.units["YX"].pk, "kind": "no_penalty", "title": "另一份", "effective_from": "2024-01-01"}
    again = c.post("/enforcement/standards/new/", base)
    assert again.status_code == 422 and "已有不予处罚清单" in again.content.decode() and "新版本" in again.content.decode()
    bad_date = c.post("/enforcement/standards/new/", {**base, "kind": "lighter", "effective_from": "2024-02-30"})
    assert bad_date.status_code == 400 and "施行日期无效" in bad_date.content.decode()
    no_title = c.post("/enforcement/standards/new/", {**base, "kind": "lighter", "title": " "})
    assert no_title.status_code == 400 and "请填写清单名称" in no_title.content.decode()
    assert StandardList.objects.count() == 1
    for data, status, message in [
            ({"code": "BCF-001", "title": "重复"}, 422, "已在“首违不罚清单”（第1版）中使用"),
            ({"code": "含 空格", "title": "x"}, 400, "不含空格"),
            ({"code": "X" * 41, "title": "x"}, 400, "不能超过 40 个字符"),
            ({"code": "BCF-009", "title": ""}, 400, "请填写违法行为")]:
        response = c.post(f"/enforcement/standards/{lst.pk}/items/new/", data)
        assert response.status_code == status and message in response.content.decode(), data
    assert StandardItem.objects.count() == 1


def test_given_roles_when_creating_then_only_coordinators_and_legal_staff_may(demo_gov, persona):
    zjj = demo_gov.units["YX-ZJJ"]
    own = standards.do_create_list(persona("住建局经办人"), unit=zjj, kind="discretion", title="住建裁量基准",
                                   effective_from=D(2024, 1, 1))
    assert own.unit == zjj
    with pytest.raises(RoleDenied):  # a department's operator cannot make the county's list
        standards.do_create_list(persona("住建局经办人"), unit=demo_gov.units["YX"], kind="lighter", title="x",
                                 effective_from=D(2024, 1, 1))
    with pytest.raises(RoleDenied):
        standards.do_create_list(persona("住建局负责人"), unit=zjj, kind="lighter", title="x",
                                 effective_from=D(2024, 1, 1))
    from django.http import Http404

    with pytest.raises(Http404):
        standards.do_create_list(persona("市监局经办人"), unit=zjj, kind="lighter", title="x",
                                 effective_from=D(2024, 1, 1))
    assert StandardList.objects.count() == 1


# ---------------------------------------------------------------------------
# Versioning
# ---------------------------------------------------------------------------
def test_given_a_list_applied_by_cases_when_a_new_version_is_made_then_new_codes_old_ends_and_cases_keep_items(
        demo_gov, client_of):
    v1 = _list(demo_gov, items=3)
    case = _case(demo_gov, "ZJ-1", lenient="BCF-002")
    c = client_of("司法局协调员")
    response = c.post(f"/enforcement/standards/{v1.pk}/new-version/",
                      {"title": "首违不罚清单（2025年修订）", "effective_from": "2025-03-01"})
    v2 = StandardList.objects.get(version=2)
    assert response.status_code == 302 and response["Location"] == f"/enforcement/standards/{v2.pk}/"
    v1.refresh_from_db()
    assert v1.effective_to == D(2025, 2, 28) and (v2.effective_from, v2.effective_to) == (D(2025, 3, 1), None)
    assert (v2.unit, v2.kind, v2.title) == (v1.unit, "no_penalty", "首违不罚清单（2025年修订）")
    assert sorted(v2.items.values_list("code", flat=True)) == ["BCF-001-V2", "BCF-002-V2", "BCF-003-V2"]
    assert sorted(v1.items.values_list("code", flat=True)) == ["BCF-001", "BCF-002", "BCF-003"]
    assert v2.items.get(code="BCF-002-V2").title == v1.items.get(code="BCF-002").title
    case.refresh_from_db()
    assert case.lenient_item == "BCF-002" and StandardItem.objects.get(code="BCF-002").standard == v1
    assert _audits("enforcement.standard.new_version") == 1 and _audits("enforcement.standard.supersede") == 1
    # The old version is frozen and cannot be versioned again; the third version strips the suffix.
    with pytest.raises(GuardFailed, match="第2版"):
        standards.do_add_item(demo_gov.persona("司法局协调员"), v1, code="BCF-004", title="x")
    with pytest.raises(GuardFailed, match="只能在最新版本"):
        standards.do_new_version(demo_gov.persona("司法局协调员"), v1, effective_from=D(2026, 1, 1))
    with pytest.raises(InvalidInput, match="应晚于第2版的施行日期"):
        standards.do_new_version(demo_gov.persona("司法局协调员"), v2, effective_from=D(2025, 3, 1))
    v3 = standards.do_new_version(demo_gov.persona("司法局协调员"), v2, effective_from=D(2026, 1, 1))
    assert sorted(v3.items.values_list("code", flat=True)) == ["BCF-001-V3", "BCF-002-V3", "BCF-003-V3"]
    page = c.get(f"/enforcement/standards/{v1.pk}/").content.decode()
    assert "已被新版本替代" in page and "第3版" in page and "<h2>添加事项</h2>" not in page


def test_given_a_derived_code_already_taken_when_versioning_then_refused_and_nothing_created(demo_gov, persona):
    v1 = _list(demo_gov, items=2)
    _list(demo_gov, unit="YX-ZJJ", kind="lighter", title="住建从轻清单", who="住建局经办人", items=0)
    standards.do_add_item(persona("住建局经办人"), StandardList.objects.get(kind="lighter"), code="BCF-001-V2",
                          title="占用")
    with pytest.raises(GuardFailed, match="BCF-001-V2”已被其他事项使用"):
        standards.do_new_version(persona("司法局协调员"), v1, effective_from=D(2025, 1, 1))
    v1.refresh_from_db()
    assert v1.effective_to is None and not StandardList.objects.filter(version=2).exists()


def test_given_long_codes_when_versioning_then_the_base_is_cut_to_fit_and_the_suffix_replaced():
    assert standards.derive_code("A" * 40, 2) == "A" * 37 + "-V2"
    assert standards.derive_code("A" * 37 + "-V2", 3) == "A" * 37 + "-V3"
    assert standards.derive_code("YX-BCF-001-V9", 10) == "YX-BCF-001-V10"
    assert standards.derive_code("V2", 2) == "V2-V2"


def test_given_a_list_when_retired_then_it_ends_is_frozen_and_audited(demo_gov, client_of):
    lst = _list(demo_gov, items=1)
    c = client_of("司法局协调员")
    early = c.post(f"/enforcement/standards/{lst.pk}/retire/", {"effective_to": "2022-12-31"})
    assert early.status_code == 400 and "不能早于施行日期" in early.content.decode()
    assert c.post(f"/enforcement/standards/{lst.pk}/retire/", {"effective_to": "2025-06-30"}).status_code == 302
    lst.refresh_from_db()
    assert lst.effective_to == D(2025, 6, 30) and _audits("enforcement.standard.retire") == 1
    again = c.post(f"/enforcement/standards/{lst.pk}/retire/", {"effective_to": "2025-07-31"})
    assert again.status_code == 422 and "已于 2025-06-30 废止" in again.content.decode()
    added = c.post(f"/enforcement/standards/{lst.pk}/items/new/", {"code": "BCF-100", "title": "x"})
    assert added.status_code == 422 and not StandardItem.objects.filter(code="BCF-100").exists()


# ---------------------------------------------------------------------------
# A case keeps the item it applied
# ---------------------------------------------------------------------------
def test_given_an_item_applied_by_a_case_when_edited_then_refused_with_advice_to_make_a_new_version(
        demo_gov, client_of):
    lst = _list(demo_gov, kind="discretion", title="裁量基准", prefix="CL", items=2)
    _case(demo_gov, "ZJ-1", discretion="CL-001")
    used, free = StandardItem.objects.get(code="CL-001"), StandardItem.objects.get(code="CL-002")
    c = client_of("司法局协调员")
    form = c.get(f"/enforcement/standards/{lst.pk}/items/{used.pk}/edit/")
    assert form.status_code == 200 and "已被 1 件案件适用" in form.content.decode()
    response = c.post(f"/enforcement/standards/{lst.pk}/items/{used.pk}/edit/",
                      {"seen": standards.fingerprint(used), "title": "改过的", "measure": "改过的"})
    assert response.status_code == 422 and "请制定新版本清单" in response.content.decode()
    used.refresh_from_db()
    assert (used.title, used.measure) == ("违法行为1", "处理方式1")
    # An item no case applied may be edited — once: the second form, carrying the old content, is stale.
    seen = standards.fingerprint(free)
    ok = c.post(f"/enforcement/standards/{lst.pk}/items/{free.pk}/edit/",
                {"seen": seen, "title": "新表述", "basis": free.basis, "measure": "处200元罚款"})
    assert ok.status_code == 302
    free.refresh_from_db()
    assert (free.code, free.title, free.measure) == ("CL-002", "新表述", "处200元罚款")
    stale = c.post(f"/enforcement/standards/{lst.pk}/items/{free.pk}/edit/",
                   {"seen": seen, "title": "又一次", "basis": "", "measure": ""})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    free.refresh_from_db()
    assert free.title == "新表述" and _audits("enforcement.standard.item_update") == 1
    detail = c.get(f"/enforcement/standards/{lst.pk}/").content.decode()
    assert "已被适用，不可修改" in detail


def test_given_an_item_applied_in_the_other_column_when_edited_then_still_refused(demo_gov, persona):
    _list(demo_gov, items=1)
    _case(demo_gov, "ZJ-9", discretion="BCF-001")  # misfiled by the source system: still a case's item
    item = StandardItem.objects.get(code="BCF-001")
    with pytest.raises(GuardFailed, match="1 件案件"):
        standards.do_update_item(persona("司法局协调员"), item, seen=standards.fingerprint(item), title="改")
    with pytest.raises(StaleVersion):
        standards.do_update_item(persona("司法局协调员"), item, seen="", title="改")


# ---------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------
class TestStandardScoping(ScopingContract):
    """住建局's own list: 市监局's operator must not see, export or change it."""

    def make_record(self, demo_gov):
        lst = _list(demo_gov, unit="YX-ZJJ", kind="discretion", title="住建局裁量基准-范围测试", who="住建局经办人",
                    prefix="ZJ-CL", items=1)
        self.item = lst.items.get()
        return lst

    def marker(self, obj):
        return "住建局裁量基准-范围测试"

    def read_urls(self, obj):
        return [f"/enforcement/standards/{obj.pk}/", f"/enforcement/standards/{obj.pk}/items.xlsx",
                f"/enforcement/standards/{obj.pk}/items/{self.item.pk}/edit/",
                f"/api/enforcement/standards/{obj.pk}", f"/api/enforcement/standards/items/{self.item.code}",
                "/api/enforcement/standards?unit=YX-ZJJ"]

    def write_requests(self, obj):
        item = self.item
        return [("post", f"/enforcement/standards/{obj.pk}/items/new/", {"code": "X-1", "title": "x"}),
                ("post", f"/enforcement/standards/{obj.pk}/items/{item.pk}/edit/",
                 {"seen": standards.fingerprint(item), "title": "x"}),
                ("post", f"/enforcement/standards/{obj.pk}/new-version/", {"effective_from": "2025-01-01"}),
                ("post", f"/enforcement/standards/{obj.pk}/retire/", {"effective_to": "2025-01-01"}),
                ("post", f"/enforcement/standards/{obj.pk}/upload/",
                 {"file": SimpleUploadedFile("x.xlsx", _xlsx([("X-2", "x", "", "")]))})]

    def snapshot(self, obj):
        obj.refresh_from_db()
        return (obj.effective_to, StandardList.objects.count(),
                sorted(StandardItem.objects.values_list("code", "title")))

    def list_urls(self):
        return ["/enforcement/standards/", "/api/enforcement/standards",
                "/api/enforcement/standards?kind=discretion"]


def test_given_a_county_list_when_a_department_operator_reads_it_then_visible_but_not_editable(demo_gov, client_of):
    county = _list(demo_gov, items=1)
    item = county.items.get()
    operator = client_of("住建局经办人")
    assert "首违不罚清单" in operator.get("/enforcement/standards/").content.decode()
    page = operator.get(f"/enforcement/standards/{county.pk}/")
    assert page.status_code == 200 and "BCF-001" in page.content.decode()
    assert "<h2>添加事项</h2>" not in page.content.decode() and "<h2>制定新版本</h2>" not in page.content.decode()
    assert operator.get(f"/enforcement/standards/{county.pk}/items.xlsx").status_code == 200
    assert operator.get(f"/enforcement/standards/{county.pk}/items/{item.pk}/edit/").status_code == 403
    for who in ("住建局经办人", "住建局负责人", "法律顾问", "人大监督员"):
        response = client_of(who).post(f"/enforcement/standards/{county.pk}/items/new/",
                                       {"code": "BCF-777", "title": "x"})
        assert response.status_code == 403 and "法治协调员或法制工作人员" in response.content.decode(), who
    assert not StandardItem.objects.filter(code="BCF-777").exists()


# ---------------------------------------------------------------------------
# Cases per item: one grouped query, counting only visible cases
# ---------------------------------------------------------------------------
def test_given_cases_when_the_list_page_is_read_then_counts_come_from_one_query_and_only_visible_cases(
        demo_gov, client_of):
    lst = _list(demo_gov, items=2)
    for k in range(3):
        _case(demo_gov, f"ZJ-{k}", lenient="BCF-001")
    _case(demo_gov, "SC-1", unit="YX-SCJG", lenient="BCF-001")
    _case(demo_gov, "SC-2", unit="YX-SCJG", lenient="BCF-002")
    _case(demo_gov, "SC-3", unit="YX-SCJG", discretion="BCF-002")  # the other column: not this list's count
    assert standards.usage_counts(lst) == {"BCF-001": 4, "BCF-002": 1}
    scjg = client_of("市监局经办人")
    page = scjg.get(f"/enforcement/standards/{lst.pk}/")
    rows = {i.code: i.cases for i in page.context["items"]}
    assert rows == {"BCF-001": 1, "BCF-002": 1}
    coordinator = client_of("司法局协调员")
    assert {i.code: i.cases for i in coordinator.get(f"/enforcement/standards/{lst.pk}/").context["items"]} == {
        "BCF-001": 4, "BCF-002": 1}
    with CaptureQueriesContext(connection) as few:
        coordinator.get(f"/enforcement/standards/{lst.pk}/")
    for k in range(3, 13):
        standards.do_add_item(demo_gov.persona("司法局协调员"), lst, code=f"BCF-{k:03d}", title=f"x{k}")
    with CaptureQueriesContext(connection) as many:
        coordinator.get(f"/enforcement/standards/{lst.pk}/")
    assert len(many.captured_queries) == len(few.captured_queries)


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------
def test_given_an_upload_with_bad_rows_when_posted_then_every_rejection_is_listed_and_nothing_is_saved(
        demo_gov, client_of):
    lst = _list(demo_gov, items=1)
    other = _list(demo_gov, unit="YX-ZJJ", kind="lighter", title="住建从轻清单", who="住建局经办人",
                  prefix="ZJ", items=1)
    assert other.items.get().code == "ZJ-001"
    _case(demo_gov, "ZJ-1", lenient="BCF-001")
    rows = [("BCF-010", "新增的好行", "依据", "处理"),                   # row 2: fine
            ("", "没有编码", "", ""),                                  # row 3
            ("BCF-011", "", "", "x" * 301),                           # row 4: two errors
            ("BCF-010", "重复编码", "", ""),                            # row 5
            ("ZJ-001", "别的清单的编码", "", ""),                        # row 6
            ("BCF-001", "改了已被适用的事项", "《行政处罚法》第三十三条", "处理方式1")]  # row 7
    before = sorted(StandardItem.objects.values_list("code", "title", "measure"))
    response = _upload(client_of("司法局协调员"), lst, _xlsx(rows))
    assert response.status_code == 422
    found = [(r.row, r.column, r.header, r.reason) for r in response.context["upload"].rejections]
    assert [(r, col) for r, col, _, _ in found] == [(3, "A"), (4, "B"), (4, "D"), (5, "A"), (6, "A"), (7, "A")]
    reasons = dict(((r, col), reason) for r, col, _, reason in found)
    assert reasons[(3, "A")] == "请填写事项编码。" and "请填写违法行为" in reasons[(4, "B")]
    assert "不能超过 300 个字" in reasons[(4, "D")] and "与第 2 行的事项编码重复" in reasons[(5, "A")]
    assert "住建从轻清单" in reasons[(6, "A")] and "1 件案件适用" in reasons[(7, "A")]
    page = response.content.decode()
    assert "导入未执行" in page and "第 7 行" in page and "A 列（事项编码）" in page
    assert sorted(StandardItem.objects.values_list("code", "title", "measure")) == before
    assert _audits("enforcement.standard.upload") == 0


def test_given_the_same_file_when_uploaded_twice_then_the_second_upload_changes_nothing(demo_gov, client_of):
    lst = _list(demo_gov, items=1)
    c = client_of("司法局协调员")
    data = _xlsx([("BCF-001", "违法行为1（修订表述）", "《行政处罚法》第三十三条", "处理方式1"),
                  (1002, "编码为数字的行", None, None), ("BCF-003", "新增", "依据", "")])
    first = _upload(c, lst, data)
    assert first.status_code == 200 and first.context["upload"].ok
    assert (first.context["upload"].inserted, first.context["upload"].updated) == (["1002", "BCF-003"], ["BCF-001"])
    state = sorted(StandardItem.objects.values_list("pk", "code", "title", "basis", "measure"))
    audits = AuditRecord.objects.count()
    second = _upload(c, lst, data)
    assert second.status_code == 200 and "未作任何改动" in second.content.decode()
    assert second.context["upload"].unchanged == ["BCF-001", "1002", "BCF-003"]
    assert sorted(StandardItem.objects.values_list("pk", "code", "title", "basis", "measure")) == state
    assert AuditRecord.objects.count() == audits
    # What the list exports uploads back as a no-op, too.
    exported = c.get(f"/enforcement/standards/{lst.pk}/items.xlsx")
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    assert _upload(c, lst, exported.content).context["upload"].unchanged == ["BCF-001", "1002", "BCF-003"]
    assert AuditRecord.objects.count() == audits


def test_given_an_unreadable_file_or_missing_columns_when_uploaded_then_a_chinese_error(demo_gov, client_of):
    lst = _list(demo_gov, items=0)
    c = client_of("司法局协调员")
    junk = _upload(c, lst, b"not a workbook", name="x.xlsx")
    assert junk.status_code == 400 and "不是有效的 Excel 工作簿" in junk.content.decode()
    missing = _upload(c, lst, _xlsx([("A-1", "x")], header=("事项编码", "违法行为")))
    assert missing.status_code == 400 and "缺少列：依据、处理方式或裁量幅度" in missing.content.decode()
    none = c.post(f"/enforcement/standards/{lst.pk}/upload/", {})
    assert none.status_code == 400 and "请选择要上传的 Excel 文件" in none.content.decode()
    assert not StandardItem.objects.exists()


# ---------------------------------------------------------------------------
# Case page
# ---------------------------------------------------------------------------
def test_given_a_case_with_applied_items_when_its_page_is_read_then_titles_lists_and_links_are_shown(
        demo_gov, client_of):
    lenient = _list(demo_gov, items=1)
    discretion = _list(demo_gov, kind="discretion", title="云溪区行政处罚裁量基准", prefix="CLJZ", items=1)
    case = _case(demo_gov, "ZJ-1", lenient="BCF-001", discretion="CLJZ-001")
    page = client_of("住建局经办人").get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "违法行为1" in page and "首违不罚清单</a>，第1版" in page
    assert f'href="/enforcement/standards/{lenient.pk}/"' in page
    assert f'href="/enforcement/standards/{discretion.pk}/"' in page and "处理方式1" in page
    assert "不在该版本的施行期内" not in page


def test_given_an_item_of_a_list_the_viewer_cannot_see_when_the_case_is_read_then_no_link_and_a_warning(
        demo_gov, client_of):
    scjg = _list(demo_gov, unit="YX-SCJG", kind="discretion", title="市监裁量基准", who="市监局经办人",
                 prefix="SC", items=1, effective_from=D(2024, 6, 1))
    case = _case(demo_gov, "ZJ-2", discretion="SC-001", lenient="NO-SUCH")
    page = client_of("住建局经办人").get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "市监裁量基准" in page and f"/enforcement/standards/{scjg.pk}/" not in page
    assert "不适用于云溪区住房和城乡建设局" in page and "2024-05-06 不在该版本的施行期内" in page
    assert "清单中没有该编码的事项" in page


# ---------------------------------------------------------------------------
# Pages for the personas, and the demo
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["司法局协调员", "住建局经办人", "市监局负责人", "法律顾问", "人大监督员",
                                 "区政府负责人", "青石街道经办人", "系统管理员"])
def test_given_a_persona_when_reading_the_list_pages_then_they_render(demo_gov, client_of, who):
    lst = _list(demo_gov, items=2)
    c = client_of(who)
    listing = c.get("/enforcement/standards/")
    assert listing.status_code == 200 and "首违不罚清单" in listing.content.decode()
    assert "清单与裁量基准" in listing.content.decode()
    assert c.get(f"/enforcement/standards/{lst.pk}/").status_code == 200
    assert c.get(f"/enforcement/standards/{lst.pk}/items.xlsx").status_code == 200
    can_create = who in ("司法局协调员", "住建局经办人", "青石街道经办人", "系统管理员")
    assert c.get("/enforcement/standards/new/").status_code == (200 if can_create else 403)


def test_given_the_demo_when_loaded_then_the_district_has_a_discretion_benchmark_of_ten_items(demo_gov):
    first = enf_demo._discretion_benchmark(demo_gov)
    again = enf_demo._discretion_benchmark(demo_gov)
    assert first.pk == again.pk and (first.unit, first.kind) == (demo_gov.government, "discretion")
    assert first.items.count() == 10 and all(i.measure and i.basis for i in first.items.all())


# ---------------------------------------------------------------------------
# Concurrency (PostgreSQL: real parallel transactions)
# ---------------------------------------------------------------------------
@pytest.mark.skipif(connection.vendor != "postgresql", reason="并发事务需要 PostgreSQL（SQLite 整库串行写入）")
@pytest.mark.django_db(transaction=True)
def test_given_parallel_new_versions_and_an_edit_when_run_together_then_one_version_and_no_item_lost(demo_gov):
    import threading

    from django.db import connection as conn

    v1 = _list(demo_gov, items=2)
    item = v1.items.get(code="BCF-002")
    seen = standards.fingerprint(item)
    coordinator = demo_gov.persona("司法局协调员")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def work(i):
        try:
            barrier.wait(timeout=30)
            if i == 0:
                standards.do_update_item(coordinator, item, seen=seen, title="并发修改", measure="x")
            else:
                standards.do_new_version(coordinator, v1, effective_from=D(2025, 1, 1))
            outcomes.append("ok")
        except GuardFailed as exc:
            outcomes.append(exc.message)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcomes.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "线程未在规定时间内结束（疑似死锁）"
    assert all(o == "ok" or "最新版本" in o or "不能再修改" in o for o in outcomes), outcomes
    assert StandardList.objects.filter(version=2).count() == 1
    v2_items = dict(StandardList.objects.get(version=2).items.values_list("code", "title"))
    item.refresh_from_db()
    # The edit either landed before the copy (and is in both versions) or was refused on a frozen list.
    assert set(v2_items) == {"BCF-001-V2", "BCF-002-V2"}
    assert v2_items["BCF-002-V2"] == item.title
