"""Metrics against hand-computed values; roll-ups equal recomputation; sampling and scoring; opinions."""

import pytest
from django.http import Http404

from fazhi.core import clocks, metrics
from fazhi.core.metrics import Period
from fazhi.core.procedure import GuardFailed, RoleDenied
from fazhi.enforcement import checks, importer, services
from fazhi.enforcement.models import Case, Opinion

from .conftest import D, case_row

AS_OF = D(2025, 6, 30)


@pytest.fixture
def fixture_cases(enf, write_csv):
    rows = [
        case_row(案件编号="P1", 罚没金额="500"),                                       # on time, ok
        case_row(案件编号="P2", 罚没金额="1500", 公示日期="2024-04-30"),               # published late
        case_row(案件编号="P3", 罚没金额="0", 重大执法决定="是", 法制审核日期="2024-03-30",
                 适用清单事项="BCF-001"),                                               # major, reviewed
        case_row(案件编号="P4", 罚没金额="200", 重大执法决定="是", 法制审核日期=""),    # major, not reviewed
        case_row(案件编号="I1", 执法类别="检查", 决定日期="", 公示日期="", 立案日期="2024-05-06"),
        case_row(案件编号="I2", 执法类别="检查", 决定日期="", 公示日期="", 立案日期="2024-06-06"),
        case_row(案件编号="C1", 执法类别="强制", 全过程音像记录="否"),                  # record missing
        case_row(案件编号="S1", 单位代码="YX-SCJG", 执法主体代码="SCJG", 执法证号1="ZF0003", 执法证号2="ZF0004",
                 罚没金额="3000"),
        case_row(案件编号="OLD", 决定日期="2023-04-01", 立案日期="2023-03-01", 公示日期="2023-04-03"),
    ]
    importer.run_import(write_csv(rows), as_of=AS_OF)


def test_given_a_small_fixture_when_metrics_are_computed_then_they_equal_the_hand_counts(fixture_cases, demo_gov):
    gov, zjj = demo_gov.units["YX"], demo_gov.units["YX-ZJJ"]
    y = Period.for_year(2024)
    assert metrics.value("enforcement.penalties", gov, y) == 5
    assert metrics.value("enforcement.penalties", zjj, y) == 4
    assert metrics.value("enforcement.inspections", gov, y) == 2
    assert metrics.value("enforcement.coercions", gov, y) == 1
    assert metrics.value("enforcement.fines_total", gov, y) == 500 + 1500 + 0 + 200 + 3000
    # decisions 6 (5 penalties + 1 coercion), P2 late → 5/6
    assert metrics.value("enforcement.publication_on_time_rate", gov, y) == round(5 * 100 / 6, 1)
    assert metrics.value("enforcement.major_review_rate", gov, y) == 50.0
    assert metrics.value("enforcement.record_complete_rate", gov, y) == 0.0
    assert metrics.value("enforcement.lenient_cases", gov, y) == 1
    assert metrics.value("enforcement.officers_certified", gov, y) == 4
    assert metrics.value("enforcement.bodies", zjj, y) == 1
    # The same figure for a non-year period comes from the raw rows with the same formula.
    assert metrics.value("enforcement.penalties", gov, Period.between("2024-01-01", "2024-06-30")) == 5
    assert metrics.value("enforcement.penalties", gov, Period.for_year(2023)) == 1
    drill = metrics.drilldown("enforcement.major_review_rate", gov, y)
    assert sorted(r["repr"].split()[0] for r in drill.rows) == ["P3", "P4"]
    assert checks.verify_stats() == []


def test_given_rows_moved_between_units_and_years_when_reimported_then_rollups_equal_recomputation(
        fixture_cases, write_csv):
    importer.run_import(write_csv([case_row(案件编号="P1", 单位代码="YX-SCJG", 执法主体代码="SCJG",
                                            决定日期="2023-05-05", 立案日期="2023-05-01", 公示日期="2023-05-06")]),
                        as_of=AS_OF)
    assert checks.verify_stats() == []


def test_given_tampered_rollups_when_verified_then_the_difference_is_reported(fixture_cases):
    from fazhi.enforcement.models import UnitYearStat

    UnitYearStat.objects.filter(kind="penalty").update(cases=99)
    assert checks.verify_stats()


def _frame_and_sheet(demo_gov):
    return services.ensure_default_sheet()


