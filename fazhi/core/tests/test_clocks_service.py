"""Clock services on a real matter: the ledger, its arithmetic, the audit trail, and calendar reloads."""
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from fazhi.core import calendar_services, clocks
from fazhi.core.deadlines import DeadlineError
from fazhi.core.models import AuditRecord, Clock, ClockEvent
from tests.sample.models import SampleMatter

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
EXAMPLE_2027 = Path(settings.PROJECT_DIR) / "docs/examples/calendar-2027-example.txt"


@pytest.fixture
def matter(demo_gov):
    return SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="trial", title="某公司诉住建局行政复议案")


@pytest.fixture
def coordinator(persona):
    return persona("司法局协调员")


def reload(clock):
    return Clock.objects.get(pk=clock.pk)


def test_given_a_60_day_trial_clock_started_on_2025_08_02_then_it_rolls_past_national_day(matter, coordinator):
    clock = clocks.start_clock(matter, "trial", "sample.trial", D("2025-08-02"), actor=coordinator)
    # 08-02 + 60 = 10-01 (National Day) → first working day after the holiday, Thu 10-09.
    assert (clock.due_date, clock.status, clock.rule.budget, clock.rule.day_unit) == (D("2025-10-09"), "running", 60, "d")
    assert AuditRecord.objects.filter(action="clock.start", object_id=str(matter.pk)).count() == 1


def test_given_a_pause_resume_and_extension_then_the_due_date_follows_the_ledger(matter, coordinator):
    clock = clocks.start_clock(matter, "trial", "sample.trial", D("2025-08-02"), actor=coordinator)

    clocks.add_event(clock, "pause", D("2025-08-12"), actor=coordinator, reason="申请人申请中止（第三十九条）")
    assert (reload(clock).status, reload(clock).due_date) == ("paused", None)

    clocks.add_event(clock, "resume", D("2025-08-21"), actor=coordinator, reason="中止原因消除")
    # 9 days used (08-03..08-11); 51 left after 08-21 → 10-11, a make-up Saturday: no rollover.
    assert reload(clock).due_date == D("2025-10-11")

    clocks.add_event(clock, "extend", D("2025-09-01"), actor=coordinator, amount=30,
                     reason="案情复杂（第六十二条）", approver="行政复议机构负责人 周正清")
    # 90 − 9 = 81 days after 08-21 → Mon 11-10.
    clock = reload(clock)
    assert (clock.due_date, clock.status) == (D("2025-11-10"), "running")
    assert clocks.remaining(clock, on=D("2025-11-07")) == 3

    extend = ClockEvent.objects.get(clock=clock, kind="extend")
    assert (extend.amount, extend.amount_unit, extend.approver) == (30, "d", "行政复议机构负责人 周正清")
    record = AuditRecord.objects.filter(action="clock.extend").last()
    assert record.actor == coordinator and record.changes["due_date"] == ["2025-10-11", "2025-11-10"]
    assert list(clock.events.values_list("kind", flat=True)) == ["start", "pause", "resume", "extend"]


def test_given_a_correction_then_restart_counts_the_whole_limit_again(matter, coordinator):
    clock = clocks.start_clock(matter, "review", "sample.review", D("2025-09-26"), actor=coordinator)
    assert clock.due_date == D("2025-10-10")  # 5wd: 09-28 (make-up Sun), 09-29, 09-30, 10-09, 10-10
    clocks.add_event(clock, "pause", D("2025-09-29"), actor=coordinator, reason="通知补正（第三十一条）")
    clocks.add_event(clock, "restart", D("2025-10-13"), actor=coordinator, reason="收到补正材料")
    # From zero after 10-13: 10-14..10-17, 10-20.
    assert (reload(clock).due_date, reload(clock).status) == (D("2025-10-20"), "running")


def test_given_a_stop_then_the_clock_is_closed_and_takes_no_more_events(matter, coordinator):
    clock = clocks.start_clock(matter, "review", "sample.review", D("2025-09-26"), actor=coordinator)
    clocks.add_event(clock, "stop", D("2025-10-09"), actor=coordinator, reason="已受理")
    clock = reload(clock)
    assert (clock.status, clock.stopped_on, clock.due_date) == ("stopped", D("2025-10-09"), D("2025-10-10"))
    with pytest.raises(DeadlineError, match="已结束"):
        clocks.add_event(clock, "pause", D("2025-10-10"), actor=coordinator, reason="x")


