"""The procedure engine, proved with the sample procedure (tests/sample/procedure.py) on real dates.

Calendar facts used below (国务院办公厅 holiday notices, loaded from chinese-calendar):
2025-09-28 (Sunday) is a make-up workday; 2025-10-01..08 is the National Day/Mid-Autumn holiday;
2025-10-11 (Saturday) is a make-up workday; 2024-01-01 is New Year's Day.
"""
import datetime as dt

import pytest
from django.http import Http404

from fazhi.core import clocks, procedure
from fazhi.core.models import AuditRecord, Clock, ClockEvent
from fazhi.core.procedure import (ClockAction, GuardFailed, Procedure, ProcedureError, RoleDenied, StaleVersion,
                                  Transition, TransitionNotAllowed, perform)
from fazhi.core.workdays import get_calendar
from tests.sample.models import SampleMatter

D = dt.date


@pytest.fixture
def zjj(demo_gov):
    return demo_gov.units["YX-ZJJ"]


@pytest.fixture
def make_matter(zjj):
    def make(unit=None, title="房屋征收补偿复议", has_materials=True, rules_date=None):
        return SampleMatter.objects.create(unit=unit or zjj, state="draft", title=title,
                                           has_materials=has_materials, rules_date=rules_date)
    return make


def snapshot(matter) -> tuple:
    """Everything a refused transition must leave untouched."""
    m = SampleMatter.objects.get(pk=matter.pk)
    clock_rows = sorted(Clock.objects.filter(matter_id=m.pk).values_list("name", "status", "due_date"))
    return (m.state, m.version, m.title, m.has_materials, clock_rows,
            ClockEvent.objects.filter(clock__matter_id=m.pk).count(), AuditRecord.objects.count())


def transition_records(matter):
    return AuditRecord.objects.filter(object_type="sample.samplematter", object_id=str(matter.pk),
                                      action__startswith="transition.").order_by("seq")


def test_given_the_real_calendar_then_the_dates_used_here_are_what_the_notices_say(db):
    cal = get_calendar()
    assert cal.is_workday(D(2025, 9, 28)) and D(2025, 9, 28).weekday() == 6
    assert not any(cal.is_workday(D(2025, 10, d)) for d in range(1, 9))
    assert cal.is_workday(D(2025, 10, 11)) and D(2025, 10, 11).weekday() == 5
    assert not cal.is_workday(D(2024, 1, 1))


# ---------------------------------------------------------------------------
# The happy path, step by step
# ---------------------------------------------------------------------------
def test_given_a_draft_when_the_operator_submits_then_review_runs_five_working_days_across_national_day(
        make_matter, persona):
    matter = make_matter()
    done = perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    assert (done.state, done.version) == ("review", 2)
    review = clocks.clock_of(done, "review")
    # Friday 9/26 not counted: 9/28 (make-up Sunday), 9/29, 9/30, then 10/9, 10/10.
    assert review.due_date == D(2025, 10, 10)
    assert review.status == Clock.Status.RUNNING
    assert (review.rule.budget, review.rule.citation) == (5, "样例：《行政复议法》第三十条")


def test_given_a_matter_filed_under_the_old_rule_when_submitted_in_2024_then_the_old_seven_day_limit_applies(
        make_matter, persona):
    old = make_matter(rules_date=D(2023, 12, 28))
    new = make_matter()
    operator = persona("住建局经办人")
    perform(old, "submit", operator, version=1, on=D(2024, 1, 2))
    perform(new, "submit", operator, version=1, on=D(2024, 1, 2))
    old_clock, new_clock = clocks.clock_of(old, "review"), clocks.clock_of(new, "review")
    assert (old_clock.rule.budget, old_clock.rule.citation) == (7, "样例：旧法第十七条")
    assert old_clock.due_date == D(2024, 1, 11)  # 1/3 1/4 1/5 1/8 1/9 1/10 1/11
    assert (new_clock.rule.budget, new_clock.due_date) == (5, D(2024, 1, 9))


def test_given_review_when_correction_is_requested_then_review_pauses_and_correction_runs(make_matter, persona):
    matter = make_matter()
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    done = perform(matter, "request_correction", persona("司法局协调员"), version=2, on=D(2025, 9, 30))
    assert done.state == "correction"
    review, correction = clocks.clock_of(done, "review"), clocks.clock_of(done, "correction")
    assert review.status == Clock.Status.PAUSED and review.due_date is None
    # 10 working days after 9/30: 10/9 10/10 10/11(make-up) 10/13 … 10/21.
    assert correction.status == Clock.Status.RUNNING and correction.due_date == D(2025, 10, 21)
    assert [e.kind for e in review.events.order_by("seq")] == ["start", "pause"]
    assert review.events.get(kind="pause").reason == "通知补正"  # the transition names why the clock stopped


