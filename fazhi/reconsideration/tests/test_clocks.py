"""Every clock of a case, with real dates of the Chinese calendar (National Day 2025, Spring Festival 2024).

《行政复议法》第八十八条: 五日、七日、十日 are working days; 30 and 60 days are calendar days that end on
the next working day when they fall on a rest day. Make-up working weekends (调休) count.
"""
import datetime as dt

import pytest

from fazhi.core import clocks
from fazhi.core.models import AuditRecord
from fazhi.core.procedure import GuardFailed
from fazhi.reconsideration import services

D = dt.date


def due(case, name):
    return clocks.clock_of(case, name).due_date


def test_given_an_application_on_the_make_up_sunday_before_national_day_then_review_ends_on_the_make_up_saturday(register):
    case, _ = register(D(2025, 9, 28))  # 2025-09-28 is a Sunday worked in exchange (调休上班)
    # 9-29, 9-30, then 10-1…10-8 off, 10-9, 10-10, 10-11 (Saturday worked in exchange): the 5th working day.
    assert due(case, "acceptance") == D(2025, 10, 11)
    assert case.state == "received" and case.rules_date == D(2025, 9, 28)


def test_given_an_application_on_the_eve_of_national_day_then_review_ends_five_working_days_after_the_holiday(register):
    case, _ = register(D(2025, 9, 30))
    assert due(case, "acceptance") == D(2025, 10, 14)


def test_given_an_application_just_before_spring_festival_2024_then_review_skips_the_holiday_and_counts_the_make_up_sunday(register):
    case, _ = register(D(2024, 2, 8))
    # 2-9 (Friday, 除夕, a working day in 2024) is the 1st; 2-10 … 2-17 off; 2-18 (Sunday, 调休上班) the 2nd;
    # 2-19, 2-20, 2-21 the 3rd to 5th.
    assert due(case, "acceptance") == D(2024, 2, 21)


def test_given_acceptance_on_the_eve_of_national_day_then_copy_reply_and_trial_clocks_follow_article_48_and_62(accepted, persona):
    case = accepted(D(2025, 9, 26), D(2025, 9, 30))
    assert due(case, "copy") == D(2025, 10, 16)  # 7 working days (第四十八条)
    assert due(case, "trial") == D(2025, 12, 1)  # 60 days: 11-29 is a Saturday → Monday
    case = services.do_send_copy(case, persona("复议专员"), version=case.version, on=D(2025, 9, 30))
    assert clocks.clock_of(case, "copy").status == "stopped"
    assert due(case, "reply") == D(2025, 10, 21)  # 10 working days from receipt of the copy


def test_given_a_sixty_day_trial_period_ending_on_a_saturday_then_it_ends_on_the_next_working_day(accepted):
    case = accepted(D(2025, 9, 26), D(2025, 9, 30))
    # 2025-09-30 + 60 days = 2025-11-29, a Saturday → Monday 2025-12-01 (民事诉讼法 期间 rule via 第八十八条).
    assert due(case, "trial") == D(2025, 12, 1)


def test_given_the_simplified_procedure_then_copy_3_reply_5_working_days_and_trial_30_days(accepted, persona):
    case = accepted(D(2025, 9, 26), D(2025, 9, 30), procedure_type="simplified", simplified_ground="warning")
    assert due(case, "copy") == D(2025, 10, 11)  # 3 working days: 10-9, 10-10, 10-11 (调休)
    assert due(case, "trial") == D(2025, 10, 30)  # 30 days (第六十二条第二款)
    case = services.do_send_copy(case, persona("复议专员"), version=case.version, on=D(2025, 10, 9))
    assert due(case, "reply") == D(2025, 10, 15)  # 5 working days (第五十四条): 10-10, 10-11 (调休) … 10-15


