"""recompute_open_clocks in batches: every changed clock is written and logged, or none is."""
import datetime as dt

import pytest

from fazhi.core import audit, clocks
from fazhi.core.models import AuditRecord, CalendarDay, Clock
from fazhi.core.workdays import invalidate
from tests.sample.models import SampleMatter

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture
def five_clocks(demo_gov, persona):
    coord = persona("司法局协调员")
    out = []
    for n in range(5):
        m = SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="trial", title=f"事项{n}")
        # 5 working days from 2025-11-{10+n}: all but the last end on or after Mon 11-17.
        out.append(clocks.start_clock(m, "review", "sample.review", D("2025-11-10") + dt.timedelta(days=n), actor=coord))
    stopped = SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="closed", title="已办结")
    done = clocks.start_clock(stopped, "review", "sample.review", D("2025-11-10"), actor=coord)
    clocks.add_event(done, "stop", D("2025-11-11"), actor=coord, reason="办结")
    return out, done


def declare_holiday(day):
    # A (fictional) extra day off, written directly: the service under test is the recompute.
    CalendarDay.objects.update_or_create(date=day, defaults=dict(kind="holiday", name="测试休息日", source="测试"))
    invalidate()


def test_given_batches_of_two_then_every_changed_clock_is_moved_and_gets_its_own_audit_record(
        five_clocks, monkeypatch, persona):
    running, done = five_clocks
    before = {c.pk: c.due_date for c in running}
    declare_holiday(D("2025-11-17"))
    monkeypatch.setattr(clocks, "RECOMPUTE_BATCH", 2)
    changed = clocks.recompute_open_clocks(actor=persona("系统管理员"), reason="测试日历变更")
    after = {c.pk: Clock.objects.get(pk=c.pk).due_date for c in running}
    moved = {pk for pk in before if before[pk] != after[pk]}
    assert changed == len(moved) == 5  # every period crosses 11-17 → one working day later
    assert all(after[pk] == before[pk] + dt.timedelta(days=1) or after[pk].weekday() == 0 for pk in moved)
    records = list(AuditRecord.objects.filter(action="clock.recompute").order_by("seq"))
    listed = [r.changes["clock_id"] for r in records]
    assert sorted(listed) == sorted(moved) and len(records) == 5  # one per clock, across batches of 2, 2, 1
    entry = next(r for r in records if r.changes["clock_id"] == running[0].pk)
    assert entry.changes["due_date"] == [before[running[0].pk].isoformat(), after[running[0].pk].isoformat()]
    assert (entry.object_type, entry.object_id) == ("sample.samplematter", str(running[0].matter_id))
    assert [r.seq for r in records] == list(range(records[0].seq, records[0].seq + 5))
    assert all(r.changes["reason"] == "测试日历变更" and r.actor_name for r in records)
    assert Clock.objects.get(pk=done.pk).status == "stopped" and done.pk not in listed
    assert audit.verify_chain().ok


def test_given_a_failure_in_a_later_batch_then_no_clock_changes(five_clocks, monkeypatch):
    running, _done = five_clocks
    before = {c.pk: c.due_date for c in running}
    declare_holiday(D("2025-11-17"))
    monkeypatch.setattr(clocks, "RECOMPUTE_BATCH", 2)
    real = audit.record_many
    calls = []

    def failing(action, entries, **kwargs):
        calls.append(action)
        if action == "clock.recompute" and calls.count("clock.recompute") == 2:
            raise RuntimeError("审计写入失败")
        return real(action, entries, **kwargs)

    monkeypatch.setattr(clocks.audit, "record_many", failing)
    with pytest.raises(RuntimeError):
        clocks.recompute_open_clocks()
    assert {c.pk: Clock.objects.get(pk=c.pk).due_date for c in running} == before
    assert not AuditRecord.objects.filter(action="clock.recompute").exists()


def test_given_no_calendar_change_then_nothing_is_written(five_clocks):
    assert clocks.recompute_open_clocks() == 0
    assert not AuditRecord.objects.filter(action="clock.recompute").exists()
