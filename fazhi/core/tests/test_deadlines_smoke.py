import datetime as dt

import pytest

from fazhi.core.deadlines import simple_deadline
from fazhi.core.workdays import get_calendar, invalidate


@pytest.mark.django_db
def test_given_national_day_2025_when_20_working_days_from_sep_26_then_oct_30():
    invalidate()
    assert simple_deadline(get_calendar(), dt.date(2025, 9, 26), "20wd").due == dt.date(2025, 10, 30)
