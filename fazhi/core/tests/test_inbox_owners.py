"""The inbox beyond transitions: the matter model's own visibility rule, and deadline owners.

A procedure may declare who answers for a clock without a transition (``DeadlineOwner``); the
inbox lists that clock for them, and counts it, in SQL. Every listed matter must pass the model's
own ``visible_to(user)``. Shown on the test-only sample procedure (the declaration is patched in).
"""
import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.core import inbox
from fazhi.core.models import MatterQuerySet
from fazhi.core.procedure import DeadlineOwner, Procedure, Transition, owned_deadlines
from tests.sample.models import SampleMatter
from tests.sample.steps import new_matter, run

D = dt.date
ON = D(2025, 10, 17)  # a Friday
# In 受理审查 only the coordinator has a transition; the operator owes the materials (a made-up duty).
MATERIALS = DeadlineOwner("review", "补充材料", roles={"operator"}, states=["review"])




def rows(items):
    return [(i.matter_label, i.clock, i.actions) for i in items]


@pytest.fixture
def matters(demo_gov, persona):
    u, coord = demo_gov.units, persona("司法局协调员")
    return {
        # 住建局, in review since 9/26: due 10/10, overdue on 10/17.
        "zjj_review": run(new_matter(u["YX-ZJJ"], "住建-审查中"), ("submit", persona("住建局经办人"), D(2025, 9, 26))),
        # 住建局, awaiting correction (10/21): the operator acts on it through a transition anyway.
        "zjj_corr": run(new_matter(u["YX-ZJJ"], "住建-待补正"),
                        ("submit", coord, D(2025, 9, 30)), ("request_correction", coord, D(2025, 10, 7))),
        # 市监局, in review since 10/14: due 10/21, 临期 on 10/17.
        "scjg_review": run(new_matter(u["YX-SCJG"], "市监-审查中"), ("submit", coord, D(2025, 10, 14))),
    }


@pytest.fixture
def owners(monkeypatch):
    def declare(*declarations):
        monkeypatch.setattr(SampleMatter.procedure, "deadline_owners", list(declarations))

    return declare


def test_given_no_owner_declared_then_the_operator_sees_only_what_a_transition_lets_them_do(matters, persona):
    assert rows(inbox.items_for(persona("住建局经办人"), on=ON)) == [
        ("住建-待补正", "correction", ["收到补正材料"]), ("住建-待补正", "review", ["收到补正材料"])]


def test_given_an_owner_declared_then_the_owned_clock_is_listed_with_its_action(matters, persona, owners):
    owners(MATERIALS)
    items = inbox.items_for(persona("住建局经办人"), on=ON)
    assert rows(items) == [
        ("住建-审查中", "review", ["补充材料"]),  # due 10/10: overdue, first
        ("住建-待补正", "correction", ["收到补正材料"]),
        ("住建-待补正", "review", ["收到补正材料"]),  # the declaration names the review state only
    ]
    assert (items[0].due_date, items[0].overdue, items[0].link) == (
        D(2025, 10, 10), True, f"/sample/{matters['zjj_review'].pk}/")


def test_given_an_owner_declared_then_the_counts_include_the_owned_clocks(matters, persona, owners):
    op = persona("市监局经办人")
    before = inbox.page_for(op, on=ON)
    owners(MATERIALS)
    after = inbox.page_for(op, on=ON)
    assert (before.count, before.overdue_count, before.due_soon_count) == (0, 0, 0)
    assert (after.count, after.overdue_count, after.due_soon_count) == (1, 0, 1)  # 市监-审查中, due 10/21
    assert rows(after.items) == [("市监-审查中", "review", ["补充材料"])]


def test_given_an_owner_declared_then_other_units_and_other_roles_do_not_own_it(matters, persona, owners):
    owners(MATERIALS)
    assert "市监-审查中" not in {i.matter_label for i in inbox.items_for(persona("住建局经办人"), on=ON)}
    assert inbox.items_for(persona("住建局负责人"), on=ON) == []  # a leader: not a declared role
    assert inbox.items_for(persona("人大监督员"), on=ON) == []


