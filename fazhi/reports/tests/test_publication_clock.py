"""第二十四条: the publication clock ends on the last working day before April 1 of the next year,
also for a report opened after that day (then it shows overdue with the real date)."""
import datetime as dt

import pytest

from fazhi.core import clocks
from fazhi.reports import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("opened, extended", [
    (dt.date(2026, 1, 6), True),    # in time: started today, extended to the legal date
    (dt.date(2026, 3, 30), False),  # the day before: a one-day period already ends on it
    (dt.date(2026, 3, 31), False),  # on the deadline itself: not 1 April
    (dt.date(2026, 5, 11), False),  # after it: overdue, not a fresh one-day period
])
def test_given_a_report_opened_on_a_day_then_its_publication_due_date_is_31_march_2026(demo_gov, persona, opened,
                                                                                       extended):
    report = services.create_report(persona("司法局协调员"), unit=demo_gov.units["YX"], year=2025, on=opened)
    clock = clocks.clock_of(report, "publication")
    # Tuesday 31 March 2026 is a working day: the last one before 1 April 2026.
    assert clock.due_date == dt.date(2026, 3, 31)
    assert clock.events.filter(kind="extend").exists() == extended
    assert clocks.remaining(clock, on=opened) == (dt.date(2026, 3, 31) - opened).days


def test_given_a_report_opened_after_the_deadline_then_it_is_overdue_on_the_public_page_and_the_ledger_says_why(
        demo_gov, persona, client):
    report = services.create_report(persona("司法局协调员"), unit=demo_gov.units["YX"], year=2025,
                                    on=dt.date(2026, 5, 11))
    clock = clocks.clock_of(report, "publication")
    start = clock.events.get(kind="start")
    assert start.on == dt.date(2026, 3, 30) and "公开期限已届满" in start.reason and "2026-03-31" in start.reason
    assert report.state == "draft" and clock.status == "running"
    assert "2026年3月31日" in client.get("/reports/public/").content.decode()


def test_given_a_weekend_31_march_then_the_due_date_is_the_friday_before(demo_gov, persona):
    # 31 March 2024 is a Sunday; Friday 29 March 2024 is the last working day before 1 April.
    report = services.create_report(persona("司法局协调员"), unit=demo_gov.units["YX"], year=2023,
                                    on=dt.date(2026, 1, 6))
    assert clocks.clock_of(report, "publication").due_date == dt.date(2024, 3, 29)
