"""The inbox in SQL: who may act where (role per unit), pagination, counts of the whole result,
and the same order as replaying every ledger and sorting in Python (the reference below)."""
import datetime as dt
import random

import pytest
from django.contrib.contenttypes.models import ContentType

from fazhi.core import clocks, inbox, scoping
from fazhi.core.deadlines import days_left
from fazhi.core.models import Clock, Membership, Role, Unit, User
from fazhi.core.procedure import allowed_transitions
from fazhi.core.workdays import get_calendar
from tests.sample.models import SampleMatter
from tests.sample.steps import new_matter, run

D = dt.date
ON = D(2025, 10, 17)  # a Friday




def rows(items):
    return [(i.matter_label, i.clock) for i in items]


@pytest.fixture
def xinan(demo_gov):
    """A second government (溪南区), not under 云溪区, with its own 住建局."""
    gov = Unit.objects.create(code="XN", name="溪南区人民政府", short_name="溪南区政府", kind="government")
    zjj = Unit.objects.create(code="XN-ZJJ", name="溪南区住房和城乡建设局", short_name="溪南住建局",
                              kind="department", parent=gov)
    sfj = Unit.objects.create(code="XN-SFJ", name="溪南区司法局", short_name="溪南司法局", kind="department", parent=gov)
    coord = User.objects.create(username="xn_coordinator", display_name="溪南协调员")
    Membership.objects.create(user=coord, unit=sfj, role=Role.COORDINATOR)
    return {"gov": gov, "zjj": zjj, "sfj": sfj, "coordinator": coord}


def member(username, *memberships):
    user = User.objects.create(username=username, display_name=username)
    for unit, role in memberships:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def two_governments(demo_gov, persona, xinan):
    u = demo_gov.units
    op_zjj, coord, xn_coord = persona("住建局经办人"), persona("司法局协调员"), xinan["coordinator"]
    m = {
        # 云溪 住建局: one awaiting correction (operator can act), one in review, one in trial.
        "yx_corr": run(new_matter(u["YX-ZJJ"], "云溪住建-待补正"),
                       ("submit", op_zjj, D(2025, 9, 26)), ("request_correction", coord, D(2025, 10, 9))),
        "yx_review": run(new_matter(u["YX-ZJJ"], "云溪住建-审查中"), ("submit", op_zjj, D(2025, 10, 13))),
        "yx_trial": run(new_matter(u["YX-ZJJ"], "云溪住建-审理中"),
                        ("submit", op_zjj, D(2025, 9, 15)), ("accept", coord, D(2025, 9, 19))),
        # 云溪 市监局, awaiting correction: not the 住建局 operator's.
        "yx_scjg": run(new_matter(u["YX-SCJG"], "云溪市监-待补正"),
                       ("submit", persona("市监局经办人"), D(2025, 9, 26)),
                       ("request_correction", coord, D(2025, 10, 10))),
        # 溪南: review and correction.
        "xn_review": run(new_matter(xinan["zjj"], "溪南住建-审查中"), ("submit", xn_coord, D(2025, 10, 14))),
        "xn_corr": run(new_matter(xinan["zjj"], "溪南住建-待补正"),
                       ("submit", xn_coord, D(2025, 9, 29)), ("request_correction", xn_coord, D(2025, 10, 13))),
    }
    return m


# ---------------------------------------------------------------------------
# Role per unit
# ---------------------------------------------------------------------------
def test_given_a_coordinator_in_one_government_and_operator_elsewhere_then_each_role_counts_only_where_it_reaches(
        two_governments, demo_gov, xinan):
    user = member("cross_user", (xinan["sfj"], Role.COORDINATOR), (demo_gov.units["YX-ZJJ"], Role.OPERATOR))
    got = rows(inbox.items_for(user, on=ON))
    # 溪南: everything a coordinator may act on; 云溪: only what an operator may act on, only in 住建局.
    assert sorted(got) == sorted([
        ("溪南住建-审查中", "review"), ("溪南住建-待补正", "correction"), ("溪南住建-待补正", "review"),
        ("云溪住建-待补正", "correction"), ("云溪住建-待补正", "review"),
    ])
    assert got == rows(reference(user, ON))


