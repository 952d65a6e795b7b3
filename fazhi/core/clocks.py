"""Clock services: every change to a clock is an appended event, replayed to get the due date."""
from __future__ import annotations

import datetime as dt
import json

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from . import audit
from .deadlines import CALENDAR, DeadlineError, Event, Outcome, compute, days_left
from .models import Clock, ClockEvent, ClockRule
from .workdays import Calendar, get_calendar


def today() -> dt.date:
    return timezone.localdate()


def rule_for(code: str, on: dt.date) -> ClockRule:
    """The version of rule ``code`` in force on ``on`` (a case keeps the rules of its filing date)."""
    rule = (
        ClockRule.objects.filter(code=code, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )
    if rule is None:
        raise DeadlineError(f"未找到 {on} 适用的期限规则：{code}")
    return rule


def events_of(clock: Clock) -> list[Event]:
    # Sorting in Python lets a prefetch_related("events") serve this without a query per clock.
    return [Event(e.kind, e.on, e.amount, e.amount_unit) for e in sorted(clock.events.all(), key=lambda e: e.seq)]


def outcome(clock: Clock, cal: Calendar | None = None, on: dt.date | None = None) -> Outcome:
    """Replay the stored ledger (its events were checked when recorded, so none is re-checked)."""
    events = events_of(clock)
    return compute(cal or get_calendar(), clock.rule.budget, clock.rule.day_unit, events, on or today(),
                   check_from=len(events))


def remaining(clock: Clock, cal: Calendar | None = None, on: dt.date | None = None) -> int | None:
    cal = cal or get_calendar()
    on = on or today()
    return days_left(cal, outcome(clock, cal, on), clock.rule.day_unit, on)


def _apply(clock: Clock, cal: Calendar, result: Outcome) -> dict:
    before = {"status": clock.status, "due_date": clock.due_date, "warnings": clock.warnings}
    clock.status = Clock.Status.STOPPED if result.stopped else (
        Clock.Status.PAUSED if result.paused else Clock.Status.RUNNING)
    clock.due_date = result.due if not result.paused else None
    clock.warnings = result.warnings
    after = {"status": clock.status, "due_date": clock.due_date, "warnings": clock.warnings}
    return audit.diff(before, after)


@transaction.atomic
def start_clock(matter, name: str, rule_code: str, on: dt.date, *, actor=None, reason: str = "",
                rule_on: dt.date | None = None) -> Clock:
    """Start clock ``name`` of ``matter`` on ``on`` under the rule in force on ``rule_on`` (default ``on``)."""
    rule = rule_for(rule_code, rule_on or on)
    ctype = ContentType.objects.get_for_model(type(matter))
    clock = Clock(rule=rule, name=name, matter_type=ctype, matter_id=matter.pk, unit=matter.unit,
                  started_on=on)
    cal = get_calendar()
    changes = _apply(clock, cal, compute(cal, rule.budget, rule.day_unit, [Event("start", on)], today()))
    clock.save()
    ClockEvent.objects.create(clock=clock, seq=1, kind="start", on=on, reason=reason, actor=_actor(actor))
    audit.record("clock.start", actor=actor, obj=matter, changes={"clock": name, "rule": str(rule), **changes})
    return clock


def _actor(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None


@transaction.atomic
def add_event(clock: Clock, kind: str, on: dt.date, *, actor=None, amount: int = 0, amount_unit: str = "",
              reason: str = "", approver: str = "") -> Clock:
    """Append an event (pause/resume/restart/extend/stop), after checking the ledger stays valid."""
    clock = Clock.objects.select_for_update().select_related("rule").get(pk=clock.pk)
    if kind == "extend" and not approver:
        raise DeadlineError("延长期限须记录批准人。")
    if kind in ("extend", "pause") and not reason:
        raise DeadlineError("延长或中止期限须写明理由。")
    events = events_of(clock) + [Event(kind, on, amount, amount_unit or clock.rule.day_unit)]
    cal = get_calendar()
    # Only the new event is checked against the current calendar; raises on a bad ledger.
    result = compute(cal, clock.rule.budget, clock.rule.day_unit, events, today(), check_from=len(events) - 1)
    changes = _apply(clock, cal, result)
    if kind == "stop":
        clock.stopped_on = on
    clock.save()
    seq = (clock.events.aggregate(m=Max("seq"))["m"] or 0) + 1
    ClockEvent.objects.create(clock=clock, seq=seq, kind=kind, on=on, amount=amount,
                              amount_unit=amount_unit or (clock.rule.day_unit if amount else ""),
                              reason=reason, approver=approver, actor=_actor(actor))
    audit.record(f"clock.{kind}", actor=actor, unit=clock.unit,
                 object_type=clock.matter_type.model_class()._meta.label_lower,
                 object_id=str(clock.matter_id), object_repr=f"{clock.name}",
                 changes={"clock": clock.name, "on": on, "amount": amount, "reason": reason, "approver": approver,
                          **changes})
    return clock


def extend_to(matter, name: str, due: dt.date, *, actor=None, reason: str, approver: str) -> Clock | None:
    """A deadline fixed by a date (a notice's 报送截止日, 第二十四条's April 1) rather than by a period.

    The clock runs under its calendar-day rule from its start; the ledger records an extension up to
    ``due`` with the reason and the authority that set the date, so the inbox, the overdue counts and
    the audit trail treat it like any other deadline. A date not after the rule's own end changes nothing."""
    clock = clock_of(matter, name)
    if clock is None:
        return None
    if clock.rule.day_unit != CALENDAR:
        raise DeadlineError("只有以日（自然日）计算的期限可以延至指定日期。")
    extended = sum(e.amount for e in events_of(clock) if e.kind == "extend")
    amount = (due - clock.started_on).days - clock.rule.budget - extended
    if amount <= 0:
        return clock
    return add_event(clock, "extend", clock.started_on, actor=actor, amount=amount, amount_unit=CALENDAR,
                     reason=reason, approver=approver)


def clock_of(matter, name: str) -> Clock | None:
    ctype = ContentType.objects.get_for_model(type(matter))
    return Clock.objects.filter(matter_type=ctype, matter_id=matter.pk, name=name).select_related("rule").first()


def clocks_of(matter):
    ctype = ContentType.objects.get_for_model(type(matter))
    return Clock.objects.filter(matter_type=ctype, matter_id=matter.pk).select_related("rule").order_by("pk")


RECOMPUTE_BATCH = 1000  # clocks locked, replayed and written per round trip (bounded memory at 10^6 clocks)


@transaction.atomic
def recompute_open_clocks(*, actor=None, reason: str = "日历数据变更", cal: Calendar | None = None) -> int:
    """After a calendar change: recompute every open clock's due date; log each change.

    ``cal``: the calendar to use (the loader passes the one it just wrote, read inside its own
    transaction, so a rolled-back load never leaves its days in the process cache).
    Clocks are handled in batches of ``RECOMPUTE_BATCH``: one query locks and reads the batch, one
    reads its ledgers, the changed rows are written with one UPDATE per new value, and each changed
    clock gets its audit record (its matter, old → new status / due date / warnings) in one append.
    All of it is one transaction: all clocks change, or none.
    """
    if cal is None:
        from .workdays import invalidate

        invalidate()
        cal = get_calendar()
    on = today()
    changed = 0
    ids = list(Clock.objects.exclude(status=Clock.Status.STOPPED).order_by("pk").values_list("pk", flat=True))
    labels: dict[int, str] = {}
    for i in range(0, len(ids), RECOMPUTE_BATCH):
        # Lock the batch: an event appended concurrently must not be overwritten by a stale due date.
        # Locks are taken in pk order, batch after batch, so two recomputes cannot deadlock.
        batch = list(
            Clock.objects.select_for_update(of=("self",)).filter(pk__in=ids[i:i + RECOMPUTE_BATCH])
            .exclude(status=Clock.Status.STOPPED)  # stopped since the ids were read: history, left alone
            .select_related("rule", "unit").order_by("pk")
        )
        # The ledgers as plain tuples, one query per batch (prefetch_related builds a queryset per clock).
        ledgers: dict[int, list[Event]] = {c.pk: [] for c in batch}
        for clock_id, kind, day, amount, amount_unit in (
                ClockEvent.objects.filter(clock_id__in=list(ledgers)).order_by("clock_id", "seq")
                .values_list("clock_id", "kind", "on", "amount", "amount_unit")):
            ledgers[clock_id].append(Event(kind, day, amount, amount_unit))
        now = timezone.now()
        dirty: list[tuple[Clock, dict]] = []
        for clock in batch:
            events = ledgers[clock.pk]
            # As outcome(): stored events were valid when recorded, none is re-checked.
            result = compute(cal, clock.rule.budget, clock.rule.day_unit, events, on, check_from=len(events))
            diff = _apply(clock, cal, result)
            if diff:
                clock.updated_at = now  # update() does not run auto_now
                dirty.append((clock, diff))
        if not dirty:
            continue
        # One UPDATE per distinct new value (a calendar change moves many clocks to the same few due
        # dates): far cheaper than bulk_update's per-row CASE expression.
        groups: dict[tuple, tuple[list, list[int]]] = {}
        for clock, _diff in dirty:
            key = (clock.status, clock.due_date, json.dumps(clock.warnings, ensure_ascii=False, sort_keys=True))
            groups.setdefault(key, (clock.warnings, []))[1].append(clock.pk)
        for (status, due_date, _w), (warnings, pks) in groups.items():
            Clock.objects.filter(pk__in=pks).update(status=status, due_date=due_date, warnings=warnings,
                                                    updated_at=now)
        # One audit record per changed clock, found by its matter like every other clock event;
        # appended under one chain-head lock per batch (record_many), which keeps this fast.
        entries = []
        for clock, diff in dirty:
            if clock.matter_type_id not in labels:
                model = ContentType.objects.get_for_id(clock.matter_type_id).model_class()  # cached by Django
                labels[clock.matter_type_id] = model._meta.label_lower if model else ""
            entries.append({"object_type": labels[clock.matter_type_id], "object_id": str(clock.matter_id),
                            "object_repr": clock.name, "unit_id": clock.unit_id,
                            "changes": {"reason": reason, "clock_id": clock.pk, "clock": clock.name, **diff}})
        audit.record_many("clock.recompute", entries, actor=actor)
        changed += len(dirty)
    return changed
