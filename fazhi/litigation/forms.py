"""Forms of the litigation pages: they only parse input; the services validate and decide.

Every operation form carries ``version`` (optimistic concurrency): the version the user saw.
"""
from __future__ import annotations

from django import forms

from .models import AbsenceReason, Appellant, HeadPosition, Instance, Result, ResultKind, SecondOutcome

DATE_ERRORS = {"invalid": "日期格式无效，请写作 YYYY-MM-DD，例如 2025-09-26。", "required": "请填写此日期。"}


def _date(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _choice(label: str, choices, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=required, choices=[("", "请选择")] + list(choices),
                             error_messages={"required": f"请选择{label}。", "invalid_choice": f"{label}取值无效。"})


class ChineseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


class VersionedForm(ChineseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": "缺少版本号，请刷新页面后重试。", "invalid": "版本号无效，请刷新页面后重试。"})


class CaseFieldsMixin(ChineseForm):
    court = forms.CharField(label="受理法院", max_length=100)
    case_number = forms.CharField(label="法院案号", max_length=80, help_text="例如（2025）云0102行初123号")
    plaintiffs = forms.CharField(label="原告", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="多个原告请分行填写。")
    act_challenged = forms.CharField(label="被诉行政行为", max_length=300)
    reconsideration_number = forms.CharField(label="前置行政复议案号", max_length=80, required=False)
    note = forms.CharField(label="备注", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RegisterForm(CaseFieldsMixin):
    unit = forms.ChoiceField(label="被告单位", error_messages={"required": "请选择被告单位。",
                                                          "invalid_choice": "被告单位不在您的权限范围内。"})
    instance = forms.ChoiceField(label="审级", choices=Instance.choices, initial=Instance.FIRST)
    served_on = _date("收到起诉状副本日期")

    field_order = ["unit", "court", "case_number", "instance", "plaintiffs", "act_challenged", "served_on",
                   "reconsideration_number", "note"]

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "请选择")] + [(str(u.pk), u.name) for u in units]


class EditForm(VersionedForm, CaseFieldsMixin):
    pass


class AnswerForm(VersionedForm):
    filed_on = _date("提交答辩状和证据日期")


class HearingForm(VersionedForm):
    date = _date("开庭日期")
    court_notice_on = _date("出庭通知书送达日期", required=False)
    head_appeared = forms.BooleanField(label="行政机关负责人出庭", required=False)
    head_name = forms.CharField(label="出庭负责人姓名", max_length=50, required=False)
    head_position = _choice("出庭负责人职务类别", HeadPosition.choices, required=False)
    head_title = forms.CharField(label="出庭负责人职务", max_length=50, required=False, help_text="例如 副局长")
    staff_name = forms.CharField(label="出庭工作人员（负责人未出庭时）", max_length=100, required=False)
    absence_reason = _choice("负责人未出庭理由", AbsenceReason.choices, required=False)
    absence_note = forms.CharField(label="未出庭情况说明", max_length=300, required=False)


class ResultForm(VersionedForm):
    result = _choice("裁判结果", Result.choices)
    result_kind = _choice("裁判文书类型", ResultKind.choices)
    served_on = _date("裁判文书送达日期")


class AppealForm(VersionedForm):
    appellant = _choice("上诉人", Appellant.choices)
    filed_on = _date("上诉日期")


class FinaliseForm(VersionedForm):
    on = _date("生效日期")


class SecondInstanceForm(VersionedForm):
    outcome = _choice("二审结果", SecondOutcome.choices)
    final_result = _choice("生效裁判结果（改判时必填）", Result.choices, required=False)
    on = _date("二审裁判送达日期")


class RemandForm(VersionedForm):
    on = _date("发回重审裁定送达日期")


def first_error(form: forms.Form) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}：{errors[0]}" if label and name != "version" else errors[0]
    return "输入有误。"
