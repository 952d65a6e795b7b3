"""Deadline arithmetic over a clock's ledger (statutory-rules.md §0).

- The start day is not counted.
- N working days: the N-th working day after the start (行政复议法 Art. 88; 行政处罚法 Art. 85).
- N calendar days: start + N; if that day is not a working day the deadline moves to the next
  working day (民事诉讼法 期间 rules via 行政复议法 Art. 88; 行诉法解释 Art. 48). A make-up
  working weekend day is a working day.
- Pause on P and resume on R: days P..R (inclusive) do not count; counting goes on after R,
  as after a start.
- Restart on T: everything consumed so far is dropped; counting begins again after T (补正).
- Extend +M: the budget grows by M in the clock's own unit (e.g. Art. 62: +30 days).

Pure functions; the Calendar is passed in so tests and the CLI share the same code.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .workdays import ONE_DAY, Calendar, missing_year_warning

WORKING = "wd"
CALENDAR = "d"
UNIT_LABEL = {WORKING: "个工作日", CALENDAR: "日"}


class DeadlineError(ValueError):
    """Bad input for a deadline; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class Event:
    kind: str  # start | pause | resume | restart | extend | stop
    on: dt.date
    amount: int = 0
    unit: str = ""


@dataclass
class Outcome:
    due: dt.date | None  # None while paused (the due date is not yet known)
    budget: int
    consumed: int  # units used up to the last pause / stop (or today, see days_left)
    running: bool
    paused: bool
    stopped: bool
    anchor: dt.date | None  # last start/resume/restart date
    provisional_due: dt.date | None = None  # for a paused clock: the due date if resumed today
    warnings: list[str] = field(default_factory=list)


_SPEC = re.compile(r"^\s*(\d{1,5})\s*(wd|d|个工作日|工作日|自然日|日|天)\s*$", re.IGNORECASE)
_SPEC_UNITS = {"wd": WORKING, "个工作日": WORKING, "工作日": WORKING, "d": CALENDAR, "自然日": CALENDAR,
               "日": CALENDAR, "天": CALENDAR}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_spec(spec: str) -> tuple[int, str]:
    """'20wd' → (20, 'wd'); '60d' → (60, 'd'). Chinese forms ('20个工作日', '60日') are accepted too."""
    m = _SPEC.match(spec or "")
    if not m:
        raise DeadlineError(f"无法识别的期限写法：“{spec}”。请写作“20wd”（20个工作日）或“60d”（60日，即自然日）。")
    n = int(m.group(1))
    if n <= 0 or n > 3650:
        raise DeadlineError(f"期限天数须在 1 至 3650 之间：{spec}")
    return n, _SPEC_UNITS[m.group(2).lower()]


def parse_date(text: str) -> dt.date:
    """A real calendar date written YYYY-MM-DD (2025-02-30 is refused)."""
    value = (text or "").strip() if isinstance(text, str) else ""
    # fromisoformat alone would also take "20250926" or week dates; users must see one format.
    if not _DATE.match(value):
        raise DeadlineError(f"日期格式无效：“{text}”。请写作 YYYY-MM-DD，例如 2025-09-26。")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DeadlineError(f"日期不存在：“{text}”。请检查年、月、日是否正确。") from None


def parse_pause(text: str) -> tuple[dt.date, dt.date]:
    """'2025-10-09:2025-10-10' (also '~' or '至') → (from, to), both inclusive."""
    value = (text or "").strip()
    for sep in (":", "~", "～", "至"):
        if sep in value:
            a, b = value.split(sep, 1)
            p_from, p_to = parse_date(a), parse_date(b)
            if p_to < p_from:
                raise DeadlineError(f"中止期间“{text}”的结束日早于开始日。")
            return p_from, p_to
    raise DeadlineError(f"中止期间格式无效：“{text}”。请写作 开始日:结束日，例如 2025-10-09:2025-10-10。")


def _end(cal: Calendar, anchor: dt.date, remaining: int, unit: str) -> dt.date:
    if unit == WORKING:
        # Nothing left (possible only when replaying an old ledger under a changed calendar):
        # the period ends on the first working day from the anchor, never on a rest day.
        return cal.add_workdays(anchor, remaining) if remaining > 0 else cal.next_workday(anchor)
    return cal.next_workday(anchor + dt.timedelta(days=remaining))


def _consumed(cal: Calendar, anchor: dt.date, through: dt.date, unit: str) -> int:
    """Units counted in (anchor, through]."""
    if through <= anchor:
        return 0
    if unit == WORKING:
        return cal.count_workdays(anchor, through)
    return (through - anchor).days


