"""Every outcome's effect on the figures, the 纠错率 formula switch, drill-down, and `fazhi metrics --json`."""
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.http import Http404

from fazhi.core import metrics
from fazhi.core.procedure import GuardFailed, TransitionNotAllowed
from fazhi.reconsideration import services
from fazhi.reconsideration.metrics import FORMULAS

D = dt.date
Y2025 = metrics.Period.for_year(2025)

DECISIONS = ["altered", "revoked", "revoked_redo", "confirmed_illegal", "ordered_performance", "confirmed_void",
             "upheld", "dismissed_request", "dismissed_application"]


def conclude(case, staff, how, on):
    v = case.version
    if how in DECISIONS:
        return services.do_decide(case, staff, version=v, on=on, outcome=how, reason="经审理查明……")
    if how == "mediated":
        return services.do_mediate(case, staff, version=v, on=on, summary="双方同意……")
    if how == "settled_withdrawn":
        return services.do_withdraw(case, staff, version=v, on=on, settled=True, reason="已和解")
    if how == "withdrawn":
        return services.do_withdraw(case, staff, version=v, on=on, reason="申请人主动撤回")
    return services.do_terminate(case, staff, version=v, on=on, ground="4", reason="申请人被采取刑事强制措施")


@pytest.fixture
def year_of_cases(accepted, register, persona):
    """One case per outcome concluded in 2025, one refused, one pending, one concluded in 2024, one late."""
    staff = persona("复议专员")
    outcomes = DECISIONS + ["mediated", "settled_withdrawn", "withdrawn", "terminated"]
    cases = {}
    for i, how in enumerate(outcomes):
        case = accepted(D(2025, 3, 3), D(2025, 3, 5))
        cases[how] = conclude(case, staff, how, D(2025, 4, 1) + dt.timedelta(days=i))
    # Concluded after the trial period (60 days from 2025-03-05 → 2025-05-06): not on time.
    late = accepted(D(2025, 3, 3), D(2025, 3, 5))
    cases["late_upheld"] = conclude(late, staff, "upheld", D(2025, 5, 7))
    refused, _ = register(D(2025, 6, 2))
    cases["refused"] = services.do_refuse(refused, staff, version=refused.version, on=D(2025, 6, 3), reason="不属于行政复议范围")
    cases["pending"] = accepted(D(2025, 11, 3), D(2025, 11, 4))
    old = accepted(D(2024, 10, 8), D(2024, 10, 9))
    cases["old_revoked"] = conclude(old, staff, "revoked", D(2024, 11, 20))
    return cases


def v(code, unit, period=Y2025):
    return metrics.value(f"reconsideration.{code}", unit, period)


def test_given_one_case_per_outcome_then_every_figure_counts_its_cases(year_of_cases, demo_gov):
    yx = demo_gov.units["YX"]
    assert v("received", yx) == 16 and v("accepted", yx) == 15 and v("refused", yx) == 1
    assert v("concluded", yx) == 14
    expected = {"upheld": 2, "dismissed": 2, "revoked": 2, "altered": 1, "confirmed_illegal": 1, "confirmed_void": 1,
                "ordered_performance": 1, "mediated": 2, "withdrawn": 2, "terminated": 3}
    assert {code: v(code, yx) for code in expected} == expected
    # Default 口径 direct.v1: 撤销 2 + 变更 1 + 确认违法 1 + 确认无效 1 + 责令履行 1 = 6 of 14 审结.
    assert v("corrected", yx) == 6 and v("correction_rate", yx) == round(6 * 100 / 14, 1)
    assert v("on_time_rate", yx) == round(13 * 100 / 14, 1)
    # The previous year is its own: one revocation of one concluded case.
    y2024 = metrics.Period.for_year(2024)
    assert (v("concluded", yx, y2024), v("corrected", yx, y2024), v("correction_rate", yx, y2024)) == (1, 1, 100.0)


def test_given_each_outcome_then_the_drilldown_lists_exactly_its_cases(year_of_cases, demo_gov):
    yx = demo_gov.units["YX"]
    drill = metrics.drilldown("reconsideration.confirmed_void", yx, Y2025)
    assert [r["id"] for r in drill.rows] == [year_of_cases["confirmed_void"].pk]
    assert drill.rows[0]["link"] == f"/reconsideration/{year_of_cases['confirmed_void'].pk}/"
    assert "李建华" not in drill.rows[0]["repr"]  # no personal data in drill-downs
    corrected = {r["id"] for r in metrics.drilldown("reconsideration.corrected", yx, Y2025).rows}
    assert corrected == {year_of_cases[k].pk for k in ("altered", "revoked", "revoked_redo", "confirmed_illegal",
                                                       "ordered_performance", "confirmed_void")}
    late = metrics.drilldown("reconsideration.on_time_rate", yx, Y2025).rows
    assert any("超过审理期限" in r["repr"] for r in late)


