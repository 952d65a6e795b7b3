"""The litigation procedure through the services: the whole path, refusals with Chinese messages."""
import datetime as dt

import pytest

from fazhi.core import clocks
from fazhi.core.models import AuditRecord
from fazhi.core.procedure import GuardFailed, RoleDenied, TransitionNotAllowed
from fazhi.litigation import services
from fazhi.litigation.models import Hearing, LitigationCase
from fazhi.litigation.services import InvalidInput

D = dt.date


@pytest.fixture
def op(persona):
    return persona("住建局经办人")


def test_given_a_case_when_answered_heard_judged_and_the_period_expires_then_it_is_final(register, op):
    case = register("（2025）云0102行初501号", D(2025, 9, 20), reconsideration_number="云府复〔2025〕31号")
    case = services.file_answer(case, op, version=case.version, filed_on=D(2025, 9, 30))
    hearing = services.record_hearing(case, op, version=case.version, date=D(2025, 11, 4), head_appeared=True,
                                      head_name="陈国栋", head_position="principal", head_title="局长",
                                      court_notice_on=D(2025, 10, 28))
    case = LitigationCase.objects.get(pk=case.pk)
    assert (case.state, hearing.instance, hearing.head_appeared) == ("in_trial", "first", True)
    case = services.record_result(case, op, version=case.version, result="upheld", result_kind="judgment",
                                  served_on=D(2025, 12, 1))
    assert clocks.clock_of(case, "appeal").due_date == D(2025, 12, 16)
    case = services.finalise(case, op, version=case.version, on=D(2025, 12, 17))
    assert (case.state, case.final_result, case.concluded_on, case.lost) == ("final", "upheld", D(2025, 12, 17), False)
    assert clocks.clock_of(case, "appeal").status == "stopped"
    actions = list(AuditRecord.objects.filter(object_type="litigation.litigationcase", object_id=str(case.pk))
                   .values_list("action", flat=True))
    for a in ["create", "transition.register", "transition.file_answer", "transition.hearing",
              "litigation.hearing", "transition.record_judgment", "transition.finalise"]:
        assert a in actions


def test_given_a_served_case_when_finalise_is_attempted_then_refused_with_a_chinese_message(register, op):
    case = register("（2025）云0102行初502号", D(2025, 9, 20))
    with pytest.raises(TransitionNotAllowed) as exc:
        services.finalise(case, op, version=case.version, on=D(2025, 10, 1))
    assert "当前状态为“已收到起诉状副本”，不能执行“登记裁判生效”" in exc.value.message
    case.refresh_from_db()
    assert (case.state, case.version, case.final_result) == ("served", 2, "")


def test_given_a_judgment_when_finalised_before_the_appeal_period_expires_then_the_guard_refuses(register, op):
    case = register("（2025）云0102行初503号", D(2025, 9, 1))
    case = services.record_result(case, op, version=case.version, result="revoked", result_kind="judgment",
                                  served_on=D(2025, 9, 20))
    with pytest.raises(GuardFailed, match="上诉期限尚未届满"):
        services.finalise(case, op, version=case.version, on=D(2025, 10, 9))  # the due date itself
    assert services.finalise(case, op, version=case.version, on=D(2025, 10, 10)).state == "final"


def test_given_an_appeal_after_the_period_then_refused_and_within_it_the_case_goes_to_second_instance(register, op):
    case = register("（2025）云0102行初504号", D(2025, 9, 1))
    case = services.record_result(case, op, version=case.version, result="revoked", result_kind="judgment",
                                  served_on=D(2025, 9, 20))
    with pytest.raises(GuardFailed, match="超过上诉期限"):
        services.record_appeal(case, op, version=case.version, appellant="defendant", filed_on=D(2025, 10, 10))
    case = services.record_appeal(case, op, version=case.version, appellant="defendant", filed_on=D(2025, 10, 9))
    assert (case.state, case.instance, case.appealed) == ("appealed", "second", True)
    h = services.record_hearing(case, op, version=case.version, date=D(2025, 11, 20), head_appeared=False,
                                staff_name="法规科 王晓燕", absence_reason="official_duty")
    assert h.instance == "second"
    case.refresh_from_db()
    case = services.record_second_instance(case, op, version=case.version, outcome="changed",
                                           final_result="upheld", on=D(2025, 12, 10))
    assert (case.state, case.final_result, case.lost) == ("final", "upheld", False)


