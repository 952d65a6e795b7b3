"""The procedure engine.

A module declares its procedure as data in its own ``procedure.py``::

    RULES = [Rule("reconsideration.acceptance", "受理审查", 5, "wd", "《行政复议法》第三十条", since=date(2024, 1, 1))]
    PROCEDURE = Procedure(
        key="reconsideration.case", label="行政复议案件",
        states={"received": "已收件", "accepted": "已受理", ...},
        transitions=[
            Transition("accept", "受理", source=["received"], target="accepted", roles={"coordinator"},
                       guards=[Guard(lambda m, ctx: m.applicant_id is not None, "缺少申请人，不能受理")],
                       clocks=[ClockAction("stop", "acceptance"), ClockAction("start", "trial", rule="…")]),
        ],
    )

and the model sets ``procedure = PROCEDURE`` (it inherits ``fazhi.core.models.Matter``).
A clock started by a transition uses the version of its rule in force on the matter's
``rules_date`` attribute when the model has one (a case filed under an older law keeps its old
limits), otherwise on the day the clock starts. Starting a clock that ended in an earlier round
(a second 补正 notice) keeps the old ledger under ``name#1``, ``name#2`` … and starts afresh.
A clock answered outside the transitions (the respondent's reply in 行政复议) names the users who
answer for it with ``deadline_owners=[DeadlineOwner(...)]``, so the inbox lists it for them too.
``perform`` is the one service function that moves any matter: it checks scope, role and guards,
applies optimistic concurrency, updates the clocks and writes the audit record, in one transaction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from . import audit, clocks, scoping
from .deadlines import DeadlineError
from .models import ClockRule


class ProcedureError(Exception):
    """A refused operation; ``message`` is for the user, in Chinese; ``code`` is stable."""

    code = "procedure_error"
    status = 400

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidInput(ProcedureError):
    """Bad or missing input for an operation (the message says which, in Chinese)."""

    code = "invalid_input"
    status = 400


class TransitionNotAllowed(ProcedureError):
    code = "transition_not_allowed"
    status = 409


class RoleDenied(ProcedureError):
    code = "role_denied"
    status = 403


class GuardFailed(ProcedureError):
    code = "guard_failed"
    status = 422


class StaleVersion(ProcedureError):
    code = "stale_version"
    status = 409


# ---------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """A statutory time limit, declared next to the procedure that uses it."""

    code: str
    label: str
    budget: int
    day_unit: str  # "wd" working days | "d" calendar days
    citation: str
    since: dt.date = dt.date(1900, 1, 1)
    until: dt.date | None = None
    note: str = ""

    def __post_init__(self):
        if self.day_unit not in ("wd", "d"):
            raise ValueError(f"rule {self.code}: day_unit must be 'wd' or 'd', not {self.day_unit!r}")
        if self.budget <= 0:
            raise ValueError(f"rule {self.code}: budget must be positive")
        if self.until is not None and self.until < self.since:
            raise ValueError(f"rule {self.code}: until {self.until} is before since {self.since}")


@dataclass(frozen=True)
class Guard:
    check: Callable[[Any, dict], bool]
    message: str  # shown when the check fails


@dataclass(frozen=True)
class ClockAction:
    action: str  # start | pause | resume | restart | stop
    clock: str  # the matter's name for the clock
    rule: str = ""  # rule code, for start


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    source: tuple[str, ...] | list[str]
    target: str
    roles: frozenset[str] | set[str]
    guards: tuple[Guard, ...] | list[Guard] = ()
    clocks: tuple[ClockAction, ...] | list[ClockAction] = ()


@dataclass(frozen=True)
class DeadlineOwner:
    """Who answers for a clock without a transition: the inbox lists the clock for them too.

    The inbox lists a matter's clocks for whoever may perform a transition from its state. Some time
    limits run against someone who acts outside the procedure's transitions: in 行政复议 the
    respondent's written reply (第四十八条) stops the ``reply`` clock, but it is not a transition and
    the respondent holds no role at the office's unit. The procedure declares such owners::

        DeadlineOwner("reply", "提交答复", roles={"operator", "leader"}, unit_field="respondent_unit",
                      states=["trial", "suspended"])

    A user owns the matter's open clock named ``clock`` when one of their ``roles`` reaches the unit
    in the matter's ``unit_field`` (a foreign key to ``Unit``, ``__`` to follow relations; reach as
    in fazhi.core.scoping, read-only roles never own), the matter is in one of ``states`` (any state
    when empty), and the matter model's own ``visible_to(user)`` shows it to them. The inbox shows
    ``action`` as what they can do and links to the matter; the module's service for that action
    does its own checks, as for transitions.
    """

    clock: str  # the matter's name for the clock, as in ClockAction
    action: str  # what the owner does, shown in the inbox (e.g. 提交答复)
    roles: frozenset[str] | set[str]
    unit_field: str = "unit"
    states: tuple[str, ...] | list[str] = ()


@dataclass
class Procedure:
    key: str
    label: str
    states: dict[str, str]
    transitions: list[Transition]
    initial: str = ""
    final: set[str] = field(default_factory=set)
    deadline_owners: list[DeadlineOwner] = field(default_factory=list)  # see DeadlineOwner

    def __post_init__(self):
        if not self.initial:
            self.initial = next(iter(self.states))
        names = set()
        for t in self.transitions:
            if t.name in names:
                raise ValueError(f"{self.key}: duplicate transition {t.name}")
            names.add(t.name)
            for s in [*t.source, t.target]:
                if s not in self.states:
                    raise ValueError(f"{self.key}: transition {t.name} names unknown state {s}")
            # Declaration mistakes fail at import, not on the first user who clicks.
            if not t.roles:
                raise ValueError(f"{self.key}: transition {t.name} names no role")
            for ca in t.clocks:
                if ca.action not in {"start", "pause", "resume", "restart", "stop"}:
                    raise ValueError(f"{self.key}: transition {t.name} has unknown clock action {ca.action}")
                if ca.action == "start" and not ca.rule:
                    raise ValueError(f"{self.key}: transition {t.name} starts clock {ca.clock} without a rule")
        for d in self.deadline_owners:
            if not (d.clock and d.action and d.unit_field):
                raise ValueError(f"{self.key}: deadline owner of clock {d.clock!r} needs a clock, an action "
                                 "and a unit field")
            if not d.roles:
                raise ValueError(f"{self.key}: deadline owner of clock {d.clock} names no role")
            for s in d.states:
                if s not in self.states:
                    raise ValueError(f"{self.key}: deadline owner of clock {d.clock} names unknown state {s}")
        _REGISTRY[self.key] = self

    def transition(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise TransitionNotAllowed(f"未知的操作：{name}", "unknown_transition")

    def available(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.source]

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)


_REGISTRY: dict[str, Procedure] = {}
_RULES: dict[tuple[str, dt.date], Rule] = {}


def register_rules(rules: list[Rule]) -> None:
    for r in rules:
        _RULES[(r.code, r.since)] = r


def procedures() -> dict[str, Procedure]:
    return dict(_REGISTRY)


def declared_rules() -> list[Rule]:
    return list(_RULES.values())


def sync_declared_rules(sender=None, **kwargs) -> None:
    """post_migrate: make the rule rows match the declarations (rules are data the UI can cite)."""
    if sender is not None and getattr(sender, "label", "") != "core":
        return
    _import_procedure_modules()
    for r in _RULES.values():
        ClockRule.objects.update_or_create(
            code=r.code, effective_from=r.since,
            defaults=dict(label=r.label, budget=r.budget, day_unit=r.day_unit, citation=r.citation,
                          effective_to=r.until, note=r.note),
        )


def _import_procedure_modules() -> None:
    from importlib import import_module

    from django.apps import apps

    for cfg in apps.get_app_configs():
        if cfg.name.startswith("fazhi.") or cfg.module.__name__.startswith("tests"):
            try:
                mod = import_module(f"{cfg.name}.procedure")
            except ModuleNotFoundError as exc:
                if exc.name != f"{cfg.name}.procedure":
                    raise
                continue
            if hasattr(mod, "RULES") and mod.__name__ != __name__:
                register_rules(mod.RULES)


# ---------------------------------------------------------------------------
# The one service that moves a matter
# ---------------------------------------------------------------------------
# Fields a transition may never set through ``changes``: identity, ownership and the engine's own.
_PROTECTED_FIELDS = {"id", "pk", "unit", "unit_id", "state", "version", "created_at", "updated_at"}
_CLOCK_ACTION_LABEL = {"start": "起算", "pause": "中止", "resume": "恢复", "restart": "重新起算", "stop": "结束"}


def allowed_transitions(matter, user) -> list[Transition]:
    """Transitions ``user`` may perform on ``matter`` in its current state (guards not evaluated)."""
    roles = scoping.roles_at(user, matter.unit) - scoping.READ_ONLY_ROLES
    if not roles:
        return []
    return [t for t in matter.procedure.available(matter.state) if roles & set(t.roles)]


def owned_deadlines(matter, user) -> list[DeadlineOwner]:
    """Deadline owner declarations of ``matter``'s procedure that ``user`` answers to in its current state.

    Like ``allowed_transitions``, this does not check that the matter is visible to the user: the
    caller fetched it through ``visible_to`` (the inbox does so in SQL).
    """
    proc = matter.procedure
    out = []
    for d in getattr(proc, "deadline_owners", ()):
        if d.states and matter.state not in d.states:
            continue
        unit = matter
        for part in d.unit_field.split("__"):
            unit = getattr(unit, part, None) if unit is not None else None
        if (scoping.roles_at(user, unit) - scoping.READ_ONLY_ROLES) & set(d.roles):
            out.append(d)
    return out


def _rules_date(matter, on: dt.date) -> dt.date:
    """The date whose rules apply: a matter filed under an older law keeps its old limits."""
    value = getattr(matter, "rules_date", None)
    if isinstance(value, dt.datetime):
        value = value.date()
    return value or on


def _parse_version(version) -> int:
    try:
        return int(version)
    except (TypeError, ValueError):
        raise ProcedureError("缺少或无法识别版本号，请刷新页面后重试。", "bad_version") from None


def perform(matter, name: str, user, *, version: int, on: dt.date | None = None, reason: str = "",
            context: dict | None = None, changes: dict | None = None):
    """Perform transition ``name`` on ``matter`` as ``user``; returns the matter as saved.

    ``version`` is the version the user saw; a different current version means someone else
    changed the matter in between, and the transition is refused (never silently applied).
    ``changes`` are extra field values the transition sets (validated by the caller's service);
    guards see them applied. Any refusal raises before anything is written, and the whole
    transition (state, version, clocks, audit) is one transaction.
    """
    model = type(matter)
    proc: Procedure = model.procedure
    version = _parse_version(version)
    on = on or clocks.today()
    ctx = dict(context or {}, user=user, on=on, reason=reason)
    with transaction.atomic():
        current = model._default_manager.select_for_update().filter(pk=matter.pk).first()
        if current is None or not scoping.can_view_unit(user, current.unit):
            raise Http404("未找到该记录，或您无权查看。")
        t = proc.transition(name)
        if not scoping.can_change_unit(user, current.unit):
            raise RoleDenied(f"您的角色只能查看，不能办理“{t.label}”。")
        if current.version != version:
            raise StaleVersion(
                f"该{proc.label}已被他人修改（您看到的是第 {version} 版，当前为第 {current.version} 版）。"
                "为避免覆盖他人的修改，本次操作未保存，请刷新页面后重试。"
            )
        if current.state not in t.source:
            possible = "、".join(f"“{x.label}”" for x in proc.available(current.state))
            raise TransitionNotAllowed(
                f"当前状态为“{proc.state_label(current.state)}”，不能执行“{t.label}”。"
                + (f"此状态下可执行：{possible}。" if possible else "此状态下已无可执行的操作。")
            )
        roles = scoping.roles_at(user, current.unit) - scoping.READ_ONLY_ROLES
        if not roles & set(t.roles):
            raise RoleDenied(f"您的角色无权执行“{t.label}”。")
        return _commit(model, proc, t, current, version, user, on, reason, ctx, changes)


def perform_system(matter, name: str, *, on: dt.date, reason: str, context: dict | None = None,
                   changes: dict | None = None):
    """Perform transition ``name`` as the system, where the law itself makes the change on a date
    (行政复议法 第三十条第二款: 视为受理 when the review period ran out) and a scheduled run records it.

    No user, so no scope, role or version check; everything else is as in ``perform``: the state must
    allow the transition (if it no longer does — a user acted first — nothing is written and None is
    returned), guards are checked, clocks follow the declaration, and the audit row has no actor.
    """
    model = type(matter)
    proc: Procedure = model.procedure
    ctx = dict(context or {}, user=None, on=on, reason=reason)
    with transaction.atomic():
        current = model._default_manager.select_for_update().filter(pk=matter.pk).first()
        t = proc.transition(name)
        if current is None or current.state not in t.source:
            return None
        return _commit(model, proc, t, current, current.version, None, on, reason, ctx, changes)


def _commit(model, proc: "Procedure", t: "Transition", current, version: int, user, on: dt.date, reason: str,
            ctx: dict, changes: dict | None):
    """The writing half of a transition (inside the caller's transaction, matter row locked): extra
    fields, guards, state and version, the declared clock actions, the audit row."""
    fields = dict(changes or {})
    before_fields = {}
    concrete = {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}
    for key, value in fields.items():
        if key in _PROTECTED_FIELDS or key not in concrete:
            raise ProcedureError(f"操作“{t.label}”不能修改字段：{key}", "bad_field")
        before_fields[key] = getattr(current, key)
        setattr(current, key, value)
    for g in t.guards:
        if not g.check(current, ctx):
            raise GuardFailed(g.message)
    before_state = current.state
    updated = model._default_manager.filter(pk=current.pk, version=version).update(
        state=t.target, version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:  # lost a race between the read and the write
        raise StaleVersion(f"该{proc.label}刚被他人修改，本次操作未保存，请刷新页面后重试。")
    current.refresh_from_db()
    effects = []
    try:
        for ca in t.clocks:
            effect = _apply_clock_action(current, ca, t, user, on, reason)
            if effect:
                effects.append(effect)
    except DeadlineError as exc:
        raise GuardFailed(str(exc)) from exc  # inside the atomic block: everything rolls back
    audit.record(
        f"transition.{t.name}", actor=user, obj=current,
        changes={"state": [before_state, t.target], "version": [version, current.version],
                 "transition": t.label, "on": on,
                 **({"reason": reason} if reason else {}),
                 **({"clocks": effects} if effects else {}),
                 **{k: [before_fields[k], v] for k, v in fields.items()}},
    )
    return current


def _apply_clock_action(matter, ca: ClockAction, t: Transition, user, on: dt.date, reason: str) -> str:
    """Apply one declared clock action; returns a short Chinese summary for the transition's audit."""
    from .models import Clock

    why = reason or t.label  # clocks.add_event requires a reason for a pause
    existing = clocks.clock_of(matter, ca.clock)
    if ca.action == "start":
        if existing is not None and existing.status != Clock.Status.STOPPED:
            clock = clocks.add_event(existing, "restart", on, actor=user, reason=why)
            return f"{ca.clock}：重新起算，届满日 {clock.due_date}"
        if existing is not None:
            # A clock that ended in an earlier round (e.g. a second 补正 notice): its ledger is kept
            # under an archived name, and the new round gets a fresh clock of the current rule.
            rounds = Clock.objects.filter(matter_type=existing.matter_type, matter_id=existing.matter_id,
                                          name__startswith=f"{ca.clock}#").count()
            archived = f"{ca.clock}#{rounds + 1}"
            Clock.objects.filter(pk=existing.pk).update(name=archived)
            audit.record("clock.archive", actor=user, obj=matter, changes={"clock": [ca.clock, archived]})
        clock = clocks.start_clock(matter, ca.clock, ca.rule, on, actor=user, reason=why,
                                   rule_on=_rules_date(matter, on))
        return f"{ca.clock}：起算（{clock.rule.budget}{clock.rule.get_day_unit_display()}），届满日 {clock.due_date}"
    if existing is None or existing.status == Clock.Status.STOPPED:
        if ca.action == "stop":
            return ""  # nothing running: stopping is a no-op by design
        raise DeadlineError(f"期限“{ca.clock}”未在计时，不能{_CLOCK_ACTION_LABEL.get(ca.action, ca.action)}。")
    clock = clocks.add_event(existing, ca.action, on, actor=user, reason=why)
    label = _CLOCK_ACTION_LABEL.get(ca.action, ca.action)
    return f"{ca.clock}：{label}" + (f"，届满日 {clock.due_date}" if clock.due_date and ca.action != "stop" else "")
