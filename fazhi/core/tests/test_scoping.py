"""Scoping rules of the spine (one mechanism: fazhi.core.scoping)."""
import pytest

from fazhi.core import scoping
from fazhi.core.models import Unit


def test_given_operator_of_zjj_then_sees_only_zjj(demo_gov, persona):
    visible = set(scoping.visible_units(persona("住建局经办人")).values_list("code", flat=True))
    assert visible == {"YX-ZJJ"}


def test_given_coordinator_of_sfj_then_sees_the_whole_government(demo_gov, persona):
    visible = set(scoping.visible_units(persona("司法局协调员")).values_list("code", flat=True))
    assert visible == set(Unit.objects.filter(path__startswith=demo_gov.government.path).values_list("code", flat=True))
    assert len(visible) == 26


def test_given_auditor_then_sees_all_but_may_change_nothing(demo_gov, persona):
    auditor = persona("人大监督员")
    zjj = demo_gov.units["YX-ZJJ"]
    assert scoping.can_view_unit(auditor, zjj)
    assert not scoping.can_change_unit(auditor, zjj)
    assert auditor.has_perm("core.view_record", zjj)
    assert not auditor.has_perm("core.change_record", zjj)


def test_given_operator_then_other_unit_lookup_is_404(demo_gov, persona):
    from django.http import Http404

    with pytest.raises(Http404):
        scoping.get_visible_or_404(Unit, persona("住建局经办人"), code="YX-SCJG")
    assert scoping.get_visible_or_404(Unit, persona("住建局经办人"), code="YX-ZJJ").code == "YX-ZJJ"


def test_given_unit_below_department_then_department_operator_reaches_it(demo_gov, persona):
    team = Unit.objects.create(code="YX-ZJJ-ZF", name="住建执法大队", kind="other", parent=demo_gov.units["YX-ZJJ"])
    assert scoping.can_view_unit(persona("住建局经办人"), team)
    assert not scoping.can_view_unit(persona("市监局经办人"), team)


def test_given_demo_loaded_twice_then_nothing_is_duplicated(demo_gov):
    from fazhi.core.demo import load_demo
    from fazhi.core.models import Membership, User

    counts = (Unit.objects.count(), User.objects.count(), Membership.objects.count())
    load_demo(with_modules=False)
    assert (Unit.objects.count(), User.objects.count(), Membership.objects.count()) == counts
