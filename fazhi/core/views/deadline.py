"""期限计算器 (/deadline/): start date + N working or calendar days, with extension and pauses.

A plain POST form; with htmx it posts in place and only the result fragment is re-rendered.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from .. import calendar_io, calendar_services
from ..deadlines import (
    CALENDAR, WORKING, DeadlineError, counting_note, describe, parse_date, simple_deadline,
)
from ..workdays import ONE_DAY, get_calendar

PAUSE_ROWS = 3


def _form_values(data) -> dict:
    froms, tos = data.getlist("pause_from"), data.getlist("pause_to")
    pauses = [{"from": (froms[i] if i < len(froms) else "").strip(), "to": (tos[i] if i < len(tos) else "").strip()}
              for i in range(max(PAUSE_ROWS, len(froms), len(tos)))]
    return {
        "start": data.get("start", "").strip(),
        "amount": data.get("amount", "").strip(),
        "unit": data.get("unit", WORKING) if data.get("unit") in (WORKING, CALENDAR) else WORKING,
        "extend": data.get("extend", "").strip(),
        "pauses": pauses,
    }


def _calculate(values: dict) -> tuple[dict | None, list[str]]:
    errors: list[str] = []
    start = None
    try:
        start = parse_date(values["start"]) if values["start"] else None
        if start is None:
            errors.append("请填写起算日。")
    except DeadlineError as exc:
        errors.append(f"起算日：{exc}")
    amount = values["amount"]
    if not amount.isdigit() or not 1 <= int(amount) <= 3650:
        errors.append("期限天数须是 1 至 3650 之间的整数。")
    extends = []
    if values["extend"]:
        if not values["extend"].isdigit() or not 1 <= int(values["extend"]) <= 3650:
            errors.append("延长天数须是 1 至 3650 之间的整数（不延长请留空）。")
        else:
            extends.append(f"{int(values['extend'])}{values['unit']}")
    pauses = []
    for number, row in enumerate(values["pauses"], start=1):
        if not row["from"] and not row["to"]:
            continue
        if not row["from"] or not row["to"]:
            errors.append(f"第 {number} 个中止期间须同时填写开始日和结束日。")
            continue
        try:
            p_from, p_to = parse_date(row["from"]), parse_date(row["to"])
        except DeadlineError as exc:
            errors.append(f"第 {number} 个中止期间：{exc}")
            continue
        if p_to < p_from:
            errors.append(f"第 {number} 个中止期间的结束日 {p_to} 早于开始日 {p_from}。")
            continue
        pauses.append((p_from, p_to))
    if errors:
        return None, errors
    spec = f"{int(amount)}{values['unit']}"
    try:
        outcome = simple_deadline(get_calendar(), start, spec, extends, pauses)
    except DeadlineError as exc:
        return None, [str(exc)]
    return _explain(start, values["unit"], outcome, pauses, bool(extends)), []


def _explain(start: dt.date, unit: str, outcome, pauses, extended: bool) -> dict:
    """What the page shows besides the date: the days skipped, and why."""
    special = calendar_services.special_days(start, outcome.due)
    holidays = [{"first": a, "last": b, "name": n, "days": (b - a).days + 1}
                for a, b, n in calendar_io.ranges([(d, n) for d, k, n in special if k == calendar_io.HOLIDAY])]
    makeups = [{"date": d, "weekday": calendar_io.weekday_name(d), "name": n}
               for d, k, n in special if k == calendar_io.WORKDAY]
    cal = get_calendar()
    weekend_days, day = 0, start + ONE_DAY
    while day <= outcome.due:
        if day.weekday() >= 5 and day not in cal.workdays and day not in cal.holidays:
            weekend_days += 1
        day += ONE_DAY
    rolled_from = None
    if unit == CALENDAR and not pauses:
        nominal = start + dt.timedelta(days=outcome.budget)
        if nominal != outcome.due:
            rolled_from = {"date": nominal, "weekday": calendar_io.weekday_name(nominal)}
    return {
        "start": start,
        "due": outcome.due,
        "due_weekday": calendar_io.weekday_name(outcome.due),
        "period": describe(outcome.budget, unit),
        "extended": extended,
        "working": unit == WORKING,
        "holidays": holidays,
        "makeups": makeups,
        "weekend_days": weekend_days,
        "pauses": [{"first": a, "last": b, "days": (b - a).days + 1} for a, b in sorted(pauses)],
        "rolled_from": rolled_from,
        "warnings": outcome.warnings,
        "note": counting_note(unit),
    }


@login_required
@require_http_methods(["GET", "POST"])
def calculator(request):
    result, errors = None, []
    if request.method == "POST":
        values = _form_values(request.POST)
        result, errors = _calculate(values)
    else:
        values = _form_values(request.GET)  # a link may prefill the form
    context = {"values": values, "result": result, "errors": errors,
               "units": [(WORKING, "工作日"), (CALENDAR, "自然日（日）")]}
    if request.headers.get("HX-Request") == "true":
        # htmx swaps only 2xx answers, so the fragment with the errors is sent as 200.
        return render(request, "core/deadline/_result.html", context)
    return render(request, "core/deadline/calculator.html", context, status=400 if errors else 200)


urlpatterns = [
    path("", calculator, name="deadline"),
]
