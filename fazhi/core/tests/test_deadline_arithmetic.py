"""Deadline arithmetic on the real seeded calendar (State Council notices 2024–2026), statutory-rules.md §0.

Every expected date below was counted by hand from the notices:
- 2024 春节 02-10..02-17 休, 02-04 (日) and 02-18 (日) 班; 劳动节 05-01..05-05 休, 04-28 (日), 05-11 (六) 班;
  国庆 10-01..10-07 休, 09-29 (日), 10-12 (六) 班.
- 2025 春节 01-28..02-04 休, 01-26 (日), 02-08 (六) 班; 劳动节 05-01..05-05 休, 04-27 (日) 班;
  国庆/中秋 10-01..10-08 休, 09-28 (日), 10-11 (六) 班.
- 2026 春节 02-15..02-23 休, 02-14 (六), 02-28 (六) 班; 劳动节 05-01..05-05 休, 05-09 (六) 班;
  中秋 09-25..09-27 休; 国庆 10-01..10-07 休, 09-20 (日), 10-10 (六) 班.
"""
import datetime as dt

import pytest

from fazhi.core.deadlines import (
    DeadlineError, Event, compute, parse_date, parse_pause, parse_spec, simple_deadline,
)
from fazhi.core.models import CalendarDay
from fazhi.core.workdays import get_calendar

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def due(start: str, spec: str, extends=(), pauses=()) -> dt.date:
    return simple_deadline(get_calendar(), D(start), spec, list(extends),
                           [(D(a), D(b)) for a, b in pauses]).due


def test_given_the_seeded_calendar_then_it_holds_the_notices_the_tests_rely_on():
    rows = dict(CalendarDay.objects.filter(date__year__in=[2024, 2025, 2026]).values_list("date", "kind"))
    for day in ["2024-02-10", "2024-02-17", "2025-05-05", "2025-10-08", "2026-02-23", "2026-10-07"]:
        assert rows[D(day)] == "holiday", day
    for day in ["2024-02-04", "2024-02-18", "2025-04-27", "2025-09-28", "2025-10-11", "2026-02-14", "2026-10-10"]:
        assert rows[D(day)] == "workday", day


@pytest.mark.parametrize("start, spec, expected", [
    # National Day 2025: the issue's own example.
    ("2025-09-26", "20wd", "2025-10-30"),
    # Spring Festival 2024: the make-up Sunday before counts, the holiday week does not.
    ("2024-02-02", "5wd", "2024-02-08"),
    ("2024-02-08", "3wd", "2024-02-19"),  # 02-09, then the make-up Sunday 02-18, then 02-19
    # May Day 2024: both make-up days (Sun 04-28, Sat 05-11) count.
    ("2024-04-26", "10wd", "2024-05-13"),
    # National Day 2024.
    ("2024-09-27", "5wd", "2024-10-10"),
    # Spring Festival 2025, make-up Saturday 02-08 counts.
    ("2025-01-24", "7wd", "2025-02-10"),
    # May Day 2025, make-up Sunday 04-27.
    ("2025-04-25", "5wd", "2025-05-06"),
    # Spring Festival 2026 (nine days), make-up Saturday 02-14.
    ("2026-02-12", "5wd", "2026-02-26"),
    # May Day 2026, make-up Saturday 05-09.
    ("2026-04-30", "5wd", "2026-05-11"),
    # Mid-autumn + National Day 2026, make-up Sunday 09-20.
    ("2026-09-18", "10wd", "2026-10-09"),
])
def test_given_a_holiday_season_when_counting_working_days_then_holidays_skip_and_make_up_days_count(
        start, spec, expected):
    assert due(start, spec) == D(expected)


@pytest.mark.parametrize("start, spec, expected, why", [
    ("2025-09-01", "30d", "2025-10-09", "10-01 is National Day: rolls past the whole holiday to Thu 10-09"),
    ("2025-09-11", "30d", "2025-10-11", "10-11 is a make-up Saturday: a working day, no rollover"),
    ("2024-01-11", "30d", "2024-02-18", "02-10 is Spring Festival: rolls onto the make-up Sunday 02-18"),
    ("2025-03-01", "14d", "2025-03-17", "03-15 is an ordinary Saturday: rolls to Monday"),
    ("2026-04-01", "30d", "2026-05-06", "05-01 is May Day 2026: rolls to Wed 05-06"),
    ("2024-08-02", "60d", "2024-10-08", "60 days end on 10-01 2024: rolls to Tue 10-08"),
    ("2025-04-01", "30d", "2025-05-06", "05-01 2025: rolls past May Day to 05-06"),
])
def test_given_calendar_days_when_the_last_day_is_not_a_working_day_then_it_rolls_forward(
        start, spec, expected, why):
    assert due(start, spec) == D(expected), why


def test_given_calendar_days_ending_on_a_working_day_then_no_rollover():
    assert due("2025-09-01", "60d") == D("2025-10-31")  # a Friday


