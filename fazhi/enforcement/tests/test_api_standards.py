"""/api/enforcement/standards: lenient-treatment lists and discretion benchmarks, read-only, scoped as the pages.

Who may read what is proven by ``TestStandardScoping`` (test_standards.py), which lists these endpoints too.
"""
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fazhi.core.api.base import create_token
from fazhi.enforcement import api as enf_api
from fazhi.enforcement import standards
from fazhi.enforcement.models import StandardList

from .conftest import D
from .test_standards import _case, _list

NOT_FOUND = {"code": "not_found", "message": "未找到该记录，或您无权查看。"}


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("fazhi.core.clocks.today", lambda: D(2025, 6, 1))
    return D(2025, 6, 1)


def _lists(client, **params):
    response = client.get("/api/enforcement/standards", params)
    assert response.status_code == 200, response.content.decode()
    return response.json()


# ---------------------------------------------------------------------------
# What the owner, a department and another unit see
# ---------------------------------------------------------------------------
def test_given_a_units_own_benchmark_when_its_operator_reads_the_api_then_the_list_its_items_and_each_item(
        demo_gov, client_of, today):
    lst = _list(demo_gov, unit="YX-ZJJ", kind="discretion", title="住建局裁量基准", who="住建局经办人",
                prefix="ZJ-CL", items=2, effective_from=D(2024, 1, 1))
    c = client_of("住建局经办人")

    page = _lists(c, unit="YX-ZJJ")

    assert page == {"next": "", "items": [{
        "id": lst.pk, "unit": "YX-ZJJ", "unit_name": "云溪区住房和城乡建设局", "kind": "discretion",
        "kind_label": "行政处罚裁量基准", "title": "住建局裁量基准", "version": 1, "effective_from": "2024-01-01",
        "effective_to": None, "in_force": True, "status": "施行中", "item_count": 2}]}
    detail = c.get(f"/api/enforcement/standards/{lst.pk}").json()
    assert {k: detail[k] for k in ("id", "title", "item_count", "next")} == {
        "id": lst.pk, "title": "住建局裁量基准", "item_count": 2, "next": ""}
    assert detail["items"] == [
        {"code": f"ZJ-CL-00{k}", "title": f"违法行为{k}", "basis": "《中华人民共和国行政处罚法》第三十三条",
         "measure": f"处理方式{k}", "cases_applied": 0} for k in (1, 2)]
    item = c.get("/api/enforcement/standards/items/ZJ-CL-002").json()
    assert (item["code"], item["measure"], item["cases_applied"]) == ("ZJ-CL-002", "处理方式2", 0)
    assert item["standard"] == page["items"][0]


def test_given_another_units_list_when_an_operator_reads_it_through_the_api_then_404_in_chinese_and_not_listed(
        demo_gov, client_of):
    lst = _list(demo_gov, unit="YX-ZJJ", kind="discretion", title="住建局裁量基准", who="住建局经办人",
                prefix="ZJ-CL", items=1)
    c = client_of("市监局经办人")

    for url in (f"/api/enforcement/standards/{lst.pk}", "/api/enforcement/standards/items/ZJ-CL-001",
                "/api/enforcement/standards?unit=YX-ZJJ", "/api/enforcement/standards/999999",
                "/api/enforcement/standards/items/NO-SUCH", "/api/enforcement/standards?unit=NO-SUCH"):
        response = c.get(url)
        assert response.status_code == 404 and response.json() == NOT_FOUND, url
    assert _lists(c)["items"] == []


@pytest.mark.parametrize("who", ["住建局经办人", "市监局负责人", "青石街道经办人", "法律顾问"])
def test_given_the_countys_list_when_a_department_or_subdistrict_reads_the_api_then_it_is_visible(
        demo_gov, client_of, who):
    county = _list(demo_gov, items=1)
    c = client_of(who)

    listed = _lists(c, unit="YX")["items"]

    assert [(x["id"], x["unit"], x["kind_label"]) for x in listed] == [(county.pk, "YX", "不予处罚清单")]
    assert c.get(f"/api/enforcement/standards/{county.pk}").json()["items"][0]["code"] == "BCF-001"
    assert c.get("/api/enforcement/standards/items/BCF-001").json()["standard"]["id"] == county.pk