def test_given_an_amount_over_3000_then_the_simplified_procedure_is_refused_citing_article_53(register, persona):
    case, _ = register(D(2025, 9, 1))
    with pytest.raises(GuardFailed, match="第五十三条"):
        services.do_accept(case, persona("复议专员"), version=case.version, on=D(2025, 9, 2),
                           procedure_type="simplified", simplified_ground="amount", amount="3000.01")
    case.refresh_from_db()
    assert case.state == "received" and case.number is None


def test_given_acceptance_then_a_case_number_in_the_gbt9704_form_is_issued(accepted):
    first = accepted(D(2025, 9, 1), D(2025, 9, 2))
    second = accepted(D(2025, 9, 1), D(2025, 9, 3))
    assert (first.number, second.number) == ("云府复〔2025〕1号", "云府复〔2025〕2号")


# --- 视为受理 (第三十条第二款) --------------------------------------------------------------------
def test_given_no_decision_within_the_review_period_then_tick_records_deemed_acceptance_on_the_expiry_date(register):
    case, _ = register(D(2025, 9, 30))
    assert services.tick(D(2025, 10, 14)) == {"deemed_accepted": [], "reply_missing": [], "suspension_expired": []}
    case.refresh_from_db()
    assert case.state == "received"  # the last day of the period still belongs to the office

    done = services.tick(D(2025, 10, 15))
    case.refresh_from_db()
    assert done["deemed_accepted"] == [case.number]
    assert (case.state, case.accepted_on, case.acceptance_kind) == ("trial", D(2025, 10, 14), "deemed")
    assert "第三十条第二款" in case.acceptance_note and "2025-10-14" in case.acceptance_note
    rec = AuditRecord.objects.get(action="transition.deem_accepted", object_id=str(case.pk))
    assert rec.actor_id is None and rec.actor_name == "系统" and "第三十条第二款" in rec.changes["reason"]
    assert clocks.clock_of(case, "acceptance").stopped_on == D(2025, 10, 14)
    assert due(case, "trial") == D(2025, 12, 15)  # 10-14 + 60 = 12-13 (Saturday) → Monday
    assert due(case, "copy") == D(2025, 10, 23)

    version = case.version
    services.tick(D(2025, 10, 16))  # idempotent
    case.refresh_from_db()
    assert case.version == version
    assert AuditRecord.objects.filter(action="transition.deem_accepted").count() == 1


def test_given_the_review_period_expired_then_accepting_or_refusing_by_hand_is_refused_with_the_legal_ground(register, persona):
    case, _ = register(D(2025, 9, 30))
    for call in (lambda: services.do_accept(case, persona("复议专员"), version=1, on=D(2025, 10, 15)),
                 lambda: services.do_refuse(case, persona("复议专员"), version=1, on=D(2025, 10, 15), reason="超过申请期限")):
        with pytest.raises(GuardFailed, match="视为受理"):
            call()
    # … and the coordinator records it instead (same result as tick).
    case = services.do_deem_accepted(case, persona("复议专员"), version=1, today=D(2025, 10, 15))
    assert (case.state, case.accepted_on, case.acceptance_kind) == ("trial", D(2025, 10, 14), "deemed")


def test_given_the_review_period_running_then_deemed_acceptance_by_hand_is_refused(register, persona):
    case, _ = register(D(2025, 9, 30))
    with pytest.raises(GuardFailed, match="尚未届满"):
        services.do_deem_accepted(case, persona("复议专员"), version=1, today=D(2025, 10, 14))