def test_given_a_pause_when_counting_working_days_then_the_paused_days_do_not_count():
    # Consumed before the pause: 09-28, 09-29, 09-30 (3). Paused 10-09..10-10. Remaining 17 after 10-10:
    # 10-11 (make-up Sat), 10-13..17, 10-20..24, 10-27..31, 11-03.
    assert due("2025-09-26", "20wd", pauses=[("2025-10-09", "2025-10-10")]) == D("2025-11-03")


def test_given_two_pauses_and_an_extension_then_all_three_apply():
    # 22 working days; pauses 10-09..10-10 and 10-20 (one day).
    assert due("2025-09-26", "20wd", extends=["2wd"],
               pauses=[("2025-10-20", "2025-10-20"), ("2025-10-09", "2025-10-10")]) == D("2025-11-06")


def test_given_a_pause_in_calendar_days_when_the_new_end_is_a_make_up_saturday_then_it_stays():
    # 7 days used (09-03..09-09); paused 09-10..09-19; 23 left after 09-19 → 10-12 2024, a make-up Saturday.
    assert due("2024-09-02", "30d", pauses=[("2024-09-10", "2024-09-19")]) == D("2024-10-12")


def test_given_an_extension_then_the_budget_grows_in_the_same_unit():
    assert due("2025-09-26", "20wd", extends=["5wd"]) == D("2025-11-06")
    assert due("2025-08-02", "60d", extends=["30d"]) == D("2025-10-31")  # 90 days → Fri 10-31


def test_given_a_restart_then_the_time_already_used_is_dropped():
    cal = get_calendar()
    events = [Event("start", D("2025-09-26")), Event("pause", D("2025-09-29")), Event("restart", D("2025-10-13"))]
    out = compute(cal, 5, "wd", events)
    # Counting starts again after 10-13: 10-14..10-17, 10-20.
    assert (out.due, out.consumed, out.running) == (D("2025-10-20"), 0, True)


def test_given_a_pause_without_resume_then_the_due_date_is_unknown_and_the_used_days_are_kept():
    out = compute(get_calendar(), 5, "wd", [Event("start", D("2025-09-26")), Event("pause", D("2025-09-30"))],
                  today=D("2025-10-09"))
    # 09-28 (make-up Sunday) and 09-29 were used; resumed today (10-09) the other 3 are 10-10, 10-11 (make-up
    # Saturday) and 10-13.
    assert (out.due, out.paused, out.consumed, out.provisional_due) == (None, True, 2, D("2025-10-13"))


def test_given_2027_without_calendar_data_then_only_weekends_rest_and_a_warning_names_the_year():
    out = simple_deadline(get_calendar(), D("2026-12-20"), "20wd")
    assert out.due == D("2027-01-15")
    assert len(out.warnings) == 1 and "2027年" in out.warnings[0]


def test_given_a_period_inside_a_loaded_year_then_there_is_no_warning():
    assert simple_deadline(get_calendar(), D("2026-11-02"), "20wd").warnings == []


@pytest.mark.parametrize("spec, unit", [("20wd", ("wd", 20)), ("60d", ("d", 60)), ("20WD", ("wd", 20)),
                                        ("20个工作日", ("wd", 20)), ("60日", ("d", 60)), ("15天", ("d", 15))])
def test_given_a_spec_written_in_either_form_then_it_is_understood(spec, unit):
    assert parse_spec(spec) == (unit[1], unit[0])


@pytest.mark.parametrize("spec", ["20", "wd", "20x", "-5d", "0wd", "20 周", "", "2.5d", "99999d"])
def test_given_an_unknown_spec_then_a_chinese_error(spec):
    with pytest.raises(DeadlineError) as exc:
        parse_spec(spec)
    assert "期限" in str(exc.value)


@pytest.mark.parametrize("text, fragment", [("2025-02-30", "不存在"), ("2025-13-01", "不存在"),
                                            ("20250926", "格式"), ("2025-W39-5", "格式"), ("明天", "格式")])
def test_given_a_bad_date_then_a_chinese_error(text, fragment):
    with pytest.raises(DeadlineError, match=fragment):
        parse_date(text)


def test_given_a_pause_written_with_any_separator_then_it_is_read():
    assert parse_pause("2025-10-09:2025-10-10") == parse_pause("2025-10-09~2025-10-10") == \
        parse_pause("2025-10-09至2025-10-10") == (D("2025-10-09"), D("2025-10-10"))


@pytest.mark.parametrize("kwargs, fragment", [
    ({"pauses": [("2025-11-05", "2025-11-06")]}, "不在期限之内"),  # after the due date 10-30
    ({"pauses": [("2025-09-20", "2025-09-21")]}, "不在期限之内"),  # before the start
    ({"pauses": [("2025-10-10", "2025-10-09")]}, "早于开始日"),
    ({"pauses": [("2025-10-09", "2025-10-14"), ("2025-10-13", "2025-10-15")]}, "重叠"),
    ({"extends": ["5d"]}, "须与原期限"),  # working-day limit, calendar-day extension
])
def test_given_impossible_pauses_or_extensions_then_a_chinese_error(kwargs, fragment):
    with pytest.raises(DeadlineError, match=fragment):
        due("2025-09-26", "20wd", **kwargs)
