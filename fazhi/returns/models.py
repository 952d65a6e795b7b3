"""统计填报: return forms (fields bound to metric codes), the rounds in which a form is sent to units,
and each unit's return with its values."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from fazhi.core.models import Matter, MatterQuerySet, Unit
from fazhi.core.scoping import ScopedQuerySet

from .procedure import PROCEDURE


class Periodicity(models.TextChoices):
    QUARTER = "quarter", "季度"
    HALF = "half", "半年"
    YEAR = "year", "年度"


class FieldType(models.TextChoices):
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "小数"
    PERCENTAGE = "percentage", "百分比"
    TEXT = "text", "文字"


class OverTime(models.TextChoices):
    # A flow (cases handled) adds up over the quarters of a year; a stock (organisations, certificate
    # holders at period end) does not: the year's figure is the last period's.
    SUM = "sum", "累计（各期相加）"
    LAST = "last", "期末数（取最后一期）"


class ReturnForm(models.Model):
    """A statistical form defined by a coordinator of ``unit`` (usually the 司法局)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="制表单位")
    name = models.CharField("报表名称", max_length=100)
    code = models.CharField("表号", max_length=30, unique=True,
                            help_text="如 FZ-01；用于 Excel 模板识别。")
    periodicity = models.CharField("报送周期", max_length=10, choices=Periodicity.choices, default=Periodicity.YEAR)
    description = models.TextField("填报说明", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "统计报表"
        verbose_name_plural = "统计报表"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def get_absolute_url(self) -> str:
        return reverse("returns:form", args=[self.pk])


class ReturnField(models.Model):
    """One row of a form, bound to a metric code (registered from the form as a MetricDefinition)."""

    form = models.ForeignKey(ReturnForm, on_delete=models.CASCADE, related_name="fields")
    order = models.PositiveIntegerField("序号", default=0)
    metric_code = models.CharField("指标代码", max_length=80, unique=True)
    label = models.CharField("指标名称", max_length=100)
    unit_label = models.CharField("计量单位", max_length=10, blank=True)
    field_type = models.CharField("类型", max_length=12, choices=FieldType.choices, default=FieldType.INTEGER)
    over_time = models.CharField("跨期汇总", max_length=6, choices=OverTime.choices, default=OverTime.SUM)
    required = models.BooleanField("必填", default=True)
    # A rate field names its numerator and denominator fields: the rate is checked against them and
    # recomputed from their sums when units are rolled up (never an average of percentages).
    numerator = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="分子字段")
    denominator = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="分母字段")
    # "不大于" check: this field's value must not exceed the named field's (成功件数 ≤ 调解件数).
    not_above = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="不得大于字段")
    # "分项之和" check: this field equals the sum of the listed fields (metric codes, comma-separated).
    sum_of = models.CharField("等于下列字段之和", max_length=400, blank=True,
                              help_text="指标代码，以逗号分隔。")
    help_text = models.CharField("填报说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "报表字段"
        verbose_name_plural = "报表字段"
        ordering = ["form", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.label}（{self.metric_code}）"

    @property
    def is_numeric(self) -> bool:
        return self.field_type != FieldType.TEXT

    @property
    def sum_codes(self) -> list[str]:
        return [c.strip() for c in self.sum_of.replace("，", ",").split(",") if c.strip()]


class ReturnRound(models.Model):
    """A form sent to units for one period, with a due date (填报任务)."""

    form = models.ForeignKey(ReturnForm, on_delete=models.PROTECT, related_name="rounds")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="下发单位")
    period_start = models.DateField("统计期起")
    period_end = models.DateField("统计期止")
    period_label = models.CharField("统计期", max_length=30)
    due_date = models.DateField("报送截止日")
    issued_on = models.DateField("下发日期")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "填报任务"
        verbose_name_plural = "填报任务"
        ordering = ["-period_start", "form"]
        constraints = [models.UniqueConstraint(fields=["form", "period_start"], name="returns_round_unique")]

    def __str__(self) -> str:
        return f"{self.form.name} {self.period_label}"


class Return(Matter):
    """One unit's return for one round."""

    round = models.ForeignKey(ReturnRound, on_delete=models.PROTECT, related_name="returns")
    note = models.TextField("填报说明", blank=True)
    comment = models.TextField("退回意见", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    accepted_on = models.DateField("验收日期", null=True, blank=True)

    objects = MatterQuerySet.as_manager()
    procedure = PROCEDURE

    class Meta:
        verbose_name = "统计报表（单位）"
        verbose_name_plural = "统计报表（单位）"
        ordering = ["round", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="returns_one_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.round}"

    def get_absolute_url(self) -> str:
        return reverse("returns:detail", args=[self.pk])

    @property
    def state_label(self) -> str:
        return PROCEDURE.state_label(self.state)

    def value_map(self) -> dict[str, "ReturnValue"]:
        return {v.field.metric_code: v for v in self.values.select_related("field")}

    def validation_errors(self) -> list[str]:
        from .validation import validate_values

        fields = list(self.round.form.fields.all())
        raw = {v.field.metric_code: v.raw for v in self.values.select_related("field")}
        _clean, errors = validate_values(fields, raw)
        return [e.message for e in errors]


class ReturnValue(models.Model):
    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="values")
    field = models.ForeignKey(ReturnField, on_delete=models.PROTECT, related_name="values")
    raw = models.CharField("填报内容", max_length=2000, blank=True)
    number = models.DecimalField("数值", max_digits=18, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = "填报数据"
        verbose_name_plural = "填报数据"
        constraints = [models.UniqueConstraint(fields=["ret", "field"], name="returns_value_unique")]

    def __str__(self) -> str:
        return f"{self.field.label}：{self.raw}"


def quarter_bounds(year: int, part: int, periodicity: str) -> tuple[dt.date, dt.date, str]:
    """(start, end, label) of period ``part`` (1-based) of ``year``."""
    if periodicity == Periodicity.YEAR:
        return dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年"
    if periodicity == Periodicity.HALF:
        if part not in (1, 2):
            raise ValueError("半年报的期次应为 1 或 2。")
        return ((dt.date(year, 1, 1), dt.date(year, 6, 30), f"{year}年上半年") if part == 1
                else (dt.date(year, 7, 1), dt.date(year, 12, 31), f"{year}年下半年"))
    if part not in (1, 2, 3, 4):
        raise ValueError("季报的期次应为 1 至 4。")
    start = dt.date(year, 3 * part - 2, 1)
    end = (dt.date(year, 3 * part + 1, 1) if part < 4 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)
    return start, end, f"{year}年第{'一二三四'[part - 1]}季度"


ZERO = Decimal(0)