# --- 补正 (第三十一条) ---------------------------------------------------------------------------
def test_given_a_correction_notice_then_the_applicant_has_10_working_days_and_the_corrected_application_restarts_review(register, persona):
    staff = persona("复议专员")
    case, _ = register(D(2025, 9, 26))
    case = services.do_request_correction(case, staff, version=case.version, on=D(2025, 9, 30),
                                          items="请补充提交被申请复议的行政处罚决定书复印件。")
    assert case.state == "correction"
    assert clocks.clock_of(case, "acceptance").status == "stopped"
    assert due(case, "correction") == D(2025, 10, 21)

    case = services.do_receive_correction(case, staff, version=case.version, on=D(2025, 10, 20))
    assert case.state == "received"
    # A fresh 5 working days from the day the corrected application arrived; the first round is kept.
    assert due(case, "acceptance") == D(2025, 10, 27)
    # The first round (from Friday 9-26): 9-28 (调休 Sunday), 9-29, 9-30, 10-9, 10-10.
    assert clocks.clock_of(case, "acceptance#1").due_date == D(2025, 10, 10)
    assert case.corrections.get().received_on == D(2025, 10, 20)

    with pytest.raises(GuardFailed, match="一次性载明"):
        services.do_request_correction(case, staff, version=case.version, on=D(2025, 10, 21), items="再补")


def test_given_a_reasoned_extension_of_the_correction_period_then_it_grows_and_abandonment_waits(register, persona):
    staff = persona("复议专员")
    case, _ = register(D(2025, 9, 26))
    case = services.do_request_correction(case, staff, version=case.version, on=D(2025, 9, 30), items="补充身份证明")
    case = services.do_extend_correction(case, staff, version=case.version, on=D(2025, 10, 20), days=5,
                                         reason="申请人住院治疗，无法按期补正")
    assert due(case, "correction") == D(2025, 10, 28)
    with pytest.raises(GuardFailed, match="补正期限尚未届满"):
        services.do_abandon(case, staff, version=case.version, on=D(2025, 10, 28))
    case = services.do_abandon(case, staff, version=case.version, on=D(2025, 10, 29))
    assert case.state == "abandoned"


# --- 延长审理期限 (第六十二条第一款) ---------------------------------------------------------------
def test_given_an_extension_approved_by_the_office_head_then_the_trial_period_grows_once_by_at_most_30_days(accepted, persona):
    staff, head = persona("复议专员"), persona("司法局负责人")
    case = accepted(D(2025, 8, 1), D(2025, 8, 4))
    assert due(case, "trial") == D(2025, 10, 9)  # 8-4 + 60 = 10-3, National Day → 10-9
    with pytest.raises(GuardFailed, match="最多不超过三十日"):
        services.do_extend(case, staff, version=case.version, on=D(2025, 9, 30), days=31, approver=head,
                           notice_on=D(2025, 9, 30), reason="案情复杂，需要现场勘验")
    with pytest.raises(GuardFailed, match="负责人批准"):
        services.do_extend(case, staff, version=case.version, on=D(2025, 9, 30), days=30, approver=staff,
                           notice_on=D(2025, 9, 30), reason="案情复杂，需要现场勘验")
    case = services.do_extend(case, staff, version=case.version, on=D(2025, 9, 30), days=30, approver=head,
                              notice_on=D(2025, 10, 9), reason="案情复杂，需要现场勘验")
    assert due(case, "trial") == D(2025, 11, 3)  # 8-4 + 90 = 11-2 (Sunday) → 11-3
    ext = case.extensions.get()
    assert (ext.days, ext.approver, ext.notice_on) == (30, head, D(2025, 10, 9))
    event = clocks.clock_of(case, "trial").events.get(kind="extend")
    assert event.approver == str(head) and event.amount == 30
    with pytest.raises(GuardFailed, match="只能延长一次"):
        services.do_extend(case, staff, version=case.version, on=D(2025, 10, 10), days=1, approver=head,
                           notice_on=D(2025, 10, 10), reason="再延")


def test_given_a_simplified_case_then_extension_is_refused(accepted, persona):
    case = accepted(D(2025, 9, 1), D(2025, 9, 2), procedure_type="simplified", simplified_ground="disclosure")
    with pytest.raises(GuardFailed, match="普通程序"):
        services.do_extend(case, persona("复议专员"), version=case.version, on=D(2025, 9, 10), days=10,
                           approver=persona("司法局负责人"), notice_on=D(2025, 9, 10), reason="复杂")


