"""我的待办与期限: what each persona sees, in which order, with which marks; page and API agree."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.core import clocks, inbox
from fazhi.core.workdays import get_calendar
from tests.sample.steps import new_matter, run

D = dt.date
ON = D(2025, 10, 17)  # a Friday, a week after National Day
# The inbox filters by each matter model's own visible_to(user); 行政复议's rule (cases, and opinion
# letters through their case) uses the user's cached reach: no query of its own.
VISIBILITY_QUERIES = 0




@pytest.fixture
def scenario(demo_gov, persona):
    u = demo_gov.units
    op_zjj, op_scjg, coord = persona("住建局经办人"), persona("市监局经办人"), persona("司法局协调员")
    m = {}
    # B: 住建局, awaiting correction (correction due 10/21; review paused after 2 of 5 working days).
    m["B"] = run(new_matter(u["YX-ZJJ"], "住建-待补正"),
                 ("submit", op_zjj, D(2025, 9, 26)), ("request_correction", coord, D(2025, 9, 30)))
    # C: 市监局, awaiting correction (correction due 10/22; review paused after 3 of 5).
    m["C"] = run(new_matter(u["YX-SCJG"], "市监-待补正"),
                 ("submit", op_scjg, D(2025, 9, 26)), ("request_correction", coord, D(2025, 10, 9)))
    # D: 住建局, in review, due 10/10 — overdue on 10/17.
    m["D"] = run(new_matter(u["YX-ZJJ"], "住建-审查中"), ("submit", op_zjj, D(2025, 9, 26)))
    # E: 青石街道, in trial since 9/5: 60 days → 11/4.
    m["E"] = run(new_matter(u["YX-QS"], "青石-审理中"),
                 ("submit", coord, D(2025, 9, 1)), ("accept", coord, D(2025, 9, 5)))
    # G: 住建局, in trial since 9/19 → 11/18.
    m["G"] = run(new_matter(u["YX-ZJJ"], "住建-审理中"),
                 ("submit", op_zjj, D(2025, 9, 15)), ("accept", coord, D(2025, 9, 19)))
    # F: closed; H: draft — no open clock, never in an inbox.
    m["F"] = run(new_matter(u["YX-ZJJ"], "住建-已办结"),
                 ("submit", op_zjj, D(2025, 9, 1)), ("accept", coord, D(2025, 9, 2)),
                 ("decide", coord, D(2025, 9, 10)))
    m["H"] = new_matter(u["YX-ZJJ"], "住建-草稿")
    return m


def rows(items):
    return [(i.matter_label, i.clock) for i in items]


def test_given_the_zjj_operator_then_only_zjj_matters_where_an_operator_can_act(scenario, persona):
    items = inbox.items_for(persona("住建局经办人"), on=ON)
    # D (in review) and G (in trial) belong to 住建局 but only the coordinator/leader can act there.
    assert rows(items) == [("住建-待补正", "correction"), ("住建-待补正", "review")]
    correction, review = items
    assert (correction.due_date, correction.days_left, correction.due_soon, correction.overdue) == (
        D(2025, 10, 21), 2, True, False)
    assert correction.state_label == "待补正" and correction.clock_label == "补正"
    assert correction.citation == "样例：《行政复议法》第三十一条"
    assert correction.actions == ["收到补正材料"]
    assert correction.link == f"/sample/{scenario['B'].pk}/"
    assert correction.matter_type == "sample.matter" and correction.matter_type_label == "样例事项"
    # Paused: no due date, and the 3 unused working days of the review are shown.
    assert (review.clock_status, review.due_date, review.days_left, review.due_soon, review.overdue) == (
        "paused", None, 3, False, False)


def test_given_the_coordinator_then_every_unit_ordered_by_due_date_with_marks(scenario, persona):
    items = inbox.items_for(persona("司法局协调员"), on=ON)
    assert rows(items) == [
        ("住建-审查中", "review"),       # due 10/10, overdue
        ("住建-待补正", "correction"),   # 10/21
        ("市监-待补正", "correction"),   # 10/22
        ("青石-审理中", "trial"),        # 11/4
        ("住建-审理中", "trial"),        # 11/18
        ("市监-待补正", "review"),       # paused, 2 working days unused
        ("住建-待补正", "review"),       # paused, 3 unused
    ]
    by = {(i.matter_label, i.clock): i for i in items}
    overdue = by[("住建-审查中", "review")]
    # 10/10 → 10/17: 10/11 (make-up Saturday), 10/13–10/17 = 6 working days late.
    assert (overdue.due_date, overdue.days_left, overdue.overdue, overdue.due_soon) == (D(2025, 10, 10), -6, True, False)
    assert by[("市监-待补正", "correction")].days_left == 3 and by[("市监-待补正", "correction")].due_soon
    trial = by[("青石-审理中", "trial")]
    assert (trial.due_date, trial.days_left, trial.due_soon, trial.overdue) == (D(2025, 11, 4), 18, False, False)
    assert trial.unit == "青石街道"


def test_given_a_leader_then_only_matters_a_leader_may_decide(scenario, persona):
    assert rows(inbox.items_for(persona("住建局负责人"), on=ON)) == [("住建-审理中", "trial")]


def test_given_the_auditor_then_the_inbox_is_empty_because_they_act_on_nothing(scenario, persona):
    assert inbox.items_for(persona("人大监督员"), on=ON) == []


def test_given_the_scjg_operator_then_only_their_own_unit(scenario, persona):
    assert rows(inbox.items_for(persona("市监局经办人"), on=ON)) == [("市监-待补正", "correction"),
                                                                   ("市监-待补正", "review")]


@pytest.mark.parametrize("on, due_soon, overdue, left", [
    (D(2025, 10, 29), False, False, 6),   # 10/30 10/31 11/3 11/4: 4 working days, 6 calendar days
    (D(2025, 10, 30), True, False, 5),    # 3 working days left → 临期 (calendar days left: 5)
    (D(2025, 11, 4), True, False, 0),     # the due date itself: still in time
    (D(2025, 11, 5), False, True, -1),    # the day after: 逾期
])
def test_given_a_calendar_day_clock_then_due_soon_and_overdue_around_its_due_date(scenario, persona, on, due_soon,
                                                                                  overdue, left):
    item = next(i for i in inbox.items_for(persona("司法局协调员"), on=on) if i.matter_label == "青石-审理中")
    assert (item.due_soon, item.overdue, item.days_left) == (due_soon, overdue, left)


def test_given_a_type_filter_then_only_that_type(scenario, persona):
    coord = persona("司法局协调员")
    assert ("sample.matter", "样例事项") in inbox.matter_types()
    assert rows(inbox.items_for(coord, on=ON, matter_type="sample.matter")) == rows(inbox.items_for(coord, on=ON))
    assert inbox.items_for(coord, on=ON, matter_type="no.such_type") == []


def test_given_more_matters_then_the_number_of_queries_does_not_grow(scenario, demo_gov, persona):
    coord = persona("司法局协调员")
    inbox.items_for(coord, on=ON)  # warm the per-user scope cache and the content-type cache
    with CaptureQueriesContext(connection) as few:
        small = inbox.items_for(coord, on=ON)
    for n in range(5):
        run(new_matter(demo_gov.units["YX-CGJ"], f"城管-{n}"), ("submit", coord, D(2025, 10, 13)))
    with CaptureQueriesContext(connection) as many:
        large = inbox.items_for(coord, on=ON)
    assert len(large) == len(small) + 5
    # clocks, their ledgers, one per matter type; plus the visibility rules that read memberships
    # when they are built (行政复议 cases and opinion letters: reconsideration.models.respondent_unit_ids)
    assert len(many) == len(few) <= 3 + VISIBILITY_QUERIES


def test_given_more_matters_then_a_page_costs_the_same_number_of_queries(scenario, demo_gov, persona):
    coord = persona("司法局协调员")
    inbox.page_for(coord, on=ON, page_size=3)  # warm the per-user scope cache and the content-type cache
    with CaptureQueriesContext(connection) as few:
        small = inbox.page_for(coord, on=ON, page_size=3, page=2)  # 2 running and the first paused clock
    for n in range(5):
        run(new_matter(demo_gov.units["YX-CGJ"], f"城管-{n}"), ("submit", coord, D(2025, 10, 13)))
    with CaptureQueriesContext(connection) as many:
        large = inbox.page_for(coord, on=ON, page_size=3, page=4)  # the last page: it ends with the same item
    assert (small.count, large.count) == (7, 12)
    assert [i.clock_status for i in small.items] == ["running", "running", "paused"]
    assert [i.clock_status for i in large.items] == ["running", "paused", "paused"]
    # counts; the running clocks of the page and their ledgers; the paused clocks and their ledgers;
    # one per matter type; the visibility rules that read memberships (built once per page)
    assert len(many) == len(few) <= 6 + VISIBILITY_QUERIES


# ---------------------------------------------------------------------------
# API and page
# ---------------------------------------------------------------------------
def test_given_the_api_then_it_returns_the_same_items_as_the_inbox(scenario, persona, client_of):
    response = client_of("司法局协调员").get("/api/inbox", {"on": "2025-10-17"})
    assert response.status_code == 200
    expected = inbox.items_for(persona("司法局协调员"), on=ON)
    body = response.json()
    assert (body["count"], body["page"], body["page_size"], body["pages"]) == (7, 1, 50, 1)
    assert (body["overdue_count"], body["due_soon_count"]) == (1, 2)
    data = body["items"]
    assert [(d["matter_id"], d["clock"]) for d in data] == [(i.matter_id, i.clock) for i in expected]
    first = data[0]
    assert first["due_date"] == "2025-10-10" and first["overdue"] is True and first["days_left"] == -6
    assert first["state_label"] == "受理审查中" and first["citation"] == "样例：《行政复议法》第三十条"


def test_given_the_api_with_a_type_filter_and_the_operator_then_their_items_only(scenario, client_of):
    data = client_of("住建局经办人").get("/api/inbox", {"on": "2025-10-17", "type": "sample.matter"}).json()["items"]
    assert [(d["matter_label"], d["clock"], d["due_soon"]) for d in data] == [
        ("住建-待补正", "correction", True), ("住建-待补正", "review", False)]


def test_given_no_login_then_the_api_answers_401_in_chinese(db, client):
    response = client.get("/api/inbox")
    assert response.status_code == 401
    assert "登录" in response.json()["message"]


def _correction_start_due_within_three_working_days(today):
    """A real start date whose 10-working-day correction period ends 0–3 working days from today."""
    cal = get_calendar()
    for back in range(0, 40):
        start = today - dt.timedelta(days=back)
        due = cal.add_workdays(start, 10)
        if today <= due and cal.count_workdays(today, due) <= 3:
            return start, due
    raise AssertionError("no start date found")  # pragma: no cover


def test_given_overdue_and_due_soon_matters_then_the_page_shows_both_badges(demo_gov, persona, client_of):
    today = clocks.today()
    op, coord, zjj = persona("住建局经办人"), persona("司法局协调员"), demo_gov.units["YX-ZJJ"]
    late_start = today - dt.timedelta(days=40)
    run(new_matter(zjj, "逾期的补正事项"),
        ("submit", op, late_start), ("request_correction", coord, late_start + dt.timedelta(days=1)))
    soon_start, soon_due = _correction_start_due_within_three_working_days(today)
    run(new_matter(zjj, "临期的补正事项"), ("submit", op, soon_start), ("request_correction", coord, soon_start))
    run(new_matter(demo_gov.units["YX-SCJG"], "别的单位的事项"),
        ("submit", persona("市监局经办人"), soon_start), ("request_correction", coord, soon_start))

    response = client_of("住建局经办人").get("/inbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>我的待办与期限</h1>" in html
    assert html.count('<span class="badge overdue">逾期</span>') == 2  # summary line + the row
    assert html.count('<span class="badge due-soon">临期</span>') == 2
    assert "逾期的补正事项" in html and "临期的补正事项" in html and soon_due.isoformat() in html
    assert "别的单位的事项" not in html
    assert 'value="sample.matter"' in html and "样例事项" in html


def test_given_the_page_with_a_type_filter_then_the_filter_is_kept(demo_gov, client_of):
    html = client_of("住建局经办人").get("/inbox/", {"type": "sample.matter"}).content.decode()
    assert '<option value="sample.matter" selected>' in html
    assert "目前没有需要您办理的期限事项" in html


def test_given_no_login_then_the_page_redirects_to_login(db, client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "next=/inbox/" in response["Location"]


def test_given_pages_through_the_api_then_each_page_and_the_totals(scenario, persona, client_of):
    client = client_of("司法局协调员")
    expected = [(i.matter_id, i.clock) for i in inbox.items_for(persona("司法局协调员"), on=ON)]
    pages = [client.get("/api/inbox", {"on": "2025-10-17", "page": n, "page_size": 3}).json() for n in (1, 2, 3, 4)]
    assert [[(d["matter_id"], d["clock"]) for d in p["items"]] for p in pages] == [
        expected[0:3], expected[3:6], expected[6:7], []]
    assert {(p["count"], p["pages"], p["overdue_count"], p["due_soon_count"]) for p in pages} == {(7, 3, 1, 2)}


@pytest.mark.parametrize("params", [{"page": 0}, {"page": "x"}, {"page_size": 201}, {"page_size": 0}])
def test_given_a_bad_page_through_the_api_then_422_in_chinese(scenario, client_of, params):
    response = client_of("司法局协调员").get("/api/inbox", params)
    assert response.status_code == 422
    assert response.json()["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])


def test_given_more_than_a_page_then_the_page_shows_the_total_and_links_to_the_next(scenario, client_of, monkeypatch):
    monkeypatch.setattr(inbox, "PAGE_SIZE", 3)
    client = client_of("司法局协调员")
    html = client.get("/inbox/", {"type": "sample.matter"}).content.decode()
    assert "共 7 项待办" in html and "第 1 / 3 页，第 1–3 项，共 7 项" in html
    assert 'href="?type=sample.matter&amp;page=2">下一页</a>' in html and "上一页" not in html
    assert html.count("<tr") == 4  # the header and 3 rows
    last = client.get("/inbox/", {"type": "sample.matter", "page": "3"}).content.decode()
    assert "第 3 / 3 页，第 7–7 项，共 7 项" in last and "住建-待补正" in last and "下一页" not in last
    assert "第 3 / 3 页" in client.get("/inbox/", {"page": "99"}).content.decode()  # past the end: the last page
    assert "第 1 / 3 页" in client.get("/inbox/", {"page": "abc"}).content.decode()