def test_given_correction_when_materials_arrive_then_review_restarts_from_zero(make_matter, persona):
    matter = make_matter()
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    perform(matter, "request_correction", persona("司法局协调员"), version=2, on=D(2025, 9, 30))
    done = perform(matter, "corrected", persona("住建局经办人"), version=3, on=D(2025, 10, 20))
    assert done.state == "review"
    review, correction = clocks.clock_of(done, "review"), clocks.clock_of(done, "correction")
    assert correction.status == Clock.Status.STOPPED and correction.stopped_on == D(2025, 10, 20)
    # 补正: the three working days used before the notice are not carried over; 5 new ones after 10/20.
    assert review.status == Clock.Status.RUNNING and review.due_date == D(2025, 10, 27)
    assert clocks.remaining(review, on=D(2025, 10, 20)) == 5


def test_given_a_full_case_when_accepted_suspended_resumed_and_decided_then_trial_skips_the_paused_days(
        make_matter, persona):
    coordinator = persona("司法局协调员")
    matter = make_matter()
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    done = perform(matter, "accept", coordinator, version=2, on=D(2025, 10, 24))
    assert done.state == "trial"
    assert clocks.clock_of(done, "review").status == Clock.Status.STOPPED
    trial = clocks.clock_of(done, "trial")
    assert (trial.rule.budget, trial.rule.day_unit, trial.due_date) == (60, "d", D(2025, 12, 23))

    done = perform(done, "suspend", coordinator, version=3, on=D(2025, 11, 3), reason="等待另案结果")
    trial = clocks.clock_of(done, "trial")
    assert done.state == "suspended" and trial.status == Clock.Status.PAUSED
    assert clocks.remaining(trial, on=D(2025, 11, 10)) == 51  # 9 days used (10/25–11/2), frozen while paused

    done = perform(done, "resume", coordinator, version=4, on=D(2025, 11, 17))
    trial = clocks.clock_of(done, "trial")
    # 11/3–11/17 (15 days) not counted: 12/23 + 15 = 2026-01-07, a Wednesday and a working day.
    assert done.state == "trial" and trial.due_date == D(2026, 1, 7)

    done = perform(done, "decide", persona("住建局负责人"), version=5, on=D(2025, 12, 10))
    trial = clocks.clock_of(done, "trial")
    assert (done.state, done.version) == ("closed", 6)
    assert trial.status == Clock.Status.STOPPED and trial.stopped_on == D(2025, 12, 10)
    assert [r.action for r in transition_records(done)] == [
        "transition.submit", "transition.accept", "transition.suspend", "transition.resume", "transition.decide"]


def test_given_a_successful_transition_then_exactly_one_transition_record_with_state_before_and_after(
        make_matter, persona):
    matter = make_matter()
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    records = list(transition_records(matter))
    assert len(records) == 1
    rec = records[0]
    assert rec.changes["state"] == ["draft", "review"]
    assert rec.changes["version"] == [1, 2]
    assert rec.actor == persona("住建局经办人") and rec.unit_id == matter.unit_id
    assert any("2025-10-10" in c for c in rec.changes["clocks"])


def test_given_a_second_correction_round_then_a_fresh_correction_clock_runs_and_the_first_is_kept(
        make_matter, persona):
    coordinator, operator = persona("司法局协调员"), persona("住建局经办人")
    matter = make_matter()
    perform(matter, "submit", operator, version=1, on=D(2025, 9, 26))
    perform(matter, "request_correction", coordinator, version=2, on=D(2025, 9, 30))
    perform(matter, "corrected", operator, version=3, on=D(2025, 10, 13))
    done = perform(matter, "request_correction", coordinator, version=4, on=D(2025, 10, 15))
    current = clocks.clock_of(done, "correction")
    first = clocks.clock_of(done, "correction#1")
    assert current.status == Clock.Status.RUNNING and current.started_on == D(2025, 10, 15)
    assert current.due_date == D(2025, 10, 29)  # 10/16 10/17 10/20 … 10/29
    assert first.status == Clock.Status.STOPPED and first.stopped_on == D(2025, 10, 13)


