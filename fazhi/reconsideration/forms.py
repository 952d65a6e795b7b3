"""Input forms of the operations, shared by the pages and the API (one validation, one message).

``ACTIONS[name]`` = (form class, run(case, user, version, cleaned data) → result). Every runner calls
exactly one service; the forms only parse input, the services decide.
"""
from __future__ import annotations

from django import forms

from fazhi.core.models import Role, Unit, User

from . import procedure as proc
from . import services
from .models import Applicant, Case

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def _date(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text, **DATE)


def _text(label, required=True, max_length=300, area=False):
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": 3}) if area else forms.TextInput())


class CaseForm(forms.Form):
    """Forms that need the case (to offer its approvers, hearings …)."""

    def __init__(self, *args, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case


def office_heads(case: Case):
    """Leaders (负责人) of the case's 行政复议机构: the only valid approvers (第五十五条、第六十二条)."""
    return User.objects.filter(memberships__unit=case.unit, memberships__role=Role.LEADER, is_active=True).distinct()


class OnForm(forms.Form):
    on = _date("办理日期")


class CorrectionForm(forms.Form):
    on = _date("补正通知日期")
    items = _text("需要补正的事项（一次性载明）", max_length=2000, area=True)


class ExtendCorrectionForm(forms.Form):
    on = _date("延长日期")
    days = forms.IntegerField(label="延长（工作日）", min_value=1, max_value=30)
    reason = _text("正当理由")


class AcceptForm(forms.Form):
    on = _date("受理日期")
    procedure_type = forms.ChoiceField(label="审理程序", choices=Case.ProcedureType.choices)
    simplified_ground = forms.ChoiceField(label="适用简易程序的情形（第五十三条）", required=False,
                                          choices=[("", "—")] + list(Case.SimplifiedGround.choices))
    amount = forms.DecimalField(label="涉及款额（元）", required=False, min_value=0, decimal_places=2, max_digits=14)


class NoFieldsForm(forms.Form):
    pass


class RefuseForm(forms.Form):
    on = _date("决定日期")
    reason = _text("不予受理的理由", max_length=2000, area=True)


class SendCopyForm(forms.Form):
    on = _date("发送日期")
    received_on = _date("被申请人收到日期", required=False, help_text="不填则按发送当日计算答复期限")


class ExtendForm(CaseForm):
    on = _date("批准日期")
    days = forms.IntegerField(label="延长日数（最多 30 日）", min_value=1)
    approver = forms.ModelChoiceField(label="批准人（行政复议机构负责人）", queryset=User.objects.none())
    notice_on = _date("书面告知当事人日期")
    reason = _text("延长理由")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case is not None:
            self.fields["approver"].queryset = office_heads(self.case)


class ConvertForm(CaseForm):
    on = _date("转换日期")
    approver = forms.ModelChoiceField(label="批准人（行政复议机构负责人）", queryset=User.objects.none())
    reason = _text("理由", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case is not None:
            self.fields["approver"].queryset = office_heads(self.case)


class HearingForm(forms.Form):
    held_on = _date("听证日期")
    notice_on = _date("通知日期", help_text="应于听证五个工作日前书面通知（第五十一条）")
    place = _text("地点", required=False, max_length=200)
    presider = _text("主持人", required=False, max_length=50)
    participants = _text("参加人员", required=False, max_length=2000, area=True)


class HearingRecordForm(CaseForm):
    hearing = forms.ModelChoiceField(label="听证", queryset=None)
    transcript = _text("听证笔录", max_length=100_000, area=True)
    respondent_head_attended = forms.NullBooleanField(label="被申请人负责人参加")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Hearing

        self.fields["hearing"].queryset = Hearing.objects.filter(case=self.case) if self.case else Hearing.objects.none()


class ConsultForm(forms.Form):
    on = _date("提请日期")
    ground = forms.ChoiceField(label="情形（第五十二条）", choices=proc.CONSULTATION_GROUNDS)
    opinion = _text("咨询意见", required=False, max_length=20_000, area=True)


class SuspendForm(forms.Form):
    on = _date("中止日期")
    ground = forms.ChoiceField(label="中止情形（第三十九条第一款）", choices=proc.SUSPENSION_GROUNDS)
    reason = _text("具体理由", required=False)
    notice_on = _date("书面告知日期", required=False)


class ResumeForm(forms.Form):
    on = _date("恢复日期")
    notice_on = _date("书面告知日期", required=False)


class DecideForm(forms.Form):
    on = _date("决定日期")
    outcome = forms.ChoiceField(label="决定类型", choices=[(o, Case.Outcome(o).label) for o in proc.DECISION_OUTCOMES])
    reason = _text("决定理由摘要", required=False, max_length=5000, area=True)


class MediateForm(forms.Form):
    on = _date("调解书日期")
    summary = _text("调解协议内容", required=False, max_length=5000, area=True)


class WithdrawForm(forms.Form):
    on = _date("准予撤回日期")
    settled = forms.BooleanField(label="双方已和解（第七十四条）", required=False)
    reason = _text("撤回理由", required=False, max_length=2000)


class TerminateForm(forms.Form):
    on = _date("终止日期")
    ground = forms.ChoiceField(label="终止情形（第四十一条）", choices=proc.TERMINATION_GROUNDS)
    reason = _text("说明", required=False, max_length=2000)


class ReplyForm(forms.Form):
    on = _date("答复日期")
    summary = _text("答复意见摘要", required=False, max_length=5000, area=True)


class OpinionForm(forms.Form):
    on = _date("制发日期")
    recipient = forms.ModelChoiceField(label="受文单位", queryset=Unit.objects.filter(active=True))
    content = _text("意见内容", max_length=20_000, area=True)


class OpinionReplyForm(forms.Form):
    on = _date("收到反馈日期")
    text = _text("纠正情况反馈", max_length=20_000, area=True)


def _kw(d, *names):
    return {n: d.get(n) for n in names}


ACTIONS = {
    "request_correction": (CorrectionForm, lambda c, u, v, d: services.do_request_correction(c, u, version=v, **d)),
    "extend_correction": (ExtendCorrectionForm, lambda c, u, v, d: services.do_extend_correction(c, u, version=v, **d)),
    "receive_correction": (OnForm, lambda c, u, v, d: services.do_receive_correction(c, u, version=v, **d)),
    "abandon": (OnForm, lambda c, u, v, d: services.do_abandon(c, u, version=v, **d)),
    "accept": (AcceptForm, lambda c, u, v, d: services.do_accept(c, u, version=v, **d)),
    "deem_accepted": (NoFieldsForm, lambda c, u, v, d: services.do_deem_accepted(c, u, version=v)),
    "refuse": (RefuseForm, lambda c, u, v, d: services.do_refuse(c, u, version=v, **d)),
    "send_copy": (SendCopyForm, lambda c, u, v, d: services.do_send_copy(c, u, version=v, **d)),
    "extend": (ExtendForm, lambda c, u, v, d: services.do_extend(c, u, version=v, **d)),
    "convert": (ConvertForm, lambda c, u, v, d: services.do_convert(c, u, version=v, **d)),
    "schedule_hearing": (HearingForm, lambda c, u, v, d: services.do_schedule_hearing(c, u, version=v, **d)),
    "record_hearing": (HearingRecordForm, lambda c, u, v, d: services.do_record_hearing(
        c, u, version=v, hearing_id=d["hearing"].pk, transcript=d["transcript"],
        respondent_head_attended=d.get("respondent_head_attended"))),
    "consult": (ConsultForm, lambda c, u, v, d: services.do_consult(c, u, version=v, **d)),
    "suspend": (SuspendForm, lambda c, u, v, d: services.do_suspend(c, u, version=v, **d)),
    "resume": (ResumeForm, lambda c, u, v, d: services.do_resume(c, u, version=v, **d)),
    "decide": (DecideForm, lambda c, u, v, d: services.do_decide(c, u, version=v, **d)),
    "mediate": (MediateForm, lambda c, u, v, d: services.do_mediate(c, u, version=v, **d)),
    "withdraw": (WithdrawForm, lambda c, u, v, d: services.do_withdraw(c, u, version=v, **d)),
    "terminate": (TerminateForm, lambda c, u, v, d: services.do_terminate(c, u, version=v, **d)),
    "serve": (OnForm, lambda c, u, v, d: services.do_serve(c, u, version=v, **d)),
}
assert set(ACTIONS) == {t.name for t in proc.PROCEDURE.transitions}, "every transition needs a form"


def make_form(name: str, case: Case, data=None):
    form_class = ACTIONS[name][0]
    if issubclass(form_class, CaseForm):
        return form_class(data, case=case, prefix=name)
    return form_class(data, prefix=name)


def form_errors(form) -> str:
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.append(f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
    return "；".join(parts)


class RegisterForm(forms.Form):
    """收件登记 for counter and mail applications (the online form is the public portal's)."""

    channel = forms.ChoiceField(label="申请方式", choices=[c for c in Case.Channel.choices if c[0] != "online"])
    received_on = _date("收到申请日期")
    respondent_unit = forms.ModelChoiceField(label="被申请人", queryset=Unit.objects.none())
    act_description = _text("被申请复议的行政行为", max_length=2000, area=True)
    act_date = _date("行政行为作出日期", required=False)
    act_known_on = _date("知道该行政行为之日", required=False, help_text="用于核对六十日申请期限（第二十条）")
    request = _text("行政复议请求", required=False, max_length=2000, area=True)
    procedure_type = forms.ChoiceField(label="拟适用程序", choices=Case.ProcedureType.choices)
    simplified_ground = forms.ChoiceField(label="适用简易程序的情形", required=False,
                                          choices=[("", "—")] + list(Case.SimplifiedGround.choices))
    amount = forms.DecimalField(label="涉及款额（元）", required=False, min_value=0, decimal_places=2, max_digits=14)
    applicant_kind = forms.ChoiceField(label="申请人类型", choices=Applicant.Kind.choices)
    applicant_name = _text("申请人姓名或名称", max_length=100)
    applicant_id_number = _text("身份证件号码或统一社会信用代码", required=False, max_length=30)
    applicant_phone = _text("联系电话", required=False, max_length=30)
    applicant_address = _text("住所或通讯地址", required=False, max_length=200)

    def __init__(self, *args, office=None, **kwargs):
        super().__init__(*args, **kwargs)
        if office is not None:
            gov = office.government
            self.fields["respondent_unit"].queryset = Unit.objects.filter(
                path__startswith=gov.path, active=True).exclude(pk=gov.pk).order_by("path")
