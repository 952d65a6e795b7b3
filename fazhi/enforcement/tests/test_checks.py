"""Each legal check of statutory-rules.md §5 on real dates across holidays (国庆 2024, 劳动节 2024)."""

from fazhi.core.workdays import get_calendar
from fazhi.enforcement import importer
from fazhi.enforcement.models import Case, Certificate, Problem

from .conftest import D, case_row

AS_OF = D(2025, 6, 30)


def _import(write_csv, *rows):
    result = importer.run_import(write_csv(list(rows)), as_of=AS_OF)
    assert result.rejected == 0, result.rejections
    return {c.case_number: c.problems for c in Case.objects.all()}


def test_given_the_national_day_holiday_when_a_penalty_is_published_on_the_7th_working_day_then_it_is_on_time(
        enf, write_csv):
    # 2024-09-27 (Fri) → working days 9/29 (调休), 9/30, 10/8, 10/9, 10/10, 10/11, 10/12 (调休).
    assert get_calendar().add_workdays(D(2024, 9, 27), 7) == D(2024, 10, 12)
    p = _import(write_csv,
                case_row(案件编号="ON", 立案日期="2024-09-01", 决定日期="2024-09-27", 公示日期="2024-10-12"),
                case_row(案件编号="LATE", 立案日期="2024-09-01", 决定日期="2024-09-27", 公示日期="2024-10-14"),
                case_row(案件编号="NONE", 立案日期="2024-09-01", 决定日期="2024-09-27", 公示日期=""))
    assert p["ON"] & Problem.PUBLICATION == 0
    assert p["LATE"] & Problem.PUBLICATION
    assert p["NONE"] & Problem.PUBLICATION  # never published and the limit ran out before AS_OF


def test_given_a_coercive_decision_when_published_within_20_working_days_then_it_is_on_time(enf, write_csv):
    due = get_calendar().add_workdays(D(2024, 9, 27), 20)
    assert due == D(2024, 10, 30)
    p = _import(write_csv,
                case_row(案件编号="C-ON", 执法类别="强制", 决定日期="2024-09-27", 公示日期="2024-10-30", 全过程音像记录="是"),
                case_row(案件编号="C-LATE", 执法类别="强制", 决定日期="2024-09-27", 公示日期="2024-10-31",
                         全过程音像记录="是"))
    assert p["C-ON"] & Problem.PUBLICATION == 0
    assert p["C-LATE"] & Problem.PUBLICATION


def test_given_may_day_when_a_revoked_decision_is_withdrawn_after_3_working_days_then_it_is_flagged(enf, write_csv):
    # Revoked 2024-04-30; 5/1–5/5 holiday → 5/6, 5/7, 5/8 (行政处罚法 第四十八条、第八十五条).
    assert get_calendar().add_workdays(D(2024, 4, 30), 3) == D(2024, 5, 8)
    p = _import(write_csv,
                case_row(案件编号="W-ON", 撤销日期="2024-04-30", 撤回公示日期="2024-05-08"),
                case_row(案件编号="W-LATE", 撤销日期="2024-04-30", 撤回公示日期="2024-05-09"))
    assert p["W-ON"] & Problem.WITHDRAWAL == 0
    assert p["W-LATE"] & Problem.WITHDRAWAL


def test_given_a_major_decision_when_legal_review_is_after_the_decision_then_it_is_flagged(enf, write_csv):
    p = _import(write_csv,
                case_row(案件编号="M-OK", 重大执法决定="是", 法制审核日期="2024-04-01", 告知听证="是"),
                case_row(案件编号="M-AFTER", 重大执法决定="是", 法制审核日期="2024-04-02", 告知听证="是"),
                case_row(案件编号="M-NONE", 重大执法决定="是", 告知听证="是"))
    assert p["M-OK"] & Problem.LEGAL_REVIEW == 0
    assert p["M-AFTER"] & Problem.LEGAL_REVIEW
    assert p["M-NONE"] & Problem.LEGAL_REVIEW


