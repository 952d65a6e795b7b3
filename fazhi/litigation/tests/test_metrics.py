"""行政应诉 figures over several cases: counts, 败诉率, 负责人出庭应诉 and their drill-downs."""
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from fazhi.core import metrics
from fazhi.litigation import services

D = dt.date
Y2025 = metrics.Period.for_year(2025)
Y2024 = metrics.Period.for_year(2024)


def head(name, position):
    return dict(head_appeared=True, head_name=name, head_position=position)


def staff(reason="official_duty"):
    return dict(head_appeared=False, staff_name="法规科工作人员", absence_reason=reason)


def hearing(case, user, on, who):
    services.record_hearing(case, user, version=case.version, date=on, **who)
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(register, persona):
    """Six cases of 住建局, 市监局 and 青石街道 over 2024–2025 (see each line)."""
    zjj, scjg, qs = persona("住建局经办人"), persona("市监局经办人"), persona("青石街道经办人")
    out = {}
    # A — 住建局: the head appears; judgment 撤销 (lost), effective 2025-05-22.
    a = register("LIT-A", D(2025, 3, 1))
    a = hearing(a, zjj, D(2025, 4, 10), head("陈国栋", "principal"))
    a = services.record_result(a, zjj, version=a.version, result="revoked", result_kind="judgment",
                               served_on=D(2025, 5, 6))
    out["A"] = services.finalise(a, zjj, version=a.version, on=D(2025, 5, 22))
    # B — 住建局: two hearings, the head at the second only; judgment 驳回诉讼请求 (won).
    b = register("LIT-B", D(2025, 3, 5))
    b = hearing(b, zjj, D(2025, 4, 15), staff())
    b = hearing(b, zjj, D(2025, 5, 20), head("李副局长", "deputy"))
    b = services.record_result(b, zjj, version=b.version, result="upheld", result_kind="judgment",
                               served_on=D(2025, 6, 10))
    out["B"] = services.finalise(b, zjj, version=b.version, on=D(2025, 6, 26))
    # C — 市监局: a hearing without the head; the plaintiff withdraws (ruling).
    c = register("LIT-C", D(2025, 4, 1), unit="YX-SCJG", by="市监局经办人")
    c = hearing(c, scjg, D(2025, 5, 12), staff("accident"))
    c = services.record_result(c, scjg, version=c.version, result="withdrawn", result_kind="ruling",
                               served_on=D(2025, 6, 3))
    out["C"] = services.finalise(c, scjg, version=c.version, on=D(2025, 6, 16))
    # D — 青石街道: mediated without a hearing.
    d = register("LIT-D", D(2025, 6, 1), unit="YX-QS", by="青石街道经办人")
    out["D"] = services.record_result(d, qs, version=d.version, result="mediated", result_kind="mediation",
                                      served_on=D(2025, 7, 1))
    # E — 住建局: received in 2025, still open.
    out["E"] = register("LIT-E", D(2025, 10, 10))
    # F — 住建局: received and heard (head present) in 2024; 责令履行, appeal dismissed in 2025 (lost).
    f = register("LIT-F", D(2024, 11, 1))
    f = hearing(f, zjj, D(2024, 12, 10), head("陈国栋", "principal"))
    f = services.record_result(f, zjj, version=f.version, result="ordered_performance", result_kind="judgment",
                               served_on=D(2024, 12, 20))
    f = services.record_appeal(f, zjj, version=f.version, appellant="defendant", filed_on=D(2024, 12, 30))
    out["F"] = services.record_second_instance(f, zjj, version=f.version, outcome="dismissed", on=D(2025, 3, 10))
    return out


def ids(code, unit, period):
    return sorted(r["repr"].split("（")[0].split(" ")[0] for r in metrics.drilldown(code, unit, period).rows)


def test_given_six_cases_then_the_government_figures_for_2025_are_consistent(cases, demo_gov):
    gov = demo_gov.units["YX"]
    v = {code: metrics.value(code, gov, Y2025) for code in [
        "litigation.cases", "litigation.concluded", "litigation.lost", "litigation.loss_rate",
        "litigation.head_appearances", "litigation.head_appearance_rate"]}
    assert v == {"litigation.cases": 5, "litigation.concluded": 5, "litigation.lost": 2,
                 "litigation.loss_rate": 40.0, "litigation.head_appearances": 2,
                 "litigation.head_appearance_rate": 66.7}
    assert ids("litigation.cases", gov, Y2025) == ["LIT-A", "LIT-B", "LIT-C", "LIT-D", "LIT-E"]
    assert ids("litigation.concluded", gov, Y2025) == ["LIT-A", "LIT-B", "LIT-C", "LIT-D", "LIT-F"]
    assert ids("litigation.lost", gov, Y2025) == ids("litigation.loss_rate", gov, Y2025) == ["LIT-A", "LIT-F"]
    assert ids("litigation.head_appearances", gov, Y2025) == ["LIT-A", "LIT-B"]
    assert ids("litigation.head_appearance_rate", gov, Y2025) == ["LIT-A", "LIT-B"]


def test_given_six_cases_then_a_department_sees_only_its_own_subtree(cases, demo_gov):
    zjj = demo_gov.units["YX-ZJJ"]
    assert metrics.value("litigation.cases", zjj, Y2025) == 3
    assert metrics.value("litigation.loss_rate", zjj, Y2025) == 66.7  # A and F of A, B, F
    assert metrics.value("litigation.head_appearance_rate", zjj, Y2025) == 100.0
    scjg = demo_gov.units["YX-SCJG"]
    assert (metrics.value("litigation.loss_rate", scjg, Y2025),
            metrics.value("litigation.head_appearance_rate", scjg, Y2025)) == (0.0, 0.0)


def test_given_the_previous_year_then_figures_are_attributed_by_their_own_dates(cases, demo_gov):
    gov = demo_gov.units["YX"]
    assert metrics.value("litigation.cases", gov, Y2024) == 1
    assert metrics.value("litigation.concluded", gov, Y2024) == 0
    assert metrics.value("litigation.loss_rate", gov, Y2024) is None  # nothing concluded: no rate
    assert metrics.value("litigation.head_appearances", gov, Y2024) == 1
    assert metrics.value("litigation.head_appearance_rate", gov, Y2024) == 100.0


def test_given_the_cli_then_it_reports_the_same_figures(cases, demo_gov):
    out = io.StringIO()
    call_command("metrics", "--unit", "YX", "--year", "2025", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["litigation.loss_rate"]["value"] == 40.0
    assert data["litigation.head_appearance_rate"]["value"] == 66.7
    assert data["litigation.cases"]["value"] == 5


def test_given_the_registry_then_the_litigation_metrics_are_computed_by_this_module(db):
    for code in ["litigation.cases", "litigation.concluded", "litigation.lost", "litigation.loss_rate",
                 "litigation.head_appearances", "litigation.head_appearance_rate"]:
        m = metrics.get(code)
        assert (m.source, m.has_source, m.has_drilldown) == ("litigation", True, True)
        assert m.formula
