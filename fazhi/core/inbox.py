"""我的待办与期限: every open clock of every matter type that the user may act on, by due date.

A matter's open clocks are listed for a user when the matter model's own ``visible_to(user)`` shows
the matter to them (the module's visibility rule, e.g. 行政复议 cases also reach the respondent's
staff) and either

- the user holds a role that may perform at least one transition from the matter's current state
  (``procedure.allowed_transitions``), and the clock's unit is visible to them: every open clock of
  the matter is listed, with those transitions as the actions; or
- the procedure declares the user an owner of that clock (``procedure.DeadlineOwner`` in
  ``Procedure.deadline_owners``: roles reaching a unit field of the matter, in some states), e.g.
  the respondent's operators own the ``reply`` clock of a 行政复议 case: that clock is listed with
  the declared action (提交答复), although the user has no transition and the clock belongs to the
  office's unit.

Guards are not evaluated here, they answer when acting. That rule is evaluated in SQL
(``open_clocks_for``: subqueries on each model's ``visible_to``), so a page of a province-sized
inbox (10^5–10^6 open clocks) costs a few indexed queries: the whole result is counted and ordered
in the database, and only the page's ledgers are fetched and replayed.

Order (the same as replaying everything and sorting): running clocks by due date; on the same due
date by days left (in each clock's own unit), then matter type, matter, clock; paused clocks last,
by their unused days. The stored ``Clock.due_date`` is the replay's due date (it is derived on every
event and recomputed after every calendar change), so SQL may order on it. A paused clock's unused
days live only in its ledger: the paused part of the result is replayed when a page reaches it
(paused clocks are few: a suspension is the exception).
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Callable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Subquery, Value, When

from . import clocks, scoping
from .clocks import events_of
from .deadlines import DeadlineError, Outcome, compute, days_left
from .models import Clock, ClockEvent, Matter
from .procedure import DeadlineOwner, Procedure, allowed_transitions, owned_deadlines
from .workdays import Calendar, get_calendar

DUE_SOON_DAYS = 3  # marked 临期 at 3 days or fewer (working days, or calendar days) before the due date
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
OPEN = (Clock.Status.RUNNING, Clock.Status.PAUSED)


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


@dataclass
class InboxPage:
    items: list[InboxItem]
    count: int  # items in the whole result, every page
    page: int
    page_size: int
    overdue_count: int  # of the whole result
    due_soon_count: int  # of the whole result
    pages: int = field(init=False)

    def __post_init__(self):
        self.pages = max(1, math.ceil(self.count / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:  # 1-based position of the page's first item (0 when empty)
        return (self.page - 1) * self.page_size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.page_size + len(self.items)


def _matter_models() -> list:
    return [m for m in apps.get_models()
            if issubclass(m, Matter) and isinstance(getattr(m, "procedure", None), Procedure)]


def matter_types() -> list[tuple[str, str]]:
    """(procedure key, label) of every installed matter type, for the type filter."""
    return sorted({(m.procedure.key, m.procedure.label) for m in _matter_models()})


def _models_for_type(key: str) -> list:
    return [m for m in _matter_models() if m.procedure.key == key]


# ---------------------------------------------------------------------------
# The result, in SQL
# ---------------------------------------------------------------------------
def _acting_states(proc: Procedure, role: str) -> set[str]:
    """States from which ``role`` has at least one transition."""
    return {s for t in proc.transitions if role in t.roles for s in t.source}


def _may_act(model, reach_by_role: dict[str, list[str]]) -> Q | None:
    """Matters of ``model`` the user may act on: per role, its acting states in the units it reaches."""
    q = Q()
    for role, paths in reach_by_role.items():
        states = _acting_states(model.procedure, role)
        if not states:
            continue
        units = Q()
        for path in paths:
            units |= Q(unit__path__startswith=path)
        q |= Q(state__in=sorted(states)) & units
    return q or None


def _owning(model, reach_by_role: dict[str, list[str]]) -> list[tuple[DeadlineOwner, Q]]:
    """(declaration, matters of ``model`` whose clock it names the user owns), as ``owned_deadlines``."""
    out = []
    for d in model.procedure.deadline_owners:
        units = Q()
        for role in sorted(d.roles):
            for path in reach_by_role.get(role, ()):
                units |= Q(**{f"{d.unit_field}__path__startswith": path})
        if not units:
            continue
        out.append((d, units & Q(state__in=sorted(d.states)) if d.states else units))
    return out


def open_clocks_for(user, matter_type: str = "") -> QuerySet:
    """Open clocks (running or paused) of the matters the user may act on or owns; unordered.

    A matter counts only if the model's own ``visible_to(user)`` shows it. Then, as
    ``allowed_transitions`` on each matter: roles are those reaching the matter's own unit (a matter
    may have moved after its clock started), read-only roles never act, and the clock's unit must be
    visible too, as everywhere else; or, as ``owned_deadlines``: the clock named by a
    ``DeadlineOwner`` the user answers to (whatever the clock's unit: the declaration grants it).
    """
    if user is None or not user.is_authenticated:
        return Clock.objects.none()
    reach_by_role: dict[str, list[str]] = defaultdict(list)
    for path, role in scoping.reach(user):
        if role not in scoping.READ_ONLY_ROLES:
            reach_by_role[role].append(path)
    models = _models_for_type(matter_type) if matter_type else _matter_models()
    acting, owning = Q(), Q()
    for model in models:
        may_act = _may_act(model, reach_by_role)
        owned = _owning(model, reach_by_role)
        if may_act is None and not owned:
            continue
        ctype = ContentType.objects.get_for_model(model)
        visible = scoping.scoped(model, user)  # the module's own visibility rule, as a subquery
        if may_act is not None:
            acting |= Q(matter_type=ctype, matter_id__in=Subquery(visible.filter(may_act).values("pk")))
        for d, matters in owned:
            owning |= Q(matter_type=ctype, name=d.clock,
                        matter_id__in=Subquery(visible.filter(matters).values("pk")))
    wanted = Q()
    if acting:
        wanted |= acting & Q(unit__in=scoping.visible_unit_ids(user))
    if owning:
        wanted |= owning
    if not wanted:
        return Clock.objects.none()
    return Clock.objects.filter(wanted, status__in=OPEN)


def _counts_bounds(cal: Calendar, on: dt.date) -> dt.date:
    """First due date that is no longer 临期: the 4th working day after ``on``.

    临期 = not overdue and (≤ 3 working days or ≤ 3 calendar days left); since 3 calendar days always
    end before the 4th working day, that is exactly ``on <= due < add_workdays(on, 4)``.
    """
    return cal.add_workdays(on, DUE_SOON_DAYS + 1)


def _same_days_left_window(cal: Calendar, on: dt.date) -> tuple[dt.date, dt.date]:
    """(P, N): for due dates in [P, on) or [on, N), days left count the same in working and calendar days.

    They differ as soon as a non-working day lies between ``on`` and the due date: N is the first
    non-working day after ``on``, P the last one on or before ``on``.
    """
    nxt = on + dt.timedelta(days=1)
    for _ in range(366):
        if not cal.is_workday(nxt):
            break
        nxt += dt.timedelta(days=1)
    prev = on
    for _ in range(366):
        if not cal.is_workday(prev):
            break
        prev -= dt.timedelta(days=1)
    return prev, nxt


def _ordered(qs: QuerySet, cal: Calendar, on: dt.date) -> QuerySet:
    """Running clocks in inbox order (see the module docstring); paused clocks (no due date) last."""
    prev, nxt = _same_days_left_window(cal, on)
    # On one due date only two values of "days left" exist (working or calendar days): working days
    # are fewer ahead of the due date and fewer behind it, so they sort first ahead and last behind.
    unit_key = Case(
        When(Q(due_date__gte=on, due_date__lt=nxt) | Q(due_date__lt=on, due_date__gte=prev), then=Value(0)),
        When(due_date__gte=on, rule__day_unit="wd", then=Value(0)),
        When(due_date__lt=on, rule__day_unit="d", then=Value(0)),
        default=Value(1), output_field=IntegerField(),
    )
    ranks = {key: n for n, (key, _label) in enumerate(matter_types())}
    type_key = Case(*[When(matter_type=ContentType.objects.get_for_model(m), then=Value(ranks[m.procedure.key]))
                      for m in _matter_models()], default=Value(len(ranks)), output_field=IntegerField())
    return qs.annotate(_unit_key=unit_key, _type_key=type_key).order_by(
        F("due_date").asc(nulls_last=True), "_unit_key", "_type_key", "matter_id", "pk")


def _with_ledgers(qs: QuerySet) -> QuerySet:
    return qs.select_related("rule").prefetch_related(
        Prefetch("events", queryset=ClockEvent.objects.order_by("seq")))


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------
def items_for(user, *, on: dt.date | None = None, matter_type: str = "") -> list[InboxItem]:
    """The whole inbox as of ``on`` (default today), optionally one matter type (procedure key)."""
    on = on or clocks.today()
    cal = get_calendar()
    qs = open_clocks_for(user, matter_type)
    rows = list(_with_ledgers(_ordered(qs, cal, on)))
    running = [c for c in rows if c.due_date is not None]
    paused = _sorted_paused([c for c in rows if c.due_date is None], cal, on)
    return _items(running + paused, user, cal, on)


def page_for(user, *, on: dt.date | None = None, matter_type: str = "", page: int = 1,
             page_size: int | None = None, clamp: bool = False) -> InboxPage:
    """One page of the inbox, with the count and the overdue / 临期 counts of the whole result.

    ``clamp``: a page past the end shows the last page (for the web page); otherwise it is empty.
    """
    on = on or clocks.today()
    page_size = min(max(int(PAGE_SIZE if page_size is None else page_size), 1), MAX_PAGE_SIZE)
    page = max(int(page), 1)
    cal = get_calendar()
    qs = open_clocks_for(user, matter_type)
    soon_until = _counts_bounds(cal, on)
    totals = qs.aggregate(
        count=Count("pk"),
        running=Count("pk", filter=Q(due_date__isnull=False)),
        overdue=Count("pk", filter=Q(due_date__lt=on)),
        due_soon=Count("pk", filter=Q(due_date__gte=on, due_date__lt=soon_until)),
    )
    count, n_running = totals["count"], totals["running"]
    if clamp:
        page = min(page, max(1, math.ceil(count / page_size)))
    start, stop = (page - 1) * page_size, page * page_size
    chosen: list[Clock] = []
    if start < n_running:
        running = _ordered(qs.filter(due_date__isnull=False), cal, on)
        chosen += list(_with_ledgers(running)[start:min(stop, n_running)])
    if stop > n_running and count > n_running:
        paused = _sorted_paused(list(_with_ledgers(qs.filter(due_date__isnull=True)).order_by("pk")), cal, on)
        chosen += paused[max(start - n_running, 0):stop - n_running]
    return InboxPage(items=_items(chosen, user, cal, on), count=count, page=page, page_size=page_size,
                     overdue_count=totals["overdue"] or 0, due_soon_count=totals["due_soon"] or 0)


# ---------------------------------------------------------------------------
# Replay and items (only for the clocks shown)
# ---------------------------------------------------------------------------
def _replay(c: Clock, cal: Calendar, on: dt.date) -> tuple[Outcome, int | None]:
    cached = getattr(c, "_inbox_replay", None)
    if cached is not None and cached[0] == on:
        return cached[1]
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
    c._inbox_replay = (on, (result, left))
    return result, left


def _sorted_paused(paused: list[Clock], cal: Calendar, on: dt.date) -> list[Clock]:
    """Paused clocks by unused days, then matter type, matter, clock (needs their ledgers)."""
    keys = {ct: key for key, models in ((k, _models_for_type(k)) for k, _l in matter_types())
            for ct in (ContentType.objects.get_for_model(m).pk for m in models)}

    def key(c: Clock):
        _result, left = _replay(c, cal, on)
        return (left if left is not None else 0, keys.get(c.matter_type_id, "~"), c.matter_id, c.pk)

    return sorted(paused, key=key)


def _items(chosen: list[Clock], user, cal: Calendar, on: dt.date) -> list[InboxItem]:
    wanted: dict[int, set[int]] = defaultdict(set)
    for c in chosen:
        wanted[c.matter_type_id].add(c.matter_id)
    matters: dict[tuple[int, int], Matter] = {}
    for ctype_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(ctype_id).model_class()  # cached by Django
        if model is None or not isinstance(getattr(model, "procedure", None), Procedure):
            continue
        # The owners' unit fields too: deciding ownership must not cost a query per item.
        related = ["unit", *sorted({d.unit_field for d in model.procedure.deadline_owners})]
        for m in model._default_manager.filter(pk__in=ids).select_related(*related):
            matters[(ctype_id, m.pk)] = m
    actions_cache: dict[tuple[int, int], tuple[list[str], dict[str, list[str]]]] = {}
    items: list[InboxItem] = []
    for c in chosen:
        key = (c.matter_type_id, c.matter_id)
        matter = matters.get(key)
        if matter is None:  # deleted between the two queries
            continue
        if key not in actions_cache:
            owned: dict[str, list[str]] = defaultdict(list)
            for d in owned_deadlines(matter, user):
                owned[d.clock].append(d.action)
            actions_cache[key] = ([t.label for t in allowed_transitions(matter, user)], owned)
        transitions, owned = actions_cache[key]
        actions = transitions + [a for a in owned.get(c.name, ()) if a not in transitions]
        if not actions:  # moved on between the two queries: nothing left to do here
            continue
        items.append(_item(c, matter, actions, cal, on))
    return items


def _item(c: Clock, matter, actions: list[str], cal: Calendar, on: dt.date) -> InboxItem:
    proc: Procedure = matter.procedure
    rule = c.rule
    result, left = _replay(c, cal, on)
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


# ---------------------------------------------------------------------------
# Reminders: dated items that are not procedure clocks (e.g. certificates about to expire)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Reminder:
    kind: str  # the provider's label, e.g. 执法证到期
    label: str
    due: dt.date
    link: str
    overdue: bool


_REMINDERS: dict[str, tuple[str, Callable[[object, dt.date], list[Reminder]]]] = {}


def register_reminders(key: str, label: str, provider) -> None:
    """A module offers dated reminders for the inbox: ``provider(user, on) -> list[Reminder]``.

    The provider must scope by the user itself (fazhi.core.scoping) and keep the list short.
    """
    _REMINDERS[key] = (label, provider)


def reminders_for(user, *, on: dt.date | None = None) -> list[Reminder]:
    on = on or clocks.today()
    items: list[Reminder] = []
    for _key, (_label, provider) in sorted(_REMINDERS.items()):
        items.extend(provider(user, on))
    return sorted(items, key=lambda r: (r.due, r.kind, r.label))
