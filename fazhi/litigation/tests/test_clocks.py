"""The litigation clocks on the real Chinese calendar: calendar days, the start day not counted, a
period ending on a holiday rolls to the first working day after it (行诉法解释 第四十八条)."""
import datetime as dt

import pytest

from fazhi.core import clocks
from fazhi.litigation import services

D = dt.date


def due(case, name):
    return clocks.clock_of(case, name).due_date


def test_given_complaint_copy_received_2025_09_20_when_registered_then_answer_due_2025_10_09_after_national_day(
        register):
    # Day 15 is 2025-10-05, inside the National Day holiday (10-01…10-08): rolls to Thursday 10-09.
    case = register("（2025）云0102行初301号", D(2025, 9, 20))
    clock = clocks.clock_of(case, "answer")
    assert (case.state, clock.started_on, clock.due_date) == ("served", D(2025, 9, 20), D(2025, 10, 9))
    assert clock.rule.citation == "《行政诉讼法》第六十七条第一款"
    assert (clock.rule.budget, clock.rule.day_unit) == (15, "d")


def test_given_day_15_is_a_make_up_working_saturday_then_the_answer_is_due_that_saturday(register):
    # 2025-09-26 + 15 = Saturday 2025-10-11, a 调休 working day: no roll-over.
    case = register("（2025）云0102行初302号", D(2025, 9, 26))
    assert due(case, "answer") == D(2025, 10, 11)


def test_given_day_15_on_an_ordinary_working_day_then_no_roll_over(register):
    case = register("（2025）云0102行初303号", D(2025, 3, 3))
    assert due(case, "answer") == D(2025, 3, 18)


def test_given_a_complaint_served_before_the_2015_amendment_then_the_old_ten_day_rule_applies(register):
    # 1989年法第四十三条: 10 days. 2014-09-22 + 10 = 2014-10-02 (National Day) → 2014-10-08.
    case = register("（2014）云0102行初88号", D(2014, 9, 22))
    clock = clocks.clock_of(case, "answer")
    assert (clock.rule.budget, clock.due_date) == (10, D(2014, 10, 8))
    assert "1989" in clock.rule.citation


def test_given_a_judgment_served_2025_01_13_then_the_appeal_period_of_15_days_ends_after_spring_festival(
        register, persona):
    # Day 15 is 2025-01-28 (除夕, holiday 01-28…02-04): rolls to 2025-02-05.
    op = persona("住建局经办人")
    case = register("（2024）云0102行初950号", D(2024, 12, 20))
    case = services.file_answer(case, op, version=case.version, filed_on=D(2024, 12, 30))
    case = services.record_result(case, op, version=case.version, result="upheld", result_kind="judgment",
                                  served_on=D(2025, 1, 13))
    clock = clocks.clock_of(case, "appeal")
    assert (case.state, clock.rule.budget, clock.due_date) == ("judged", 15, D(2025, 2, 5))
    assert clock.rule.citation == "《行政诉讼法》第八十五条"
    assert clocks.clock_of(case, "answer").status == "stopped"


def test_given_a_ruling_served_2025_09_23_then_the_appeal_period_of_10_days_ends_2025_10_09(register, persona):
    # Day 10 is 2025-10-03 (National Day): rolls to 2025-10-09.
    op = persona("住建局经办人")
    case = register("（2025）云0102行初310号", D(2025, 9, 1))
    case = services.record_result(case, op, version=case.version, result="withdrawn", result_kind="ruling",
                                  served_on=D(2025, 9, 23))
    clock = clocks.clock_of(case, "appeal")
    assert (clock.rule.label, clock.rule.budget, clock.due_date) == ("裁定上诉期", 10, D(2025, 10, 9))


@pytest.mark.parametrize("kind,served,expected", [
    ("judgment", D(2025, 5, 16), D(2025, 6, 3)),  # day 15 = Sat 05-31, 端午 05-31…06-02
    ("ruling", D(2025, 1, 24), D(2025, 2, 5)),  # day 10 = 02-03, Spring Festival
    ("ruling", D(2025, 5, 16), D(2025, 5, 26)),  # day 10 = Monday 05-26, a working day
])
def test_given_a_decision_served_then_the_appeal_period_follows_its_kind(register, persona, kind, served, expected):
    op = persona("住建局经办人")
    case = register(f"（2025）云0102行初4{served:%m%d}{kind[0]}号", D(2025, 1, 2))
    case = services.record_result(case, op, version=case.version, result="revoked", result_kind=kind,
                                  served_on=served)
    assert due(case, "appeal") == expected


def test_given_an_answer_filed_after_the_period_then_the_case_is_flagged_late(register, persona):
    case = register("（2025）云0102行初305号", D(2025, 9, 20))
    on_time = services.file_answer(case, persona("住建局经办人"), version=case.version, filed_on=D(2025, 10, 9))
    assert not on_time.answer_late
    other = register("（2025）云0102行初306号", D(2025, 9, 20))
    late = services.file_answer(other, persona("住建局经办人"), version=other.version, filed_on=D(2025, 10, 10))
    assert late.answer_late
    assert clocks.clock_of(late, "answer").stopped_on == D(2025, 10, 10)