# ---------------------------------------------------------------------------
# Refusals: a clear Chinese message, and nothing changed
# ---------------------------------------------------------------------------
def test_given_a_draft_when_accept_is_attempted_then_refused_naming_the_current_state(make_matter, persona):
    matter = make_matter()
    before = snapshot(matter)
    with pytest.raises(TransitionNotAllowed) as exc:
        perform(matter, "accept", persona("司法局协调员"), version=1, on=D(2025, 9, 26))
    assert "当前状态为“草稿”" in exc.value.message and "“受理”" in exc.value.message
    assert exc.value.code == "transition_not_allowed"
    assert snapshot(matter) == before


def test_given_an_unknown_transition_then_refused(make_matter, persona):
    matter = make_matter()
    before = snapshot(matter)
    with pytest.raises(TransitionNotAllowed, match="未知的操作"):
        perform(matter, "approve_everything", persona("司法局协调员"), version=1)
    assert snapshot(matter) == before


def test_given_review_when_the_operator_tries_to_accept_then_role_denied(make_matter, persona):
    matter = make_matter()
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    before = snapshot(matter)
    with pytest.raises(RoleDenied, match="无权执行“受理”"):
        perform(matter, "accept", persona("住建局经办人"), version=2, on=D(2025, 9, 30))
    assert snapshot(matter) == before


def test_given_missing_materials_when_accepting_then_the_guard_message_is_shown(make_matter, persona):
    matter = make_matter(has_materials=False)
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    before = snapshot(matter)
    with pytest.raises(GuardFailed) as exc:
        perform(matter, "accept", persona("司法局协调员"), version=2, on=D(2025, 9, 30))
    assert exc.value.message == "材料不齐，不能受理。"
    assert snapshot(matter) == before


def test_given_an_empty_title_when_submitting_then_the_guard_refuses(make_matter, persona):
    matter = make_matter(title="  ")
    before = snapshot(matter)
    with pytest.raises(GuardFailed, match="标题不能为空"):
        perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    assert snapshot(matter) == before


def test_given_the_auditor_then_every_transition_is_refused(make_matter, persona):
    matter = make_matter()
    auditor = persona("人大监督员")
    assert procedure.allowed_transitions(matter, auditor) == []
    before = snapshot(matter)
    with pytest.raises(RoleDenied, match="只能查看"):
        perform(matter, "submit", auditor, version=1, on=D(2025, 9, 26))
    assert snapshot(matter) == before


def test_given_an_operator_of_another_unit_then_the_matter_does_not_exist_for_them(make_matter, persona):
    matter = make_matter()
    before = snapshot(matter)
    with pytest.raises(Http404):
        perform(matter, "submit", persona("市监局经办人"), version=1, on=D(2025, 9, 26))
    assert snapshot(matter) == before


def test_given_a_stale_version_then_refused_with_the_conflict_message(make_matter, persona):
    matter = make_matter()
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    before = snapshot(matter)
    with pytest.raises(StaleVersion) as exc:
        perform(matter, "request_correction", persona("司法局协调员"), version=1, on=D(2025, 9, 30))
    assert "已被他人修改" in exc.value.message and "第 1 版" in exc.value.message and "第 2 版" in exc.value.message
    assert exc.value.status == 409 and exc.value.code == "stale_version"
    assert snapshot(matter) == before


def test_given_a_version_that_is_not_a_number_then_refused(make_matter, persona):
    matter = make_matter()
    before = snapshot(matter)
    with pytest.raises(ProcedureError, match="版本号"):
        perform(matter, "submit", persona("住建局经办人"), version="abc", on=D(2025, 9, 26))
    assert snapshot(matter) == before


def test_given_a_clock_action_that_fails_after_the_state_was_written_then_everything_rolls_back(
        make_matter, persona):
    coordinator = persona("司法局协调员")
    matter = make_matter()
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    perform(matter, "accept", coordinator, version=2, on=D(2025, 10, 24))
    before = snapshot(matter)
    # Trial ends 2025-12-23; a suspension dated after that is outside the period.
    with pytest.raises(GuardFailed, match="不在期限之内"):
        perform(matter, "suspend", coordinator, version=3, on=D(2026, 1, 5), reason="等待鉴定")
    assert snapshot(matter) == before


def test_given_a_date_before_the_previous_event_then_refused_and_nothing_changed(make_matter, persona):
    matter = make_matter()
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    before = snapshot(matter)
    with pytest.raises(GuardFailed, match="早于"):
        perform(matter, "request_correction", persona("司法局协调员"), version=2, on=D(2025, 9, 20))
    assert snapshot(matter) == before