# ---------------------------------------------------------------------------
# Cases per item: the viewer's visible cases, one grouped query, as the page
# ---------------------------------------------------------------------------
def test_given_cases_when_items_are_read_through_the_api_then_counts_match_the_page_and_only_visible_cases(
        demo_gov, client_of):
    lst = _list(demo_gov, items=2)
    for k in range(3):
        _case(demo_gov, f"ZJ-{k}", lenient="BCF-001")
    _case(demo_gov, "SC-1", unit="YX-SCJG", lenient="BCF-001")
    _case(demo_gov, "SC-2", unit="YX-SCJG", lenient="BCF-002")
    _case(demo_gov, "SC-3", unit="YX-SCJG", discretion="BCF-002")  # the other column: not this list's count

    expected = {"市监局经办人": {"BCF-001": 1, "BCF-002": 1}, "住建局经办人": {"BCF-001": 3, "BCF-002": 0},
                "司法局协调员": {"BCF-001": 4, "BCF-002": 1}, "青石街道经办人": {"BCF-001": 0, "BCF-002": 0}}
    for who, counts in expected.items():
        c = client_of(who)
        detail = c.get(f"/api/enforcement/standards/{lst.pk}").json()
        assert {i["code"]: i["cases_applied"] for i in detail["items"]} == counts, who
        assert {code: c.get(f"/api/enforcement/standards/items/{code}").json()["cases_applied"]
                for code in counts} == counts, who
        page = c.get(f"/enforcement/standards/{lst.pk}/")
        assert {i.code: i.cases for i in page.context["items"]} == counts, who


def test_given_more_items_when_a_list_is_read_through_the_api_then_the_number_of_queries_stays_the_same(
        demo_gov, client_of):
    lst = _list(demo_gov, items=2)
    _case(demo_gov, "ZJ-1", lenient="BCF-001")
    c = client_of("司法局协调员")
    c.get(f"/api/enforcement/standards/{lst.pk}")  # session and scope caches warm
    with CaptureQueriesContext(connection) as few:
        assert c.get(f"/api/enforcement/standards/{lst.pk}").status_code == 200
    for k in range(3, 13):
        standards.do_add_item(demo_gov.persona("司法局协调员"), lst, code=f"BCF-{k:03d}", title=f"x{k}")
        _case(demo_gov, f"ZJ-{k}", lenient=f"BCF-{k:03d}")
    with CaptureQueriesContext(connection) as many:
        detail = c.get(f"/api/enforcement/standards/{lst.pk}").json()
    assert len(detail["items"]) == 12 and sum(i["cases_applied"] for i in detail["items"]) == 11
    assert len(many.captured_queries) == len(few.captured_queries)
    grouped = [q["sql"] for q in many.captured_queries if "GROUP BY" in q["sql"].upper()
               and "lenient_item" in q["sql"]]
    assert len(grouped) == 1


# ---------------------------------------------------------------------------
# Filters, versions, paging, bad input
# ---------------------------------------------------------------------------
def test_given_versions_and_kinds_when_listed_then_filters_and_in_force_follow_the_dates(
        demo_gov, client_of, persona, today):
    v1 = _list(demo_gov, items=2, effective_from=D(2023, 1, 1))
    v2 = standards.do_new_version(persona("司法局协调员"), v1, effective_from=D(2025, 1, 1))
    future = _list(demo_gov, kind="discretion", title="裁量基准（待施行）", prefix="CL", items=0,
                   effective_from=D(2025, 9, 1))
    zjj = _list(demo_gov, unit="YX-ZJJ", kind="lighter", title="住建从轻清单", who="住建局经办人", prefix="ZJ",
                items=1)
    c = client_of("住建局经办人")

    everything = _lists(c)["items"]

    # The page's order: unit path, kind, newest version first.
    assert [x["id"] for x in everything] == [future.pk, v2.pk, v1.pk, zjj.pk]
    state = {x["id"]: (x["version"], x["in_force"], x["status"], x["effective_to"], x["item_count"])
             for x in everything}
    assert state == {v1.pk: (1, False, "已失效", "2024-12-31", 2), v2.pk: (2, True, "施行中", None, 2),
                     future.pk: (1, False, "尚未施行", None, 0), zjj.pk: (1, True, "施行中", None, 1)}
    assert [x["id"] for x in _lists(c, kind="no_penalty")["items"]] == [v2.pk, v1.pk]
    assert [x["id"] for x in _lists(c, kind="lighter", unit="YX-ZJJ")["items"]] == [zjj.pk]
    assert _lists(c, kind="mitigated")["items"] == []
    # v1's items keep their codes; v2 has its own.
    assert c.get("/api/enforcement/standards/items/BCF-001").json()["standard"]["id"] == v1.pk
    assert c.get("/api/enforcement/standards/items/BCF-001-V2").json()["standard"]["in_force"] is True


