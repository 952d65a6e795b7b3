"""我的待办与期限 for the respondent: the 答复 deadline (《行政复议法》第四十八条) of a case against their unit.

The reply is not a transition and the reply clock belongs to the office's unit; the procedure
declares the respondent's operators and leaders its owners (``PROCEDURE.deadline_owners``), so
the inbox lists it for them, with 提交答复 and a link to the case.
"""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.core import clocks, inbox
from fazhi.core.procedure import allowed_transitions
from fazhi.core.workdays import get_calendar
from fazhi.reconsideration import procedure as proc
from fazhi.reconsideration import services
from fazhi.reconsideration.models import RESPONDENT_ROLES

D = dt.date
COPY_RECEIVED = D(2025, 10, 9)  # 住建局 receives the copy of the application
ON = D(2025, 10, 17)  # a Friday; the reply is due within 3 working days: 临期


@pytest.fixture
def replying(accepted, persona):
    """replying(respondent) → a case under trial whose copy the respondent received on COPY_RECEIVED."""

    def make(respondent="YX-ZJJ", received_on=D(2025, 9, 29), **accept):
        case = accepted(received_on, received_on + dt.timedelta(days=1), respondent, **accept)
        return services.do_send_copy(case, persona("复议专员"), version=case.version, on=COPY_RECEIVED)

    return make


def case_items(items, case):
    return [i for i in items if i.matter_type == "reconsideration.case" and i.matter_id == case.pk]


def test_the_respondent_roles_of_the_inbox_are_those_who_see_the_cases():
    assert proc.RESPONDENT == {str(r) for r in RESPONDENT_ROLES}


def test_given_a_case_in_the_reply_stage_then_the_respondents_operator_sees_the_reply_deadline(replying, persona):
    case = replying()
    due = get_calendar().add_workdays(COPY_RECEIVED, 10)  # 10 working days from receipt of the copy
    assert clocks.clock_of(case, "reply").due_date == due and ON <= due

    items = inbox.items_for(persona("住建局经办人"), on=ON)

    [item] = case_items(items, case)  # only the reply: the trial and copy clocks are the office's
    assert (item.clock, item.due_date, item.actions) == ("reply", due, ["提交答复"])
    assert item.clock_label == "被申请人答复（普通程序）" and item.citation == "《行政复议法》第四十八条"
    assert item.link == f"/reconsideration/{case.pk}/" and item.matter_label == str(case)
    assert item.due_soon and not item.overdue and item.days_left == get_calendar().count_workdays(ON, due)


def test_given_a_simplified_case_then_the_respondent_sees_its_five_day_reply(replying, persona):
    case = replying(procedure_type="simplified", simplified_ground="warning")
    [item] = case_items(inbox.items_for(persona("住建局经办人"), on=ON), case)
    assert (item.clock_label, item.budget, item.due_date) == (
        "被申请人答复（简易程序）", 5, get_calendar().add_workdays(COPY_RECEIVED, 5))


def test_given_the_respondents_leader_then_the_reply_is_theirs_too(replying, persona):
    case = replying()
    [item] = case_items(inbox.items_for(persona("住建局负责人"), on=ON), case)
    assert (item.clock, item.actions) == ("reply", ["提交答复"])


@pytest.mark.parametrize("who", ["市监局经办人", "市监局负责人", "青石街道经办人", "人大监督员"])
def test_given_another_unit_or_a_read_only_role_then_the_reply_is_not_listed(replying, persona, who):
    case = replying()
    assert case_items(inbox.items_for(persona(who), on=ON), case) == []
    page = inbox.page_for(persona(who), on=ON)
    assert case_items(page.items, case) == [] and (page.count, page.overdue_count, page.due_soon_count) == (0, 0, 0)


def test_given_the_office_coordinator_then_the_case_clocks_and_actions_are_as_before(replying, persona):
    case = replying()
    staff = persona("复议专员")
    items = case_items(inbox.items_for(staff, on=ON), case)
    assert {i.clock for i in items} == {"trial", "reply"}  # the copy clock stopped when the copy was sent
    transitions = [t.label for t in allowed_transitions(case, staff)]
    assert all(i.actions == transitions for i in items) and "提交答复" not in transitions