# --- 中止 (第三十九条) and 第四十一条第五项 ------------------------------------------------------------
def test_given_a_suspension_then_the_trial_clock_pauses_and_resumption_carries_the_unused_days(accepted, persona):
    staff = persona("复议专员")
    case = accepted(D(2025, 8, 29), D(2025, 9, 1))
    assert due(case, "trial") == D(2025, 10, 31)
    case = services.do_suspend(case, staff, version=case.version, on=D(2025, 9, 10), ground="8",
                               reason="等待相关民事案件判决")
    trial = clocks.clock_of(case, "trial")
    assert (case.state, trial.status, trial.due_date) == ("suspended", "paused", None)
    assert clocks.clock_of(case, "suspension") is None  # ground (八) does not lead to termination
    case = services.do_resume(case, staff, version=case.version, on=D(2025, 9, 20))
    # 8 days used (9-2 … 9-9); 9-10 … 9-20 do not count; 52 days from 9-20 → 11-11.
    assert due(case, "trial") == D(2025, 11, 11)
    assert case.suspensions.get().to_on == D(2025, 9, 20)


def test_given_sixty_days_of_suspension_on_ground_1_then_tick_flags_termination_and_termination_becomes_possible(accepted, persona):
    staff = persona("复议专员")
    case = accepted(D(2025, 8, 29), D(2025, 9, 1))
    case = services.do_suspend(case, staff, version=case.version, on=D(2025, 9, 10), ground="1",
                               reason="申请人死亡，近亲属尚未确定是否参加")
    assert due(case, "suspension") == D(2025, 11, 10)  # 9-10 + 60 = 11-9 (Sunday) → 11-10
    services.tick(D(2025, 11, 9))
    case.refresh_from_db()
    assert not case.suspension_flag
    with pytest.raises(GuardFailed, match="中止尚未满六十日"):
        services.do_terminate(case, staff, version=case.version, on=D(2025, 11, 9), ground="5")
    services.tick(D(2025, 11, 10))
    case.refresh_from_db()
    assert case.suspension_flag and "第四十一条第五项" in case.suspension_note
    case = services.do_terminate(case, staff, version=case.version, on=D(2025, 11, 10), ground="5")
    assert (case.state, case.outcome, case.concluded_on) == ("decided", "terminated", D(2025, 11, 10))
    assert "第三十九条第一款第一项" in case.termination_ground
    assert clocks.clock_of(case, "trial").status == "stopped"
    assert case.concluded_on_time is True  # the suspension did not use the trial period


# --- 简易程序转为普通程序 (第五十五条) -----------------------------------------------------------------
def _simplified_then_converted(accepted, persona):
    staff = persona("复议专员")
    case = accepted(D(2025, 9, 4), D(2025, 9, 5), procedure_type="simplified", simplified_ground="warning")
    assert due(case, "trial") == D(2025, 10, 9)  # 9-5 + 30 = 10-5, National Day → 10-9
    case = services.do_suspend(case, staff, version=case.version, on=D(2025, 9, 10), ground="6")
    case = services.do_resume(case, staff, version=case.version, on=D(2025, 9, 14))
    return services.do_convert(case, staff, version=case.version, on=D(2025, 9, 20),
                               approver=persona("司法局负责人"), reason="案情复杂，不宜适用简易程序")


def test_given_conversion_counted_from_acceptance_then_sixty_days_run_from_acceptance_without_the_suspension(accepted, persona, settings):
    settings.FAZHI_RECONSIDERATION_CONVERSION_CLOCK = "from_acceptance"
    case = _simplified_then_converted(accepted, persona)
    assert (case.procedure_type, case.converted_on) == ("ordinary", D(2025, 9, 20))
    trial = clocks.clock_of(case, "trial")
    assert trial.rule.code == "reconsideration.trial" and trial.started_on == D(2025, 9, 5)
    # 4 days used before 9-10; 9-10 … 9-14 do not count; 56 days from 9-14 → 11-9 (Sunday) → 11-10.
    assert trial.due_date == D(2025, 11, 10)
    assert clocks.clock_of(case, "trial#1").rule.code == "reconsideration.trial_simplified"
    assert case.conversions.get().clock_mode == "from_acceptance"