@pytest.mark.parametrize("kind, kwargs, fragment", [
    ("extend", {"amount": 5, "amount_unit": "wd", "reason": "复杂", "approver": "负责人"}, "须与原期限"),
    ("extend", {"amount": 30, "reason": "复杂"}, "批准人"),
    ("pause", {"reason": ""}, "理由"),
    ("resume", {"reason": "恢复"}, "未中止"),
])
def test_given_an_invalid_event_then_it_is_refused_and_nothing_is_recorded(matter, coordinator, kind, kwargs, fragment):
    clock = clocks.start_clock(matter, "trial", "sample.trial", D("2025-08-02"), actor=coordinator)
    audits = AuditRecord.objects.count()
    with pytest.raises(DeadlineError, match=fragment):
        clocks.add_event(clock, kind, D("2025-09-01"), actor=coordinator, **kwargs)
    assert clock.events.count() == 1 and AuditRecord.objects.count() == audits
    assert reload(clock).due_date == D("2025-10-09")


def test_given_a_pause_after_the_due_date_then_it_is_outside_the_period(matter, coordinator):
    clock = clocks.start_clock(matter, "review", "sample.review", D("2025-09-26"), actor=coordinator)
    with pytest.raises(DeadlineError, match="不在期限之内"):
        clocks.add_event(clock, "pause", D("2025-10-13"), actor=coordinator, reason="中止")
    assert clock.events.count() == 1


def test_given_a_clock_into_2027_then_it_warns_and_loading_2027_moves_its_due_date(matter, coordinator, persona):
    clock = clocks.start_clock(matter, "review", "sample.review", D("2026-12-28"), actor=coordinator)
    # Weekends only in 2027: 12-29, 12-30, 12-31, 01-01 (Fri), 01-04.
    assert clock.due_date == D("2027-01-04")
    assert len(clock.warnings) == 1 and "2027年" in clock.warnings[0]
    done = clocks.start_clock(matter, "trial", "sample.trial", D("2026-12-01"), actor=coordinator)
    clocks.add_event(done, "stop", D("2026-12-02"), actor=coordinator, reason="办结")

    admin = persona("系统管理员")
    result = calendar_services.load_file(EXAMPLE_2027.read_bytes(), EXAMPLE_2027.name, actor=admin)

    # The example notice makes 01-01..01-03 a holiday: 12-29, 12-30, 12-31, 01-04, 01-05.
    clock = reload(clock)
    assert (clock.due_date, clock.warnings) == (D("2027-01-05"), [])
    assert result.clocks_changed == 1
    assert AuditRecord.objects.filter(action="calendar.load", object_id="2027", actor=admin).exists()
    recompute = AuditRecord.objects.get(action="clock.recompute")
    assert "2027" in recompute.changes["reason"]
    assert (recompute.changes["clock_id"], recompute.object_type, recompute.object_id, recompute.changes["due_date"]) == (
        clock.pk, "sample.samplematter", str(matter.pk), ["2027-01-04", "2027-01-05"])
    # A stopped clock is history: it is not recomputed.
    assert reload(done).status == "stopped"


def test_given_an_old_pause_that_a_new_calendar_would_place_after_the_due_date_then_reloading_still_works(
        matter, coordinator, persona):
    """A ledger recorded under one calendar stays replayable after the calendar changes."""
    clock = clocks.start_clock(matter, "review", "sample.review", D("2026-12-28"), actor=coordinator)
    clocks.add_event(clock, "pause", D("2027-01-04"), actor=coordinator, reason="中止")  # the due day, weekends only
    text = "2027-01-02 班 调休\n2027-01-03 班 调休\n".encode()  # the period now ends on 01-02
    calendar_services.load_file(text, "odd-2027.txt", actor=persona("系统管理员"))
    assert reload(clock).status == "paused"
