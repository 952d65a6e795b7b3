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


@dataclass
class Procedure:
    key: str
    label: str
    states: dict[str, str]
    transitions: list[Transition]
    initial: str = ""
    final: set[str] = field(default_factory=set)

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
def allowed_transitions(matter, user) -> list[Transition]:
    roles = scoping.roles_at(user, matter.unit) - scoping.READ_ONLY_ROLES
    return [t for t in matter.procedure.available(matter.state) if roles & set(t.roles)]


def perform(matter, name: str, user, *, version: int, on: dt.date | None = None, reason: str = "",
            context: dict | None = None, changes: dict | None = None):
    """Perform transition ``name`` on ``matter`` as ``user``.

    ``version`` is the version the user saw; a different current version means someone else
    changed the matter in between, and the transition is refused (never silently applied).
    ``changes`` are extra field values the transition sets (validated by the caller's service).
    """
    model = type(matter)
    proc: Procedure = model.procedure
    on = on or clocks.today()
    ctx = dict(context or {}, user=user, on=on, reason=reason)
    with transaction.atomic():
        current = model._default_manager.select_for_update().filter(pk=matter.pk).first()
        if current is None or not scoping.can_view_unit(user, current.unit):
            raise Http404("未找到该记录，或您无权查看。")
        t = proc.transition(name)
        if current.version != version:
            raise StaleVersion(
                f"该{proc.label}已被他人修改（您看到的是第 {version} 版，当前为第 {current.version} 版）。"
                "为避免覆盖他人的修改，本次操作未保存，请刷新页面后重试。"
            )
        if current.state not in t.source:
            raise TransitionNotAllowed(
                f"当前状态为“{proc.state_label(current.state)}”，不能执行“{t.label}”。"
            )
        roles = scoping.roles_at(user, current.unit) - scoping.READ_ONLY_ROLES
        if not roles & set(t.roles):
            raise RoleDenied(f"您的角色无权执行“{t.label}”。")
        for g in t.guards:
            if not g.check(current, ctx):
                raise GuardFailed(g.message)
        before_state = current.state
        fields = dict(changes or {})
        updated = model._default_manager.filter(pk=current.pk, version=version).update(
            state=t.target, version=F("version") + 1, **fields
        )
        if updated != 1:  # lost a race between the read and the write
            raise StaleVersion("该事项刚被他人修改，本次操作未保存，请刷新页面后重试。")
        current.refresh_from_db()
        try:
            for ca in t.clocks:
                _apply_clock_action(current, ca, user, on, reason)
        except DeadlineError as exc:
            raise GuardFailed(str(exc)) from exc
        audit.record(
            f"transition.{t.name}", actor=user, obj=current,
            changes={"state": [before_state, t.target], "version": [version, current.version],
                     **({"reason": reason} if reason else {}),
                     **{k: [None, v] for k, v in fields.items()}},
        )
        return current


def _apply_clock_action(matter, ca: ClockAction, user, on: dt.date, reason: str) -> None:
    if ca.action == "start":
        existing = clocks.clock_of(matter, ca.clock)
        if existing is not None:
            clocks.add_event(existing, "restart", on, actor=user, reason=reason or "重新起算")
        else:
            clocks.start_clock(matter, ca.clock, ca.rule, on, actor=user, reason=reason,
                               rule_on=getattr(matter, "rules_date", None) or on)
        return
    clock = clocks.clock_of(matter, ca.clock)
    if clock is None or clock.status == clock.Status.STOPPED:
        if ca.action == "stop":
            return  # nothing running: stopping is a no-op by design
        raise DeadlineError(f"期限“{ca.clock}”未在计时，不能{ {'pause': '中止', 'resume': '恢复', 'restart': '重新起算'}.get(ca.action, ca.action)}。")
    clocks.add_event(clock, ca.action, on, actor=user, reason=reason or ca.action)
