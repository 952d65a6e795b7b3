"""Fixtures of the litigation tests: cases registered through the services, as the persona would."""
import datetime as dt

import pytest

from fazhi.litigation import services

D = dt.date


@pytest.fixture
def register(demo_gov, persona):
    """register(number, served_on, unit="YX-ZJJ", by="住建局经办人", **more) → a case in state 已收到起诉状副本."""
    def make(number: str, served_on: dt.date, unit: str = "YX-ZJJ", by: str = "住建局经办人", **more):
        fields = dict(court="云溪区人民法院", case_number=number, plaintiffs="张三\n云溪某某建材有限公司",
                      act_challenged="限期拆除违法建筑决定", served_on=served_on)
        fields.update(more)
        return services.register_case(persona(by), unit=demo_gov.units[unit], **fields)

    return make