def test_given_the_coordinator_of_one_government_then_nothing_of_the_other(two_governments, persona, xinan):
    yx = {label for label, _c in rows(inbox.items_for(persona("司法局协调员"), on=ON))}
    xn = {label for label, _c in rows(inbox.items_for(xinan["coordinator"], on=ON))}
    assert yx == {"云溪住建-待补正", "云溪住建-审查中", "云溪住建-审理中", "云溪市监-待补正"}
    assert xn == {"溪南住建-审查中", "溪南住建-待补正"}


def test_given_operator_and_leader_of_one_unit_then_the_union_of_their_states(two_governments, demo_gov):
    user = member("op_and_leader", (demo_gov.units["YX-ZJJ"], Role.OPERATOR), (demo_gov.units["YX-ZJJ"], Role.LEADER))
    assert sorted(rows(inbox.items_for(user, on=ON))) == sorted([
        ("云溪住建-待补正", "correction"), ("云溪住建-待补正", "review"), ("云溪住建-审理中", "trial")])


def test_given_an_auditor_of_the_government_who_is_also_an_operator_then_only_the_operator_acts(
        two_governments, demo_gov):
    user = member("auditor_and_op", (demo_gov.government, Role.AUDITOR), (demo_gov.units["YX-SCJG"], Role.OPERATOR))
    # The auditor role sees every unit but acts on nothing: 住建局's correction is not listed.
    assert rows(inbox.items_for(user, on=ON)) == [("云溪市监-待补正", "correction"), ("云溪市监-待补正", "review")]


def test_given_a_matter_moved_to_another_unit_then_the_matters_own_unit_decides(two_governments, persona, demo_gov):
    SampleMatter.objects.filter(pk=two_governments["yx_corr"].pk).update(unit=demo_gov.units["YX-SCJG"])
    zjj_labels = {label for label, _c in rows(inbox.items_for(persona("住建局经办人"), on=ON))}
    assert "云溪住建-待补正" not in zjj_labels  # the matter is no longer theirs
    # Its clocks still belong to 住建局, which the 市监局 operator cannot see: not listed either.
    scjg_labels = {label for label, _c in rows(inbox.items_for(persona("市监局经办人"), on=ON))}
    assert "云溪住建-待补正" not in scjg_labels and "云溪市监-待补正" in scjg_labels
    assert "云溪住建-待补正" in {label for label, _c in rows(inbox.items_for(persona("司法局协调员"), on=ON))}


def test_given_an_inactive_membership_unit_then_its_role_does_not_act(two_governments, demo_gov):
    user = member("old_member", (demo_gov.units["YX-ZJJ"], Role.OPERATOR))
    Unit.objects.filter(pk=demo_gov.units["YX-ZJJ"].pk).update(active=False)
    assert inbox.items_for(user, on=ON) == []
    assert inbox.page_for(user, on=ON).count == 0


def test_given_no_user_then_nothing(db):
    assert inbox.open_clocks_for(None).count() == 0


