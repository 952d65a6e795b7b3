"""A mediation return form sent to two units (住建局, 市监局) for 2025, built through the services."""
import datetime as dt

import pytest

from fazhi.returns import services


@pytest.fixture
def form(persona, demo_gov):
    coordinator = persona("司法局协调员")
    f = services.create_form(coordinator, unit=demo_gov.units["YX-SFJ"], name="矛盾纠纷调解情况统计表", code="T-01")
    services.add_field(coordinator, f, metric_code="mediation.cases", label="调解矛盾纠纷", unit_label="件")
    services.add_field(coordinator, f, metric_code="mediation.succeeded", label="调解成功", unit_label="件",
                       not_above="mediation.cases")
    services.add_field(coordinator, f, metric_code="mediation.success_rate", label="调解成功率",
                       field_type="percentage", numerator="mediation.succeeded", denominator="mediation.cases",
                       required=False)
    services.add_field(coordinator, f, metric_code="mediation.organizations", label="人民调解组织", unit_label="个",
                       over_time="last")
    return f


@pytest.fixture
def round2025(form, persona, demo_gov):
    # Issued on Monday 2026-01-05, due Tuesday 2026-01-20.
    return services.issue_round(persona("司法局协调员"), form, year=2025, due_date=dt.date(2026, 1, 20),
                                units=[demo_gov.units["YX-ZJJ"], demo_gov.units["YX-SCJG"]], on=dt.date(2026, 1, 5))


@pytest.fixture
def file_return(persona):
    """file_return(ret, values, operator, leader) → the return accepted by the coordinator."""
    def run(ret, values, operator, leader, *, accept=True):
        ret = services.save_values(persona(operator), ret, version=ret.version, raw=values)
        ret = services.submit(persona(operator), ret, version=ret.version, on=dt.date(2026, 1, 12))
        ret = services.approve(persona(leader), ret, version=ret.version, on=dt.date(2026, 1, 13))
        if accept:
            ret = services.accept(persona("司法局协调员"), ret, version=ret.version, on=dt.date(2026, 1, 14))
        return ret
    return run