def test_given_the_reply_overdue_or_due_soon_then_the_counts_include_it(replying, persona):
    case = replying()
    due = clocks.clock_of(case, "reply").due_date
    op = persona("住建局经办人")
    soon = inbox.page_for(op, on=ON)
    assert (soon.count, soon.overdue_count, soon.due_soon_count) == (1, 0, 1)
    late = inbox.page_for(op, on=due + dt.timedelta(days=1))
    assert (late.count, late.overdue_count, late.due_soon_count) == (1, 1, 0)
    assert [(i.matter_id, i.clock, i.overdue) for i in late.items] == [(case.pk, "reply", True)]
    # The office's counts include it as before (the reply is one of the case clocks it watches).
    staff, after = persona("复议专员"), due + dt.timedelta(days=1)
    office = inbox.page_for(staff, on=after)
    overdue = [(i.matter_id, i.clock) for i in inbox.items_for(staff, on=after) if i.overdue]
    assert office.overdue_count == len(overdue) and (case.pk, "reply") in overdue


def test_given_the_reply_filed_then_it_leaves_the_respondents_inbox(replying, persona):
    case = replying()
    op = persona("住建局经办人")
    services.do_record_reply(case, op, version=case.version, on=D(2025, 10, 15), summary="行为合法")
    assert case_items(inbox.items_for(op, on=ON), case) == []
    assert "reply" not in {i.clock for i in case_items(inbox.items_for(persona("复议专员"), on=ON), case)}


def test_given_the_case_suspended_then_the_reply_is_still_owed(replying, persona):
    case = replying()
    services.do_suspend(case, persona("复议专员"), version=case.version, on=D(2025, 10, 14), ground="8")
    [item] = case_items(inbox.items_for(persona("住建局经办人"), on=ON), case)
    assert (item.clock, item.state_label, item.actions) == ("reply", "中止审理", ["提交答复"])


def test_given_the_case_decided_then_nothing_is_left_for_the_respondent(replying, persona):
    case = replying()
    services.do_decide(case, persona("复议专员"), version=case.version, on=D(2025, 10, 16), outcome="upheld")
    assert case_items(inbox.items_for(persona("住建局经办人"), on=ON), case) == []


def test_given_cases_against_two_units_then_each_respondent_sees_only_its_own(replying, persona):
    zjj, scjg = replying("YX-ZJJ"), replying("YX-SCJG", received_on=D(2025, 9, 28))
    assert [i.matter_id for i in inbox.items_for(persona("住建局经办人"), on=ON)] == [zjj.pk]
    assert [i.matter_id for i in inbox.items_for(persona("市监局经办人"), on=ON)] == [scjg.pk]


def test_given_more_cases_then_the_respondents_inbox_costs_the_same_number_of_queries(replying, persona):
    op = persona("住建局经办人")
    replying()
    inbox.page_for(op, on=ON)  # warm the per-user scope cache and the content-type cache
    with CaptureQueriesContext(connection) as few:
        small = inbox.page_for(op, on=ON)
    for n in range(4):
        replying(received_on=D(2025, 9, 22) + dt.timedelta(days=n))
    with CaptureQueriesContext(connection) as many:
        large = inbox.page_for(op, on=ON)
    assert (small.count, large.count) == (1, 5)
    assert len(many) == len(few)


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------
def test_given_the_respondents_operator_opens_the_inbox_then_the_reply_deadline_is_listed(
        replying, client_of, monkeypatch):
    case = replying()
    due = clocks.clock_of(case, "reply").due_date
    monkeypatch.setattr(clocks, "today", lambda: ON)

    html = client_of("住建局经办人").get("/inbox/").content.decode()

    assert f'<a href="/reconsideration/{case.pk}/">{case}</a>' in html
    assert "被申请人答复（普通程序）" in html and due.isoformat() in html and "<td>提交答复</td>" in html
    assert "共 1 项待办" in html and html.count('<span class="badge due-soon">临期</span>') == 2  # summary + row
    other = client_of("市监局经办人").get("/inbox/").content.decode()
    assert f"/reconsideration/{case.pk}/" not in other and "目前没有需要您办理的期限事项" in other


def test_given_the_api_then_the_respondent_gets_the_reply_item(replying, client_of):
    case = replying()
    body = client_of("住建局经办人").get("/api/inbox", {"on": ON.isoformat(), "type": "reconsideration.case"}).json()
    assert (body["count"], body["overdue_count"], body["due_soon_count"]) == (1, 0, 1)
    [item] = body["items"]
    assert (item["matter_id"], item["clock"], item["actions"], item["link"]) == (
        case.pk, "reply", ["提交答复"], f"/reconsideration/{case.pk}/")
    assert item["due_date"] == clocks.clock_of(case, "reply").due_date.isoformat()
