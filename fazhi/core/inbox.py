"""我的待办与期限: every open clock of every matter type that the user may act on, by due date.

One query for the open clocks of the units the user may see (with their rules and ledgers), then
one query per matter type for the matters; no per-row queries. A matter is listed when the user
holds a role that may perform at least one transition from its current state
(``procedure.allowed_transitions``); guards are not evaluated here, they answer when acting.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch

from . import clocks, scoping
from .clocks import events_of
from .deadlines import DeadlineError, Event, Outcome, compute, days_left
from .models import Clock, ClockEvent, Matter
from .procedure import Procedure, allowed_transitions
from .workdays import get_calendar

DUE_SOON_DAYS = 3  # marked 临期 at 3 days or fewer (working days, or calendar days) before the due date


@dataclass
class InboxItem:
    matter_type: str  # the procedure key, e.g. "reconsideration.case"
    matter_type_label: str
    matter_id: int
    matter_label: str
    unit: str
    state: str
    state_label: str
    clock: str
    clock_label: str
    citation: str
    budget: int
    day_unit: str  # "wd" | "d"
    clock_status: str  # running | paused
    clock_status_label: str
    due_date: dt.date | None  # None while paused
    days_left: int | None  # in the clock's unit; negative when overdue; while paused: days still unused
    due_soon: bool
    overdue: bool
    actions: list[str]  # labels of the transitions the user may perform
    warnings: list[str]
    link: str

    def as_dict(self) -> dict:
        return asdict(self)


def matter_types() -> list[tuple[str, str]]:
    """(procedure key, label) of every installed matter type, for the type filter."""
    out = []
    for model in apps.get_models():
        proc = getattr(model, "procedure", None)
        if issubclass(model, Matter) and isinstance(proc, Procedure):
            out.append((proc.key, proc.label))
    return sorted(out)


def _models_for_type(key: str) -> list:
    return [m for m in apps.get_models()
            if issubclass(m, Matter) and isinstance(getattr(m, "procedure", None), Procedure) and m.procedure.key == key]




def items_for(user, *, on: dt.date | None = None, matter_type: str = "") -> list[InboxItem]:
    """The user's inbox as of ``on`` (default today), optionally only one matter type (procedure key)."""
    on = on or clocks.today()
    if user is None or not user.is_authenticated:
        return []
    qs = (
        Clock.objects.filter(unit__in=scoping.visible_unit_ids(user),
                             status__in=[Clock.Status.RUNNING, Clock.Status.PAUSED])
        .select_related("rule")
        .prefetch_related(Prefetch("events", queryset=ClockEvent.objects.order_by("seq")))
    )
    if matter_type:
        models = _models_for_type(matter_type)
        if not models:
            return []
        qs = qs.filter(matter_type__in=[ContentType.objects.get_for_model(m) for m in models])
    open_clocks = list(qs)

    wanted: dict[int, set[int]] = defaultdict(set)
    for c in open_clocks:
        wanted[c.matter_type_id].add(c.matter_id)
    matters: dict[tuple[int, int], Matter] = {}
    for ctype_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(ctype_id).model_class()  # cached by Django
        if model is None or not isinstance(getattr(model, "procedure", None), Procedure):
            continue
        for m in model._default_manager.filter(pk__in=ids).select_related("unit"):
            matters[(ctype_id, m.pk)] = m

    cal = get_calendar()
    actions_cache: dict[tuple[int, int], list[str]] = {}
    items: list[InboxItem] = []
    for c in open_clocks:
        key = (c.matter_type_id, c.matter_id)
        matter = matters.get(key)
        # The matter's own unit decides (a matter may have moved after its clock started).
        if matter is None or not scoping.can_view_unit(user, matter.unit):
            continue
        if key not in actions_cache:
            actions_cache[key] = [t.label for t in allowed_transitions(matter, user)]
        if not actions_cache[key]:
            continue
        items.append(_item(c, matter, actions_cache[key], cal, on))
    items.sort(key=lambda i: (i.clock_status != Clock.Status.RUNNING, i.due_date or dt.date.max,
                              i.days_left if i.days_left is not None else 0, i.matter_type, i.matter_id))
    return items


def _item(c: Clock, matter, actions: list[str], cal, on: dt.date) -> InboxItem:
    proc: Procedure = matter.procedure
    rule = c.rule
    events = events_of(c)
    try:
        # Stored events were valid when recorded; replay them without re-checking (as clocks.outcome).
        result = compute(cal, rule.budget, rule.day_unit, events, on, check_from=len(events))
        left = days_left(cal, result, rule.day_unit, on)
    except DeadlineError as exc:  # one broken ledger must not take the whole inbox down
        result = Outcome(due=c.due_date, budget=rule.budget, consumed=0, running=c.status == Clock.Status.RUNNING,
                         paused=c.status == Clock.Status.PAUSED, stopped=False, anchor=c.started_on,
                         warnings=[*c.warnings, f"期限记录无法核算：{exc}"])
        left = None
    due = result.due
    overdue = due is not None and on > due
    due_soon = (
        due is not None and not overdue
        and (cal.count_workdays(on, due) <= DUE_SOON_DAYS or (due - on).days <= DUE_SOON_DAYS)
    )
    url = getattr(matter, "get_absolute_url", None)
    return InboxItem(
        matter_type=proc.key,
        matter_type_label=proc.label,
        matter_id=matter.pk,
        matter_label=str(matter),
        unit=matter.unit.short_name or matter.unit.name,
        state=matter.state,
        state_label=proc.state_label(matter.state),
        clock=c.name,
        clock_label=rule.label,
        citation=rule.citation,
        budget=result.budget,
        day_unit=rule.day_unit,
        clock_status=c.status if not result.paused else Clock.Status.PAUSED,
        clock_status_label=Clock.Status(Clock.Status.PAUSED if result.paused else Clock.Status.RUNNING).label,
        due_date=due,
        days_left=left,
        due_soon=due_soon,
        overdue=overdue,
        actions=actions,
        warnings=list(result.warnings),
        link=url() if callable(url) else "",
    )