# ---------------------------------------------------------------------------
# Pagination and counts of the whole result
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 3, 4, 5, 6, 7])
def test_given_pages_then_together_they_are_the_whole_inbox_in_order(two_governments, persona, size):
    coord = persona("司法局协调员")
    everything = inbox.items_for(coord, on=ON)
    # 4 running clocks, then 2 paused (the review clocks of the matters awaiting correction): the
    # page sizes put the boundary inside a page, on a page edge, and past the end.
    assert [i.clock_status for i in everything] == ["running"] * 4 + ["paused"] * 2
    pages = [inbox.page_for(coord, on=ON, page=n, page_size=size) for n in range(1, 8)]
    expected_pages = -(-6 // size)
    assert [rows(p.items) for p in pages] == [rows(everything[i:i + size]) for i in range(0, 7 * size, size)]
    assert {(p.count, p.pages, p.page_size) for p in pages} == {(6, expected_pages, size)}
    assert (pages[0].has_previous, pages[0].has_next) == (False, expected_pages > 1)
    last = pages[expected_pages - 1]
    assert (last.has_next, last.first_index, last.last_index) == (False, (expected_pages - 1) * size + 1, 6)


def test_given_a_page_past_the_end_then_empty_or_the_last_page_when_clamped(two_governments, persona):
    coord = persona("司法局协调员")
    beyond = inbox.page_for(coord, on=ON, page=9, page_size=2)
    assert (beyond.items, beyond.count, beyond.page, beyond.first_index) == ([], 6, 9, 0)
    clamped = inbox.page_for(coord, on=ON, page=9, page_size=2, clamp=True)
    assert (clamped.page, len(clamped.items)) == (3, 2)
    assert inbox.page_for(coord, on=ON, page=0, page_size=0).page_size == 1  # bounded, never a crash
    assert inbox.page_for(coord, on=ON, page_size=10_000).page_size == inbox.MAX_PAGE_SIZE


def test_given_a_page_then_overdue_and_due_soon_count_the_whole_result(two_governments, persona):
    coord = persona("司法局协调员")
    everything = inbox.items_for(coord, on=ON)
    first = inbox.page_for(coord, on=ON, page=1, page_size=1)
    assert first.overdue_count == sum(i.overdue for i in everything) == 0
    # 10/17: review due 10/20 (1 wd) and correction 10/22 (3 wd) are 临期; 10/23 (4 wd) is not yet.
    assert first.due_soon_count == sum(i.due_soon for i in everything) == 2
    later = inbox.page_for(coord, on=D(2025, 10, 21), page=1, page_size=1)
    replay = inbox.items_for(coord, on=D(2025, 10, 21))
    assert (later.overdue_count, later.due_soon_count) == (sum(i.overdue for i in replay), sum(i.due_soon for i in replay))
    assert (later.overdue_count, later.due_soon_count, len(later.items)) == (1, 2, 1)  # 10/20 late; 10/22, 10/23 临期


# ---------------------------------------------------------------------------
# The SQL order equals replay-and-sort, on ties too
# ---------------------------------------------------------------------------
def reference(user, on):
    """The inbox as it was computed before the SQL version: replay every visible clock, then sort."""
    cal = get_calendar()
    out = []
    for c in Clock.objects.filter(unit__in=scoping.visible_unit_ids(user), status__in=["running", "paused"]) \
            .select_related("rule").order_by("pk"):
        matter = ContentType.objects.get_for_id(c.matter_type_id).model_class().objects.get(pk=c.matter_id)
        if not scoping.can_view_unit(user, matter.unit) or not allowed_transitions(matter, user):
            continue
        result = clocks.outcome(c, cal, on)
        left = days_left(cal, result, c.rule.day_unit, on)
        overdue = result.due is not None and on > result.due
        soon = result.due is not None and not overdue and (
            cal.count_workdays(on, result.due) <= 3 or (result.due - on).days <= 3)
        out.append(Ref(str(matter), c.name, result.paused, result.due, left, overdue, soon, matter.procedure.key,
                       matter.pk))
    out.sort(key=lambda r: (r.paused, r.due_date or dt.date.max, r.days_left or 0, r.key, r.matter_id))
    return out


class Ref:
    def __init__(self, matter_label, clock, paused, due_date, days_left, overdue, due_soon, key, matter_id):
        self.matter_label, self.clock, self.paused, self.due_date = matter_label, clock, paused, due_date
        self.days_left, self.overdue, self.due_soon, self.key, self.matter_id = days_left, overdue, due_soon, key, matter_id


@pytest.fixture
def crowd(demo_gov, persona):
    """Many matters with real dates; several share a due date across working-day and calendar-day clocks."""
    rnd = random.Random(7)
    u = demo_gov.units
    op, coord = persona("住建局经办人"), persona("司法局协调员")
    cal = get_calendar()
    units = [u["YX-ZJJ"], u["YX-SCJG"], u["YX-QS"]]
    for n in range(24):
        start = D(2025, 8, 25) + dt.timedelta(days=rnd.randrange(0, 50))
        path = rnd.choice(["review", "correction", "trial", "suspended"])
        m = run(new_matter(rnd.choice(units), f"事项{n:02d}"), ("submit", coord, start))
        if path == "correction":
            run(m, ("request_correction", coord, start + dt.timedelta(days=rnd.randrange(1, 4))))
        elif path in ("trial", "suspended"):
            m = run(m, ("accept", coord, start + dt.timedelta(days=1)))
            if path == "suspended":
                run(m, ("suspend", coord, start + dt.timedelta(days=rnd.randrange(5, 30))))
    # Same due dates, different units: a 10-working-day correction and a 60-day trial both due on
    # each of these days (one ahead of 10/17, one behind it).
    for due in (D(2025, 10, 21), D(2025, 10, 14), D(2025, 11, 3)):
        corr_start = next(d for d in (due - dt.timedelta(days=k) for k in range(10, 30))
                          if cal.add_workdays(d, 10) == due)
        trial_accept = next(d for d in (due - dt.timedelta(days=k) for k in range(60, 62)) if d + dt.timedelta(60) == due)
        m = run(new_matter(u["YX-ZJJ"], f"补正到期{due:%m%d}"), ("submit", op, corr_start - dt.timedelta(days=1)))
        run(m, ("request_correction", coord, corr_start))
        run(new_matter(u["YX-SCJG"], f"审理到期{due:%m%d}"),
            ("submit", coord, trial_accept - dt.timedelta(days=1)), ("accept", coord, trial_accept))
    return rnd


@pytest.mark.parametrize("on", [
    D(2025, 10, 17),  # Friday: ahead of the 10/21 ties, behind the 10/14 ties
    D(2025, 10, 18),  # Saturday
    D(2025, 10, 5),   # National Day holiday
    D(2025, 10, 13),  # Monday after a make-up Saturday
    D(2025, 11, 3),   # a due date itself
])
@pytest.mark.parametrize("who", ["司法局协调员", "住建局经办人", "住建局负责人", "市监局经办人"])
def test_given_many_matters_then_the_sql_order_and_marks_equal_replaying_everything(crowd, persona, on, who):
    user = persona(who)
    expected = reference(user, on)
    got = inbox.items_for(user, on=on)
    assert [(i.matter_label, i.clock) for i in got] == [(r.matter_label, r.clock) for r in expected]
    assert [(i.due_date, i.days_left, i.overdue, i.due_soon) for i in got] == [
        (r.due_date, r.days_left, r.overdue, r.due_soon) for r in expected]
    paged = []
    for n in range(1, 20):
        page = inbox.page_for(user, on=on, page=n, page_size=5)
        paged += page.items
        if not page.has_next:
            break
    assert rows(paged) == rows(got)
    first = inbox.page_for(user, on=on, page_size=5)
    assert (first.count, first.overdue_count, first.due_soon_count) == (
        len(expected), sum(r.overdue for r in expected), sum(r.due_soon for r in expected))


def test_given_the_tie_fixture_then_it_really_has_ties_across_day_units(crowd, persona):
    items = inbox.items_for(persona("司法局协调员"), on=ON)
    by_due = {}
    for i in items:
        if i.due_date:
            by_due.setdefault(i.due_date, set()).add(i.day_unit)
    assert by_due[D(2025, 10, 21)] == {"wd", "d"} and by_due[D(2025, 10, 14)] == {"wd", "d"}
    # 10/21 seen on 10/17: 2 working days left sort before 4 calendar days.
    assert [(i.day_unit, i.days_left) for i in items if i.matter_label.endswith("到期1021") and i.due_date] == [
        ("wd", 2), ("d", 4)]
    # 10/14 seen on Friday 10/17: 3 working days late = 3 calendar days late, so matter order decides
    # (the correction's matter is older); seen on Monday 10/20: 6 calendar days late sort before 4 working days.
    assert [(i.day_unit, i.days_left) for i in items if i.matter_label.endswith("到期1014") and i.due_date] == [
        ("wd", -3), ("d", -3)]
    monday = inbox.items_for(persona("司法局协调员"), on=D(2025, 10, 20))
    assert [(i.day_unit, i.days_left) for i in monday if i.matter_label.endswith("到期1014") and i.due_date] == [
        ("d", -6), ("wd", -4)]