def test_given_an_appeal_dismissed_then_the_first_instance_result_is_final(register, op):
    case = register("（2025）云0102行初505号", D(2025, 3, 1))
    case = services.record_result(case, op, version=case.version, result="confirmed_illegal",
                                  result_kind="judgment", served_on=D(2025, 4, 1))
    case = services.record_appeal(case, op, version=case.version, appellant="defendant", filed_on=D(2025, 4, 10))
    with pytest.raises(InvalidInput, match="应与一审结果一致"):
        services.record_second_instance(case, op, version=case.version, outcome="dismissed",
                                        final_result="upheld", on=D(2025, 6, 1))
    case = services.record_second_instance(case, op, version=case.version, outcome="dismissed", on=D(2025, 6, 1))
    assert (case.final_result, case.lost) == ("confirmed_illegal", True)


def test_given_a_remand_then_the_case_is_tried_again_at_first_instance(register, op):
    case = register("（2025）云0102行初506号", D(2025, 3, 1))
    case = services.record_result(case, op, version=case.version, result="revoked", result_kind="judgment",
                                  served_on=D(2025, 4, 1))
    case = services.record_appeal(case, op, version=case.version, appellant="defendant", filed_on=D(2025, 4, 10))
    case = services.remand(case, op, version=case.version, on=D(2025, 6, 1))
    assert (case.state, case.instance, case.result, case.remanded) == ("in_trial", "first", "", True)
    case = services.record_result(case, op, version=case.version, result="upheld", result_kind="judgment",
                                  served_on=D(2025, 9, 1))
    # A fresh appeal clock for the new judgment; the first one is kept under an archived name.
    assert clocks.clock_of(case, "appeal").due_date == D(2025, 9, 16)
    assert clocks.clock_of(case, "appeal#1").status == "stopped"


def test_given_a_mediation_then_the_case_closes_at_once_without_appeal_period(register, op):
    case = register("（2025）云0102行初507号", D(2025, 3, 1))
    with pytest.raises(InvalidInput, match="调解"):
        services.record_result(case, op, version=case.version, result="mediated", result_kind="judgment",
                               served_on=D(2025, 4, 1))
    case = services.record_result(case, op, version=case.version, result="mediated", result_kind="mediation",
                                  served_on=D(2025, 4, 1))
    assert (case.state, case.final_result, case.concluded_on) == ("final", "mediated", D(2025, 4, 1))
    assert clocks.clock_of(case, "appeal") is None


@pytest.mark.parametrize("fields,message", [
    (dict(head_appeared=True, head_name="陈国栋"), "正职、副职或分管负责人"),
    (dict(head_appeared=True, head_position="deputy"), "出庭负责人姓名"),
    (dict(head_appeared=False, staff_name="王晓燕"), "未出庭的理由"),
    (dict(head_appeared=False, absence_reason="accident"), "委托相应的工作人员出庭"),
    (dict(head_appeared=True, head_name="陈国栋", head_position="boss"), "职务类别取值无效"),
    (dict(head_appeared=False, staff_name="王晓燕", absence_reason="too_busy"), "未出庭理由取值无效"),
])
def test_given_an_incomplete_head_appearance_then_the_hearing_is_refused_and_nothing_saved(register, op, fields,
                                                                                            message):
    case = register("（2025）云0102行初508号", D(2025, 9, 1))
    with pytest.raises(InvalidInput, match=message):
        services.record_hearing(case, op, version=case.version, date=D(2025, 10, 20), **fields)
    case.refresh_from_db()
    assert (case.state, case.version, Hearing.objects.count()) == ("served", 2, 0)


def test_given_a_future_date_or_a_duplicate_number_then_registration_is_refused(register, op):
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        register("（2025）云0102行初509号", clocks.today() + dt.timedelta(days=1))
    register("（2025）云0102行初510号", D(2025, 9, 1))
    with pytest.raises(InvalidInput, match="已登记"):
        register("（2025）云0102行初510号", D(2025, 9, 2))
    assert LitigationCase.objects.count() == 1


def test_given_an_operator_of_another_unit_then_registering_for_zjj_is_404_and_the_auditor_is_refused(
        demo_gov, persona):
    from django.http import Http404

    fields = dict(court="云溪区人民法院", case_number="（2025）云0102行初511号", plaintiffs="李四",
                  act_challenged="行政处罚决定", served_on=D(2025, 9, 1))
    with pytest.raises(Http404):
        services.register_case(persona("市监局经办人"), unit=demo_gov.units["YX-ZJJ"], **fields)
    with pytest.raises(RoleDenied):
        services.register_case(persona("人大监督员"), unit=demo_gov.units["YX-ZJJ"], **fields)
    assert LitigationCase.objects.count() == 0


def test_given_the_coordinator_then_they_may_handle_any_units_case(register, persona):
    case = register("（2025）云0102行初512号", D(2025, 9, 1), unit="YX-SCJG", by="司法局协调员")
    case = services.file_answer(case, persona("司法局协调员"), version=case.version, filed_on=D(2025, 9, 10))
    assert (case.unit.code, case.state) == ("YX-SCJG", "answered")