def test_given_the_same_seed_and_population_when_redrawn_then_the_sample_is_identical(fixture_cases, demo_gov,
                                                                                     persona):
    sheet = services.ensure_default_sheet()
    run = services.create_sampling(persona("司法局协调员"), unit=demo_gov.units["YX"], title="2024年评查",
                                   start=D(2024, 1, 1), end=D(2024, 12, 31), kinds=["penalty"], per_stratum=2,
                                   sheet=sheet, seed="seed-42")
    drawn = sorted(run.files.values_list("case_id", flat=True))
    assert len(drawn) == 3  # 2 of 住建局's 4 penalties + 1 of 市监局's 1
    same, again = services.redraw(run)
    assert same and again == drawn
    Case.objects.filter(case_number="P1").update(row_hash="changed")
    same, _ = services.redraw(run)
    assert not same  # the population snapshot's hash shows the frame changed


def test_given_a_veto_item_when_scoring_then_the_file_fails_whatever_the_points(fixture_cases, demo_gov, persona):
    sheet = services.ensure_default_sheet()
    assert services.score_sheet(sheet, {"C1": 5}, []) == (95, "优秀")
    assert services.score_sheet(sheet, {"C1": 20, "D1": 12}, []) == (68, "不合格")
    assert services.score_sheet(sheet, {}, ["A2"]) == (0, "不合格")
    with pytest.raises(Exception, match="不是一票否决项"):
        services.score_sheet(sheet, {}, ["C1"])


def test_given_an_evaluator_of_the_reviewed_unit_when_assigned_then_it_is_refused(fixture_cases, demo_gov, persona):
    sheet = services.ensure_default_sheet()
    run = services.create_sampling(persona("司法局协调员"), unit=demo_gov.units["YX"], title="评查",
                                   start=D(2024, 1, 1), end=D(2024, 12, 31), kinds=["penalty"], per_stratum=5,
                                   sheet=sheet, seed="s")
    f = run.files.get(case__case_number="P1")
    with pytest.raises(GuardFailed, match="回避"):
        services.assign_evaluator(persona("司法局协调员"), f, persona("住建局经办人"))
    services.assign_evaluator(persona("司法局协调员"), f, persona("法律顾问"))
    f.refresh_from_db()
    scored = services.record_score(persona("法律顾问"), f, version=f.version, deductions={"F1": 3}, vetoed=[],
                                   on=D(2025, 3, 1))
    assert (scored.score, scored.grade) == (97, "优秀")
    assert metrics.value("enforcement.files_reviewed", demo_gov.units["YX"], Period.for_year(2025)) == 1


def test_given_an_opinion_when_issued_then_the_reply_clock_rolls_past_national_day_and_stops_on_reply(
        demo_gov, persona):
    op = services.issue_opinion(persona("司法局协调员"), unit=demo_gov.units["YX-ZJJ"],
                                issued_by=demo_gov.units["YX-SFJ"], number="云司执监〔2024〕1号",
                                subject="公示逾期", content="请整改。", issued_on=D(2024, 9, 1))
    clock = clocks.clock_of(op, "reply")
    assert clock.due_date == D(2024, 10, 8)  # 30 days → 10-01 (国庆) → next working day
    with pytest.raises(Http404):  # another unit's opinion does not exist for its operator
        services.reply_opinion(persona("市监局经办人"), op, version=op.version, reply="x", on=D(2024, 9, 20))
    op = services.reply_opinion(persona("住建局经办人"), op, version=op.version, reply="已整改", on=D(2024, 9, 20))
    assert op.state == "replied" and clocks.clock_of(op, "reply").status == "stopped"
    assert metrics.value("enforcement.opinion_reply_rate", demo_gov.units["YX"], Period.for_year(2024)) == 100.0
    assert metrics.value("enforcement.supervision_opinions", demo_gov.units["YX"], Period.for_year(2024)) == 1


def test_given_an_operator_when_issuing_an_opinion_then_it_is_refused(demo_gov, persona):
    with pytest.raises(RoleDenied):
        services.issue_opinion(persona("住建局经办人"), unit=demo_gov.units["YX-ZJJ"],
                               issued_by=demo_gov.units["YX-ZJJ"], number="x", subject="x", content="x",
                               issued_on=D(2024, 9, 1))
    assert Opinion.objects.count() == 0