def test_given_changes_to_protected_fields_then_refused(make_matter, persona):
    matter = make_matter()
    before = snapshot(matter)
    with pytest.raises(ProcedureError, match="不能修改字段"):
        perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26), changes={"version": 9})
    assert snapshot(matter) == before


def test_given_changes_then_guards_see_them_and_the_audit_shows_before_and_after(make_matter, persona):
    matter = make_matter(has_materials=False)
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    done = perform(matter, "accept", persona("司法局协调员"), version=2, on=D(2025, 9, 30),
                   changes={"has_materials": True})
    assert done.state == "trial" and done.has_materials is True
    assert transition_records(done).last().changes["has_materials"] == [False, True]


# ---------------------------------------------------------------------------
# Who may do what, and declarations
# ---------------------------------------------------------------------------
def test_given_roles_then_allowed_transitions_follow_the_declaration(make_matter, persona, demo_gov):
    matter = make_matter()
    assert [t.name for t in procedure.allowed_transitions(matter, persona("住建局经办人"))] == ["submit"]
    assert [t.name for t in procedure.allowed_transitions(matter, persona("住建局负责人"))] == []
    assert [t.name for t in procedure.allowed_transitions(matter, persona("市监局经办人"))] == []
    perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    matter.refresh_from_db()
    assert [t.name for t in procedure.allowed_transitions(matter, persona("司法局协调员"))] == [
        "request_correction", "accept"]
    assert procedure.allowed_transitions(matter, persona("住建局经办人")) == []


def test_given_a_declaration_naming_an_unknown_state_then_it_fails_at_import():
    with pytest.raises(ValueError, match="unknown state"):
        Procedure(key="broken.a", label="错误声明", states={"a": "甲"},
                  transitions=[Transition("go", "前进", ["a"], "b", {"operator"})])


def test_given_a_declaration_starting_a_clock_without_a_rule_then_it_fails_at_import():
    with pytest.raises(ValueError, match="without a rule"):
        Procedure(key="broken.b", label="错误声明", states={"a": "甲", "b": "乙"},
                  transitions=[Transition("go", "前进", ["a"], "b", {"operator"},
                                          clocks=[ClockAction("start", "x")])])


def test_given_migrate_then_the_declared_rules_are_rows_with_their_versions(db):
    from fazhi.core.models import ClockRule

    rows = {(r.code, r.effective_from, r.budget) for r in ClockRule.objects.filter(code__startswith="sample.")}
    assert ("sample.review", D(2024, 1, 1), 5) in rows
    assert ("sample.review", D(2000, 1, 1), 7) in rows
    assert ClockRule.objects.get(code="sample.review", effective_from=D(2000, 1, 1)).effective_to == D(2023, 12, 31)


def test_given_a_rule_with_an_unknown_day_unit_then_it_fails_at_import():
    with pytest.raises(ValueError, match="day_unit"):
        procedure.Rule("broken.rule", "错误规则", 5, "weeks", "无")


def test_given_a_transition_the_law_makes_when_the_system_performs_it_then_clocks_and_audit_follow_without_an_actor(
        make_matter, persona):
    # given a matter submitted by the operator (review clock running)
    matter = make_matter()
    matter = perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    # when the system performs "accept" (no user, no version)
    done = procedure.perform_system(matter, "accept", on=D(2025, 10, 10), reason="审查期限届满，依法视为受理")
    # then the state moved, the declared clocks followed, and the audit row has no actor
    assert done.state == "trial" and done.version == 3
    assert clocks.clock_of(done, "review").status == Clock.Status.STOPPED
    assert clocks.clock_of(done, "trial").status == Clock.Status.RUNNING
    rec = list(transition_records(matter))[-1]
    assert rec.actor is None and rec.changes["reason"] == "审查期限届满，依法视为受理"
    # and once the state no longer allows it, a second run writes nothing
    before = snapshot(matter)
    assert procedure.perform_system(matter, "accept", on=D(2025, 10, 10), reason="再次") is None
    assert snapshot(matter) == before


def test_given_the_system_path_then_guards_still_apply(make_matter, persona):
    matter = make_matter(has_materials=False)
    matter = perform(matter, "submit", persona("住建局经办人"), version=1, on=D(2025, 9, 26))
    before = snapshot(matter)
    with pytest.raises(GuardFailed, match="材料不齐"):
        procedure.perform_system(matter, "accept", on=D(2025, 10, 10), reason="x")
    assert snapshot(matter) == before