def test_given_the_government_switches_the_correction_formula_then_rate_and_numerator_follow(year_of_cases, demo_gov, persona):
    yx = demo_gov.units["YX"]
    office = services.office_of(yx)
    services.do_set_correction_formula(office, persona("司法局协调员"), "decided.v1")
    # 6 corrective of the 10 cases closed by decision (调解、撤回、终止 excluded from the denominator).
    assert v("corrected", yx) == 6 and v("correction_rate", yx) == 60.0
    services.do_set_correction_formula(office, persona("司法局协调员"), "narrow.v1")
    assert v("corrected", yx) == 4 and v("correction_rate", yx) == round(4 * 100 / 14, 1)
    with pytest.raises(GuardFailed, match="法治协调员"):
        services.do_set_correction_formula(office, persona("人大监督员"), "direct.v1")
    with pytest.raises(Http404):
        services.do_set_correction_formula(office, persona("住建局经办人"), "direct.v1")
    assert services.office_of(yx).correction_formula == "narrow.v1"
    assert set(FORMULAS) == {"direct.v1", "decided.v1", "narrow.v1"}


def test_given_the_cases_in_the_database_then_fazhi_metrics_json_reports_the_same_figures(year_of_cases, demo_gov):
    out = io.StringIO()
    call_command("metrics", "--unit", "YX", "--year", "2025", "--json", stdout=out)
    data = json.loads(out.getvalue())
    yx = demo_gov.units["YX"]
    from fazhi.reconsideration.models import Case

    cases = Case.objects.filter(unit__in=yx.subtree())
    assert data["reconsideration.received"]["value"] == cases.filter(received_on__year=2025).count() == 16
    concluded = cases.filter(concluded_on__year=2025)
    assert data["reconsideration.concluded"]["value"] == concluded.count() == 14
    for code in ("upheld", "revoked", "corrected", "mediated", "withdrawn", "terminated", "confirmed_void"):
        assert data[f"reconsideration.{code}"]["value"] == metrics.value(f"reconsideration.{code}", yx, Y2025)
    assert data["reconsideration.correction_rate"] == {"label": "行政复议纠错率", "unit": "%", "value": 42.9}


def test_given_a_case_under_review_then_deciding_it_is_refused_with_a_chinese_message(register, persona):
    case, _ = register(D(2025, 9, 1))
    with pytest.raises(TransitionNotAllowed) as exc:
        services.do_decide(case, persona("复议专员"), version=case.version, on=D(2025, 9, 2), outcome="revoked")
    assert "当前状态为“受理审查中”，不能执行“作出行政复议决定”" in exc.value.message
    assert "此状态下可执行" in exc.value.message
    case.refresh_from_db()
    assert (case.state, case.outcome, case.version) == ("received", "", 1)


def test_given_a_decision_then_service_closes_the_case(accepted, persona):
    staff = persona("复议专员")
    case = accepted(D(2025, 9, 1), D(2025, 9, 2))
    case = services.do_decide(case, staff, version=case.version, on=D(2025, 10, 20), outcome="revoked_redo")
    with pytest.raises(GuardFailed, match="送达日期不能早于结案日期"):
        services.do_serve(case, staff, version=case.version, on=D(2025, 10, 19))
    case = services.do_serve(case, staff, version=case.version, on=D(2025, 10, 22))
    assert (case.state, case.served_on) == ("closed", D(2025, 10, 22))


def test_given_an_opinion_letter_then_its_60_day_report_back_clock_runs_and_stops_on_the_reply(accepted, persona, demo_gov):
    from fazhi.core import clocks

    staff = persona("复议专员")
    case = accepted(D(2025, 9, 1), D(2025, 9, 2))
    letter = services.do_issue_opinion(case, staff, on=D(2025, 9, 30), recipient=demo_gov.units["YX-ZJJ"],
                                       content="建议规范违法建设查处程序。")
    assert clocks.clock_of(letter, "reply").due_date == D(2025, 12, 1)  # 9-30 + 60 = 11-29 (Saturday) → 12-1
    letter = services.do_record_opinion_reply(letter, staff, version=letter.version, on=D(2025, 11, 20),
                                              text="已组织专项整改。")
    assert letter.state == "answered" and clocks.clock_of(letter, "reply").status == "stopped"