def test_given_bad_parameters_when_listing_then_a_chinese_422(demo_gov, client_of):
    _list(demo_gov, items=0)
    c = client_of("住建局经办人")

    bad_kind = c.get("/api/enforcement/standards", {"kind": "lenient"})
    assert bad_kind.status_code == 422 and bad_kind.json()["code"] == "validation_error"
    assert "kind" in bad_kind.json()["message"] and "取值不在允许范围内" in bad_kind.json()["message"]
    for cursor in ("garbage", "/1/_no_penalty_x", "1_no_penalty_1", "/1/_other_1"):
        bad_cursor = c.get("/api/enforcement/standards", {"after": cursor})
        assert bad_cursor.status_code == 422, cursor
        assert bad_cursor.json() == {"code": "invalid_cursor",
                                     "message": "游标 after 无效：请使用上一页答复中的 next 值。"}
    bad_item_cursor = c.get(f"/api/enforcement/standards/{StandardList.objects.get().pk}", {"after": "x"})
    assert bad_item_cursor.status_code == 422 and "应为整数" in bad_item_cursor.json()["message"]


def test_given_more_lists_and_items_than_a_page_when_following_next_then_each_appears_once_in_order(
        demo_gov, client_of, persona, monkeypatch):
    monkeypatch.setattr(enf_api, "STANDARD_PAGE_SIZE", 2)
    monkeypatch.setattr(enf_api, "STANDARD_ITEM_PAGE_SIZE", 2)
    county = _list(demo_gov, items=5)
    for k in (1, 3, 5):
        _case(demo_gov, f"ZJ-{k}", lenient=f"BCF-00{k}")
    standards.do_new_version(persona("司法局协调员"), county, effective_from=D(2025, 1, 1))
    _list(demo_gov, kind="discretion", title="区裁量基准", prefix="CL", items=0)
    _list(demo_gov, unit="YX-ZJJ", kind="discretion", title="住建裁量基准", who="住建局经办人", prefix="ZJ", items=0)
    _list(demo_gov, unit="YX-ZJJ", kind="lighter", title="住建从轻清单", who="住建局经办人", prefix="ZJL", items=0)
    c = client_of("住建局经办人")

    seen, after, pages = [], "", 0
    while True:
        page = _lists(c, after=after)
        seen += [x["id"] for x in page["items"]]
        pages += 1
        after = page["next"]
        if not after:
            break
    expected = list(standards.visible_lists(persona("住建局经办人"))
                    .order_by("unit__path", "kind", "-version").values_list("pk", flat=True))
    assert seen == expected and len(seen) == 5 and pages == 3

    items, after = [], 0
    while True:
        detail = c.get(f"/api/enforcement/standards/{county.pk}", {"after": after}).json()
        assert len(detail["items"]) <= 2 and detail["item_count"] == 5
        items += [(i["code"], i["cases_applied"]) for i in detail["items"]]
        if not detail["next"]:
            break
        after = detail["next"]
    assert items == [("BCF-001", 1), ("BCF-002", 0), ("BCF-003", 1), ("BCF-004", 0), ("BCF-005", 1)]


# ---------------------------------------------------------------------------
# Schema and authentication
# ---------------------------------------------------------------------------
def test_given_the_openapi_schema_then_the_standards_endpoints_are_listed_with_chinese_descriptions(client, db):
    schema = json.loads(client.get("/api/openapi.json").content)

    for path in ("/api/enforcement/standards", "/api/enforcement/standards/{list_id}",
                 "/api/enforcement/standards/items/{code}"):
        op = schema["paths"][path]["get"]
        assert op["security"] and op["tags"] == ["行政执法监督"], path
        assert "清单" in op["summary"] and "404" in op["description"], path
    params = {p["name"]: p for p in schema["paths"]["/api/enforcement/standards"]["get"]["parameters"]}
    assert set(params) == {"kind", "unit", "after"} and "不予处罚清单" in params["kind"]["description"]
    item = schema["components"]["schemas"]["StandardItemOut"]["properties"]["cases_applied"]
    assert "案件数" in item["description"]


def test_given_a_bearer_token_when_reading_the_standards_then_the_tokens_user_scope_applies(
        demo_gov, persona):
    county = _list(demo_gov, items=1)
    own = _list(demo_gov, unit="YX-SCJG", kind="discretion", title="市监裁量基准", who="市监局经办人",
                prefix="SC", items=1)
    _token, key = create_token(persona("住建局经办人"), "清单同步")
    client = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    listed = client.get("/api/enforcement/standards", **bearer)
    assert listed.status_code == 200 and [x["id"] for x in listed.json()["items"]] == [county.pk]
    assert client.get(f"/api/enforcement/standards/{county.pk}", **bearer).status_code == 200
    assert client.get("/api/enforcement/standards/items/BCF-001", **bearer).status_code == 200
    assert client.get(f"/api/enforcement/standards/{own.pk}", **bearer).status_code == 404
    assert client.get("/api/enforcement/standards/items/SC-001", **bearer).status_code == 404
    anonymous = client.get("/api/enforcement/standards")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    wrong = client.get("/api/enforcement/standards", HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert wrong.status_code == 401 and "令牌无效" in wrong.json()["message"]
