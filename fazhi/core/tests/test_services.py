"""Generic services: do_create and do_update (optimistic concurrency, scope, read-only roles, audit)."""
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fazhi.core.models import AuditRecord
from fazhi.core.procedure import RoleDenied, StaleVersion
from fazhi.core.services import FieldRefused, do_create, do_update
from tests.sample.models import SampleMatter


@pytest.fixture
def matter(demo_gov, persona):
    return do_create(SampleMatter, persona("住建局经办人"), unit=demo_gov.units["YX-ZJJ"],
                     fields={"title": "道路拓宽征收决定", "has_materials": False})


def row(m) -> tuple:
    m = SampleMatter.objects.get(pk=m.pk)
    return m.title, m.has_materials, m.state, m.version, AuditRecord.objects.count()


# --- do_create ---------------------------------------------------------------
def test_given_an_operator_when_creating_in_their_unit_then_the_matter_starts_in_draft_and_is_audited(
        matter, persona):
    assert (matter.state, matter.version, matter.unit.code) == ("draft", 1, "YX-ZJJ")
    rec = AuditRecord.objects.filter(action="create", object_id=str(matter.pk)).get()
    assert rec.object_type == "sample.samplematter" and rec.actor == persona("住建局经办人")
    assert rec.changes["title"] == [None, "道路拓宽征收决定"] and rec.changes["state"] == [None, "draft"]


def test_given_an_operator_when_creating_in_another_unit_then_404_and_nothing_saved(demo_gov, persona):
    count = (SampleMatter.objects.count(), AuditRecord.objects.count())
    with pytest.raises(Http404):
        do_create(SampleMatter, persona("住建局经办人"), unit=demo_gov.units["YX-SCJG"], fields={"title": "越权"})
    assert (SampleMatter.objects.count(), AuditRecord.objects.count()) == count


def test_given_the_auditor_when_creating_then_refused(demo_gov, persona):
    count = SampleMatter.objects.count()
    with pytest.raises(RoleDenied, match="只能查看"):
        do_create(SampleMatter, persona("人大监督员"), unit=demo_gov.units["YX-ZJJ"], fields={"title": "监督"})
    assert SampleMatter.objects.count() == count


def test_given_the_coordinator_then_they_may_create_in_any_unit_of_the_government(demo_gov, persona):
    m = do_create(SampleMatter, persona("司法局协调员"), unit=demo_gov.units["YX-QS"], fields={"title": "街道事项"})
    assert m.unit.code == "YX-QS"


def test_given_an_invalid_value_when_creating_then_validation_error_and_nothing_saved(demo_gov, persona):
    count = (SampleMatter.objects.count(), AuditRecord.objects.count())
    with pytest.raises(ValidationError):
        do_create(SampleMatter, persona("住建局经办人"), unit=demo_gov.units["YX-ZJJ"], fields={"title": "长" * 101})
    assert (SampleMatter.objects.count(), AuditRecord.objects.count()) == count


def test_given_a_protected_field_when_creating_then_refused(demo_gov, persona):
    with pytest.raises(FieldRefused):
        do_create(SampleMatter, persona("住建局经办人"), unit=demo_gov.units["YX-ZJJ"],
                  fields={"title": "x", "state": "closed"})


# --- do_update ---------------------------------------------------------------
def test_given_the_current_version_when_updating_then_saved_with_a_new_version_and_a_diff(matter, persona):
    done = do_update(matter, persona("住建局经办人"), version=1,
                     fields={"title": "道路拓宽征收补偿决定", "has_materials": False})
    assert (done.title, done.version) == ("道路拓宽征收补偿决定", 2)
    rec = AuditRecord.objects.filter(action="update", object_id=str(matter.pk)).get()
    # Only what changed is recorded, before → after.
    assert rec.changes == {"title": ["道路拓宽征收决定", "道路拓宽征收补偿决定"], "version": [1, 2]}


def test_given_two_users_on_version_1_when_both_save_then_the_second_is_refused_and_the_first_kept(
        matter, persona):
    first = SampleMatter.objects.get(pk=matter.pk)
    second = SampleMatter.objects.get(pk=matter.pk)
    do_update(first, persona("住建局经办人"), version=first.version, fields={"title": "甲的修改"})
    before = row(matter)
    with pytest.raises(StaleVersion) as exc:
        do_update(second, persona("司法局协调员"), version=second.version, fields={"title": "乙的修改"})
    assert "已被他人修改" in exc.value.message and "请刷新页面后重试" in exc.value.message
    assert row(matter) == before and before[0] == "甲的修改"


def test_given_an_outsider_when_updating_then_404_and_nothing_changed(matter, persona):
    before = row(matter)
    with pytest.raises(Http404):
        do_update(matter, persona("市监局经办人"), version=1, fields={"title": "越权修改"})
    assert row(matter) == before


def test_given_the_auditor_when_updating_then_refused_and_nothing_changed(matter, persona):
    before = row(matter)
    with pytest.raises(RoleDenied):
        do_update(matter, persona("人大监督员"), version=1, fields={"title": "监督修改"})
    assert row(matter) == before


def test_given_the_state_field_when_updating_then_refused_because_states_move_only_by_transitions(matter, persona):
    before = row(matter)
    with pytest.raises(FieldRefused, match="办理操作"):
        do_update(matter, persona("住建局经办人"), version=1, fields={"state": "closed"})
    with pytest.raises(FieldRefused, match="未知字段"):
        do_update(matter, persona("住建局经办人"), version=1, fields={"no_such_field": 1})
    assert row(matter) == before


def test_given_an_invalid_value_when_updating_then_nothing_changed(matter, persona):
    before = row(matter)
    with pytest.raises(ValidationError):
        do_update(matter, persona("住建局经办人"), version=1, fields={"title": "长" * 101})
    assert row(matter) == before


def test_given_no_actual_change_then_no_new_version_and_no_audit(matter, persona):
    before = row(matter)
    done = do_update(matter, persona("住建局经办人"), version=1, fields={"title": "道路拓宽征收决定"})
    assert done.version == 1 and row(matter) == before
