"""Demo history: realistic proportions on real working days (the plan of all ~300 cases, checked
without writing), and a small load through the services that is idempotent and whose figures
match the cases in the database."""
import datetime as dt

import pytest

from fazhi.core import clocks, metrics
from fazhi.core.demo import _LOADERS
from fazhi.core.models import AuditRecord, Clock
from fazhi.core.workdays import get_calendar
from fazhi.reconsideration import demo_history
from fazhi.reconsideration.metrics import CORRECTIVE
from fazhi.reconsideration.models import Case

D = dt.date


@pytest.fixture
def planner(demo_gov, office):
    return demo_history._Demo(demo_gov, office, clocks.today())


def test_given_the_demo_loader_module_then_it_is_registered_for_fazhi_demo_load():
    assert demo_history.load_history in _LOADERS


def test_given_the_plan_of_the_history_then_proportions_look_like_a_real_district(planner):
    plans = planner.plan()
    cal = get_calendar()
    assert len(plans) == demo_history.HISTORY_CASES
    assert all(D(2024, 1, 1) <= p.received <= D(2025, 12, 31) and cal.is_workday(p.received) for p in plans)
    by_year = {y: sum(p.received.year == y for p in plans) for y in (2024, 2025)}
    assert all(120 <= n <= 170 for n in by_year.values()), by_year
    # Applications on the last working day before 春节 2024 (holiday 10–17 February) and 国庆 2025 (1–8 October).
    received = {p.received for p in plans}
    assert D(2024, 2, 9) in received and D(2025, 9, 30) in received
    decided = [p for p in plans if p.review in ("accept", "correct", "deem")]
    corrected = sum(p.outcome in CORRECTIVE for p in decided)
    assert 0.08 <= corrected / len(decided) <= 0.15
    assert 0.05 <= sum(p.review == "refuse" for p in plans) / len(plans) <= 0.10
    closed_otherwise = sum(p.outcome in ("mediated", "settled_withdrawn", "withdrawn") for p in decided)
    assert 0.15 <= closed_otherwise / len(decided) <= 0.40
    assert any(p.review == "deem" for p in plans) and any(p.late_application for p in plans)
    assert any(p.late_end for p in plans) and any(p.reply == "none" for p in plans)


def test_given_a_small_demo_load_then_it_is_idempotent_and_the_figures_match_the_cases(demo_gov, office):
    """The one slow test (a few seconds): a reduced history (16 cases, holiday eves first) plus the
    dozen current cases, all through the services."""
    demo_history.load_history(demo_gov, cases=16)
    cases, audits = Case.objects.count(), AuditRecord.objects.count()
    assert cases >= 16 + 12
    demo_history.load_history(demo_gov, cases=16)
    assert (Case.objects.count(), AuditRecord.objects.count()) == (cases, audits)

    cal, today = get_calendar(), clocks.today()
    for c in Case.objects.all():
        for day in (c.received_on, c.accepted_on, c.concluded_on, c.served_on, c.refused_on):
            assert day is None or (cal.is_workday(day) and day <= today), (c, day)
    units = metrics.subtree(demo_gov.units["YX"])
    value = lambda code, y: metrics.all_metrics()[f"reconsideration.{code}"].value_for(  # noqa: E731
        units, metrics.Period.for_year(y))
    for year in (2024, 2025, today.year):
        concluded = Case.objects.filter(concluded_on__year=year).exclude(outcome="")
        corrected = concluded.filter(outcome__in=CORRECTIVE).count()
        assert value("received", year) == Case.objects.filter(received_on__year=year).count()
        assert value("concluded", year) == concluded.count()
        assert value("corrected", year) == corrected
        assert value("correction_rate", year) == metrics.rate(corrected, concluded.count())
        assert value("refused", year) == Case.objects.filter(refused_on__year=year).count()
    # Current cases: running clocks for the inbox, and the daily run has done its work.
    assert Clock.objects.filter(status=Clock.Status.RUNNING, due_date__gte=today).count() >= 5
    assert Case.objects.filter(state="received").exists() and Case.objects.filter(state="suspended").exists()
    assert Case.objects.filter(acceptance_kind="deemed", acceptance_note__contains="第三十条第二款").exists()
    assert Case.objects.filter(reply_missing_flag=True).exists()
    assert Case.objects.filter(late_flag=True).exists()