def compute(cal: Calendar, budget: int, unit: str, events: list[Event], today: dt.date | None = None,
            check_from: int = 0) -> Outcome:
    """Replay the ledger. Raises DeadlineError for an impossible ledger.

    ``check_from``: index of the first event whose calendar-dependent validity (a pause must lie
    within the period) is checked. Events recorded earlier were valid when recorded; a later
    calendar change (new holidays or make-up days) must not turn them into errors on replay.
    """
    if not events or events[0].kind != "start":
        raise DeadlineError("期限须以“起算”开始。")
    anchor = events[0].on
    first_day = anchor
    consumed = 0
    running, stopped = True, False
    due = _end(cal, anchor, budget, unit)
    last_day = due
    for index, ev in enumerate(events[1:], start=1):
        if stopped:
            raise DeadlineError("期限已结束，不能再记录事件。")
        if ev.on < anchor:
            raise DeadlineError(f"事件日期 {ev.on} 早于上一事件日期 {anchor}。")
        if ev.kind == "pause":
            if not running:
                raise DeadlineError("期限已处于中止状态，不能重复中止。")
            if index >= check_from and due is not None and ev.on > due:
                raise DeadlineError(f"中止日期 {ev.on} 已在期限届满日 {due} 之后，不在期限之内。")
            consumed += _consumed(cal, anchor, ev.on - ONE_DAY, unit)
            running, due = False, None
            anchor = ev.on
        elif ev.kind == "resume":
            if running:
                raise DeadlineError("期限未中止，不能恢复。")
            running, anchor = True, ev.on
            due = _end(cal, anchor, max(budget - consumed, 0), unit)
        elif ev.kind == "restart":
            consumed, running, anchor = 0, True, ev.on
            due = _end(cal, anchor, budget, unit)
        elif ev.kind == "extend":
            if ev.unit and ev.unit != unit:
                raise DeadlineError(
                    f"延长期限的计日方式（{UNIT_LABEL[ev.unit]}）须与原期限（{UNIT_LABEL[unit]}）一致。")
            if ev.amount <= 0:
                raise DeadlineError("延长天数须大于 0。")
            budget += ev.amount
            if running:
                due = _end(cal, anchor, budget - consumed, unit)
        elif ev.kind == "stop":
            if running:
                consumed += _consumed(cal, anchor, ev.on, unit)
            stopped, running = True, False
        else:
            raise DeadlineError(f"未知的期限事件：{ev.kind}")
        if due:
            last_day = max(last_day, due)
        last_day = max(last_day, ev.on)
    provisional = None
    if not running and not stopped:
        resume_day = max(today or anchor, anchor)
        provisional = _end(cal, resume_day, max(budget - consumed, 0), unit)
        last_day = max(last_day, provisional)
    out = Outcome(due=due, budget=budget, consumed=consumed, running=running, paused=not running and not stopped,
                  stopped=stopped, anchor=anchor, provisional_due=provisional)
    missing = cal.missing_years(first_day, last_day)
    if missing:
        out.warnings.append(missing_year_warning(missing))
    return out


def days_left(cal: Calendar, outcome: Outcome, unit: str, today: dt.date) -> int | None:
    """Days (in the clock's unit) from today to the due date; negative when overdue."""
    if outcome.paused:
        return outcome.budget - outcome.consumed
    if outcome.due is None:
        return None
    if unit == WORKING:
        if today <= outcome.due:
            return cal.count_workdays(today, outcome.due)
        return -cal.count_workdays(outcome.due, today)
    return (outcome.due - today).days


def simple_deadline(cal: Calendar, start: dt.date, spec: str, extends: list[str] = (),
                    pauses: list[tuple[dt.date, dt.date]] = ()) -> Outcome:
    """The deadline calculator: START SPEC [--extend SPEC] [--pause FROM:TO ...]."""
    budget, unit = parse_spec(spec)
    events = [Event("start", start)]
    for ext in extends:
        amount, ext_unit = parse_spec(ext)
        events.append(Event("extend", start, amount, ext_unit))
    previous = None
    for p_from, p_to in sorted(pauses):
        if p_to < p_from:
            raise DeadlineError(f"中止期间 {p_from}:{p_to} 的结束日早于开始日。")
        if p_from <= start:
            raise DeadlineError(f"中止期间 {p_from}:{p_to} 不在期限之内（须晚于起算日 {start}）。")
        if previous is not None and p_from <= previous[1]:
            raise DeadlineError(f"中止期间 {previous[0]}:{previous[1]} 与 {p_from}:{p_to} 相互重叠，请合并后再计算。")
        events += [Event("pause", p_from), Event("resume", p_to)]
        previous = (p_from, p_to)
    return compute(cal, budget, unit, events)


def counting_note(unit: str) -> str:
    """How the period is counted, with the articles it rests on (statutory-rules.md §0)."""
    if unit == WORKING:
        return ("起算日不计入；N 个工作日即起算日后的第 N 个工作日，法定节假日和周末不计，调休上班日计入"
                "（《行政复议法》第八十八条、《行政处罚法》第八十五条、《行政许可法》第八十二条等）。"
                "中止期间（含起止两日）不计入。")
    return ("起算日不计入；N 日即起算日加 N 日，期间届满的最后一日是法定节假日或休息日的，以其后的第一个"
            "工作日为期间届满日，调休上班日视为工作日（《民事诉讼法》期间规定、行诉法解释第四十八条，"
            "经《行政复议法》第八十八条适用）。中止期间（含起止两日）不计入。")


def describe(budget: int, unit: str) -> str:
    """'20个工作日' / '60日'."""
    return f"{budget}{UNIT_LABEL[unit]}"
