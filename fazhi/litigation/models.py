"""行政应诉: cases in which a unit of the government is the defendant, and their hearings."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models

from fazhi.core.models import Matter, MatterQuerySet

from .procedure import PROCEDURE


class Instance(models.TextChoices):
    FIRST = "first", "一审"
    SECOND = "second", "二审"
    RETRIAL = "retrial", "再审"


class Result(models.TextChoices):
    UPHELD = "upheld", "维持/驳回诉讼请求"
    REVOKED = "revoked", "撤销"
    PARTLY_REVOKED = "partly_revoked", "部分撤销"
    CONFIRMED_ILLEGAL = "confirmed_illegal", "确认违法"
    CONFIRMED_VOID = "confirmed_void", "确认无效"
    ORDERED_PERFORMANCE = "ordered_performance", "责令履行"
    ALTERED = "altered", "变更"
    WITHDRAWN = "withdrawn", "撤诉"
    MEDIATED = "mediated", "调解"
    OTHER = "other", "其他"


# 败诉 (statutory-rules.md §2 KPI convention): judgments against the agency.
LOST_RESULTS = frozenset({Result.REVOKED, Result.PARTLY_REVOKED, Result.ALTERED, Result.CONFIRMED_ILLEGAL,
                          Result.CONFIRMED_VOID, Result.ORDERED_PERFORMANCE})


class ResultKind(models.TextChoices):
    JUDGMENT = "judgment", "判决"
    RULING = "ruling", "裁定"
    MEDIATION = "mediation", "调解书"


class Appellant(models.TextChoices):
    DEFENDANT = "defendant", "本机关（被告）上诉"
    PLAINTIFF = "plaintiff", "原告上诉"
    BOTH = "both", "双方均上诉"


class SecondOutcome(models.TextChoices):
    DISMISSED = "dismissed", "驳回上诉，维持原裁判"
    CHANGED = "changed", "改判"
    APPEAL_WITHDRAWN = "appeal_withdrawn", "撤回上诉"
    MEDIATED = "mediated", "调解"
    OTHER = "other", "其他"


class LitigationCase(Matter):
    """A 行政诉讼 case against the case's ``unit`` (the defendant unit)."""

    court = models.CharField("受理法院", max_length=100)
    case_number = models.CharField("法院案号", max_length=80)
    plaintiffs = models.TextField("原告", help_text="原告姓名或名称，多个原告请分行填写（个人信息）。")
    act_challenged = models.CharField("被诉行政行为", max_length=300)
    instance = models.CharField("审级", max_length=10, choices=Instance.choices, default=Instance.FIRST)
    # The reconsideration the suit follows (行政诉讼法 第四十五条): linked when it was handled on this
    # platform and the registering user may see it; the number is kept as text in every case (a
    # reconsideration by another government, or a historic one, has no record here).
    reconsideration_number = models.CharField("前置行政复议案号", max_length=80, blank=True)
    reconsideration_case = models.ForeignKey("reconsideration.Case", null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="litigation_cases", verbose_name="前置行政复议案件")
    served_on = models.DateField("收到起诉状副本日期", null=True, blank=True)
    answer_filed_on = models.DateField("提交答辩状日期", null=True, blank=True)
    result = models.CharField("裁判结果", max_length=30, choices=Result.choices, blank=True)
    result_kind = models.CharField("裁判文书类型", max_length=10, choices=ResultKind.choices, blank=True)
    result_served_on = models.DateField("裁判文书送达日期", null=True, blank=True)
    appealed = models.BooleanField("已上诉", default=False)
    appellant = models.CharField("上诉人", max_length=10, choices=Appellant.choices, blank=True)
    appeal_filed_on = models.DateField("上诉日期", null=True, blank=True)
    second_outcome = models.CharField("二审结果", max_length=20, choices=SecondOutcome.choices, blank=True)
    remanded = models.BooleanField("曾发回重审", default=False)
    final_result = models.CharField("生效裁判结果", max_length=30, choices=Result.choices, blank=True)
    concluded_on = models.DateField("结案（生效）日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)

    objects = MatterQuerySet.as_manager()
    procedure = PROCEDURE

    class Meta:
        verbose_name = "行政应诉案件"
        verbose_name_plural = "行政应诉案件"
        ordering = ["-served_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["court", "case_number"], name="litigation_case_number")]
        indexes = [models.Index(fields=["state", "concluded_on"]), models.Index(fields=["served_on"])]

    def __str__(self) -> str:
        return self.case_number or f"行政应诉案件 {self.pk}"

    def get_absolute_url(self) -> str:
        return f"/litigation/{self.pk}/"

    @property
    def state_label(self) -> str:
        return self.procedure.state_label(self.state)

    @property
    def lost(self) -> bool:
        return self.state == "final" and self.final_result in LOST_RESULTS

    @property
    def answer_late(self) -> bool:
        """Filed after the answer period (第三十四条第二款: 逾期提供证据视为没有相应证据)."""
        from fazhi.core import clocks

        clock = clocks.clock_of(self, "answer")
        return bool(clock and clock.due_date and self.answer_filed_on and self.answer_filed_on > clock.due_date)


class HearingQuerySet(models.QuerySet):
    def visible_to(self, user):
        from fazhi.core.scoping import visible_unit_ids

        return self.filter(case__unit_id__in=visible_unit_ids(user))


class HeadPosition(models.TextChoices):
    # 法释〔2020〕3号 第二条: 正职、副职负责人、参与分管被诉行政行为实施工作的副职级别的负责人以及其他参与分管的负责人.
    PRINCIPAL = "principal", "正职负责人"
    DEPUTY = "deputy", "副职负责人"
    IN_CHARGE = "in_charge", "分管负责人"


class AbsenceReason(models.TextChoices):
    # 法释〔2020〕3号 第八条 (the only accepted reasons for a head's absence).
    FORCE_MAJEURE = "force_majeure", "不可抗力"
    ACCIDENT = "accident", "意外事件"
    OFFICIAL_DUTY = "official_duty", "需要履行他人不能代替的公务"
    OTHER = "other", "无法出庭的其他正当事由"


class Hearing(models.Model):
    """一次开庭: who appeared for the defendant (行政诉讼法 第三条第三款, 法释〔2020〕3号)."""

    case = models.ForeignKey(LitigationCase, on_delete=models.PROTECT, related_name="hearings",
                             verbose_name="案件")
    date = models.DateField("开庭日期")
    instance = models.CharField("审级", max_length=10, choices=Instance.choices)
    court_notice_on = models.DateField("出庭通知书送达日期", null=True, blank=True)
    head_appeared = models.BooleanField("负责人出庭", default=False)
    head_name = models.CharField("出庭负责人姓名", max_length=50, blank=True)
    head_position = models.CharField("出庭负责人职务类别", max_length=12, choices=HeadPosition.choices, blank=True)
    head_title = models.CharField("出庭负责人职务", max_length=50, blank=True)
    staff_name = models.CharField("出庭工作人员", max_length=100, blank=True)
    absence_reason = models.CharField("负责人未出庭理由", max_length=20, choices=AbsenceReason.choices, blank=True)
    absence_note = models.CharField("未出庭情况说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey("core.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = HearingQuerySet.as_manager()

    class Meta:
        verbose_name = "开庭记录"
        verbose_name_plural = "开庭记录"
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.date:%Y-%m-%d} 开庭"

    @property
    def unit(self):
        return self.case.unit

    def get_absolute_url(self) -> str:
        return self.case.get_absolute_url()

    @property
    def short_notice(self) -> bool:
        """法释〔2020〕3号 第五条: the court serves the notice at least three days before the hearing."""
        return bool(self.court_notice_on and (self.date - self.court_notice_on) < dt.timedelta(days=3))

    def clean(self):
        errors = {}
        if self.head_appeared:
            if not self.head_name.strip():
                errors["head_name"] = "负责人出庭的，请填写出庭负责人姓名。"
            if not self.head_position:
                errors["head_position"] = ("请选择出庭负责人的职务类别：正职、副职或分管负责人"
                                           "（法释〔2020〕3号第二条）。")
            if self.absence_reason:
                errors["absence_reason"] = "负责人已出庭的，不应填写未出庭理由。"
        else:
            if self.head_name.strip() or self.head_position:
                errors["head_name"] = "未勾选“负责人出庭”时，不应填写出庭负责人。"
            if not self.staff_name.strip():
                errors["staff_name"] = ("负责人不能出庭的，应当委托相应的工作人员出庭，请填写出庭工作人员"
                                        "（《行政诉讼法》第三条第三款）。")
            if not self.absence_reason:
                errors["absence_reason"] = "请选择负责人未出庭的理由（法释〔2020〕3号第八条）。"
        if self.court_notice_on and self.court_notice_on > self.date:
            errors["court_notice_on"] = "出庭通知书送达日期不能晚于开庭日期。"
        if errors:
            raise ValidationError(errors)