def test_given_conversion_counted_from_conversion_then_sixty_days_run_from_the_conversion(accepted, persona, settings):
    settings.FAZHI_RECONSIDERATION_CONVERSION_CLOCK = "from_conversion"
    case = _simplified_then_converted(accepted, persona)
    trial = clocks.clock_of(case, "trial")
    assert trial.started_on == D(2025, 9, 20) and trial.due_date == D(2025, 11, 19)
    assert case.conversions.get().clock_mode == "from_conversion"


def test_given_conversion_without_the_office_heads_approval_then_it_is_refused(accepted, persona):
    case = accepted(D(2025, 9, 4), D(2025, 9, 5), procedure_type="simplified", simplified_ground="warning")
    with pytest.raises(GuardFailed, match="负责人批准"):
        services.do_convert(case, persona("复议专员"), version=case.version, on=D(2025, 9, 20),
                            approver=persona("复议专员"))
    case.refresh_from_db()
    assert case.procedure_type == "simplified"


# --- 听证通知 (第五十一条) ------------------------------------------------------------------------
def test_given_a_hearing_after_national_day_then_notice_must_be_given_five_working_days_before(accepted, persona):
    staff = persona("复议专员")
    case = accepted(D(2025, 9, 1), D(2025, 9, 2))
    assert services.latest_hearing_notice(D(2025, 10, 13)) == D(2025, 9, 29)
    with pytest.raises(GuardFailed, match="最迟应于 2025-09-29 发出"):
        services.do_schedule_hearing(case, staff, version=case.version, held_on=D(2025, 10, 13),
                                     notice_on=D(2025, 9, 30))
    hearing = services.do_schedule_hearing(case, staff, version=case.version, held_on=D(2025, 10, 13),
                                           notice_on=D(2025, 9, 29), place="区司法局听证室", presider="何佳宁")
    assert hearing.case_id == case.pk
    case.refresh_from_db()
    services.do_record_hearing(case, staff, version=case.version, hearing_id=hearing.pk,
                               transcript="申请人陈述……被申请人答辩……", respondent_head_attended=True)
    hearing.refresh_from_db()
    assert hearing.transcript.startswith("申请人陈述") and hearing.respondent_head_attended is True


# --- 第二十条: late applications are flagged, never refused -----------------------------------------
def test_given_the_sixty_day_application_period_ending_on_a_weekend_then_monday_is_in_time_and_tuesday_is_flagged(register):
    # Known on 2025-07-01: + 60 days = 2025-08-30, a Saturday → the period ends on Monday 2025-09-01.
    in_time, _ = register(D(2025, 9, 1), act_known_on=D(2025, 7, 1))
    late, _ = register(D(2025, 9, 2), act_known_on=D(2025, 7, 1))
    assert not in_time.late_flag
    assert late.late_flag and "2025-09-01 届满" in late.late_reason and "第二十条" in late.late_reason
    assert late.state == "received"  # flagged for the reviewer, not refused


# --- 第七十条: a missing reply is flagged with its consequence --------------------------------------
def test_given_no_reply_within_10_working_days_then_tick_flags_the_article_70_consequence(accepted, persona):
    case = accepted(D(2025, 9, 26), D(2025, 9, 30))
    case = services.do_send_copy(case, persona("复议专员"), version=case.version, on=D(2025, 9, 30))
    services.tick(D(2025, 10, 21))
    case.refresh_from_db()
    assert not case.reply_missing_flag
    services.tick(D(2025, 10, 22))
    case.refresh_from_db()
    assert case.reply_missing_flag and "第七十条" in case.reply_missing_note
    assert "视为该行政行为没有证据、依据" in case.reply_missing_note