def test_given_90_days_ending_on_national_day_when_decided_on_the_next_working_day_then_it_is_in_time(
        enf, write_csv):
    # 立案 2024-07-03 + 90 days = 2024-10-01 (holiday) → the limit ends on 2024-10-08 (第六十条).
    p = _import(write_csv,
                case_row(案件编号="T-OK", 立案日期="2024-07-03", 决定日期="2024-10-08", 公示日期="2024-10-09"),
                case_row(案件编号="T-LATE", 立案日期="2024-07-03", 决定日期="2024-10-09", 公示日期="2024-10-09"))
    assert p["T-OK"] & Problem.DECISION_TIME == 0
    assert p["T-LATE"] & Problem.DECISION_TIME


def test_given_certificates_when_one_is_expired_revoked_or_missing_then_the_two_officer_rule_fails(enf, write_csv):
    Certificate.objects.filter(number="ZF0002").update(valid_to=D(2024, 3, 31))
    Certificate.objects.filter(number="ZF0003").update(status="revoked", status_since=D(2024, 4, 1))
    p = _import(write_csv,
                case_row(案件编号="O-OK", 执法证号1="ZF0001", 执法证号2="ZF0004"),
                case_row(案件编号="O-EXPIRED", 执法证号1="ZF0001", 执法证号2="ZF0002"),
                case_row(案件编号="O-REVOKED", 执法证号1="ZF0001", 执法证号2="ZF0003"),
                case_row(案件编号="O-BEFORE", 决定日期="2024-03-29", 公示日期="2024-04-01", 执法证号1="ZF0001",
                         执法证号2="ZF0002"),
                case_row(案件编号="O-ONE", 执法证号1="ZF0001", 执法证号2=""),
                case_row(案件编号="O-SAME", 执法证号1="ZF0001", 执法证号2="ZF0001"))
    assert p["O-OK"] & Problem.OFFICERS == 0
    assert p["O-BEFORE"] & Problem.OFFICERS == 0  # valid on that earlier date
    for n in ("O-EXPIRED", "O-REVOKED", "O-ONE", "O-SAME"):
        assert p[n] & Problem.OFFICERS, n


def test_given_article_63_when_a_large_fine_or_licence_revocation_has_no_hearing_notice_then_it_is_flagged(
        enf, write_csv):
    p = _import(write_csv,
                case_row(案件编号="H-PERSON", 罚没金额="20000"),
                case_row(案件编号="H-ORG", 当事人类型="法人或其他组织", 当事人="云溪某公司", 罚没金额="20000"),
                case_row(案件编号="H-REVOKE", 处罚种类="吊销许可证件", 罚没金额="0"),
                case_row(案件编号="H-OFFERED", 罚没金额="20000", 告知听证="是"))
    assert p["H-PERSON"] & Problem.HEARING
    assert p["H-ORG"] & Problem.HEARING == 0  # below the organisation threshold
    assert p["H-REVOKE"] & Problem.HEARING
    assert p["H-OFFERED"] & Problem.HEARING == 0


def test_given_a_coercive_measure_when_no_audio_video_record_exists_then_it_is_flagged(enf, write_csv):
    p = _import(write_csv,
                case_row(案件编号="R-NO", 执法类别="强制", 全过程音像记录="否"),
                case_row(案件编号="R-YES", 执法类别="强制", 全过程音像记录="是"),
                case_row(案件编号="R-PEN", 全过程音像记录="否"))
    assert p["R-NO"] & Problem.RECORD
    assert p["R-YES"] & Problem.RECORD == 0
    assert p["R-PEN"] & Problem.RECORD == 0  # not a step that must be recorded on video


def test_given_an_unpublished_decision_when_rechecked_later_then_the_limit_has_run_out(enf, write_csv):
    from fazhi.enforcement.checks import recheck, verify_stats

    importer.run_import(write_csv([case_row(案件编号="LATER", 决定日期="2024-09-27", 公示日期="")]),
                        as_of=D(2024, 10, 10))
    assert Case.objects.get().problems & Problem.PUBLICATION == 0  # 7 working days not yet over
    recheck(D(2024, 10, 14))
    assert Case.objects.get().problems & Problem.PUBLICATION
    assert verify_stats() == []