def test_given_a_coordinator_who_may_act_and_owns_then_the_actions_are_joined(matters, persona, owners):
    coord = persona("司法局协调员")
    before = rows(inbox.items_for(coord, on=ON))
    owners(dataclasses.replace(MATERIALS, roles={"coordinator"}))
    after = rows(inbox.items_for(coord, on=ON))
    assert [r[:2] for r in after] == [r[:2] for r in before]  # the same clocks, not twice
    assert dict(((m, c), a) for m, c, a in after)[("住建-审查中", "review")] == ["通知补正", "受理", "补充材料"]
    assert dict(((m, c), a) for m, c, a in after)[("住建-待补正", "correction")] == ["收到补正材料"]


def test_given_the_clocks_unit_is_not_visible_then_an_owner_still_gets_it(matters, persona, owners, demo_gov):
    # The matter moved to 市监局; its clock still belongs to 住建局, which the 市监局 operator cannot see.
    SampleMatter.objects.filter(pk=matters["zjj_review"].pk).update(unit=demo_gov.units["YX-SCJG"])
    op = persona("市监局经办人")
    assert "住建-审查中" not in {i.matter_label for i in inbox.items_for(op, on=ON)}
    owners(MATERIALS)
    assert "住建-审查中" in {i.matter_label for i in inbox.items_for(op, on=ON)}  # declared: theirs
    assert "住建-审查中" not in {i.matter_label for i in inbox.items_for(persona("住建局经办人"), on=ON)}


def test_given_the_models_own_visibility_rule_hides_a_matter_then_the_inbox_hides_it(
        matters, persona, owners, monkeypatch):
    owners(MATERIALS)
    hidden = {matters["zjj_corr"].pk, matters["zjj_review"].pk}
    plain = MatterQuerySet.visible_to

    def visible_to(self, user):  # a module whose rule is narrower than the unit
        qs = plain(self, user)
        return qs.exclude(pk__in=hidden) if self.model is SampleMatter else qs

    monkeypatch.setattr(MatterQuerySet, "visible_to", visible_to)
    assert inbox.items_for(persona("住建局经办人"), on=ON) == []  # by transition and by declaration
    assert inbox.page_for(persona("住建局经办人"), on=ON).count == 0
    assert {i.matter_label for i in inbox.items_for(persona("司法局协调员"), on=ON)} == {"市监-审查中"}


def test_owned_deadlines_follows_state_role_and_unit(matters, persona):
    SampleMatter.procedure.deadline_owners.append(MATERIALS)
    try:
        review, corr = matters["zjj_review"], matters["zjj_corr"]
        assert owned_deadlines(review, persona("住建局经办人")) == [MATERIALS]
        assert owned_deadlines(corr, persona("住建局经办人")) == []  # not a declared state
        assert owned_deadlines(review, persona("市监局经办人")) == []  # another unit
        assert owned_deadlines(review, persona("住建局负责人")) == []  # another role
    finally:
        SampleMatter.procedure.deadline_owners.remove(MATERIALS)


def test_given_more_owned_matters_then_the_queries_do_not_grow(matters, demo_gov, persona, owners):
    owners(MATERIALS)
    op, coord = persona("住建局经办人"), persona("司法局协调员")
    inbox.page_for(op, on=ON)  # warm the per-user scope cache and the content-type cache
    with CaptureQueriesContext(connection) as few:
        small = inbox.page_for(op, on=ON)
    for n in range(4):
        run(new_matter(demo_gov.units["YX-ZJJ"], f"住建-{n}"), ("submit", coord, D(2025, 10, 13)))
    with CaptureQueriesContext(connection) as many:
        large = inbox.page_for(op, on=ON)
    assert (small.count, large.count) == (3, 7)
    assert len(many) == len(few)


@pytest.mark.parametrize("declaration, message", [
    (DeadlineOwner("review", "补充材料", roles=set()), "names no role"),
    (DeadlineOwner("review", "补充材料", roles={"operator"}, states=["nowhere"]), "unknown state nowhere"),
    (DeadlineOwner("review", "", roles={"operator"}), "needs a clock, an action"),
])
def test_given_a_bad_owner_declaration_then_it_fails_at_import(declaration, message):
    with pytest.raises(ValueError, match=message):
        Procedure(key="test.bad_owner", label="坏声明", states={"draft": "草稿", "done": "完成"},
                  transitions=[Transition("finish", "完成", ["draft"], "done", {"operator"})],
                  deadline_owners=[declaration])
