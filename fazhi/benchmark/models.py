"""Imported reports (法治政府建设情况报告 of other governments) and the figures read from them."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from fazhi.core.scoping import ScopedQuerySet

LEVELS = [("province", "省级"), ("city", "地市级"), ("district", "市辖区"), ("county", "县级")]
LEVEL_LABELS = dict(LEVELS)


class ReportQuerySet(ScopedQuerySet):
    pass


class Report(models.Model):
    """One imported file. The original bytes are kept untouched with their SHA-256; importing the same
    file again into the same unit changes nothing."""

    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="benchmark_reports",
                             verbose_name="所属单位")
    sha256 = models.CharField("SHA-256", max_length=64)
    filename = models.CharField("文件名", max_length=255)
    kind = models.CharField("格式", max_length=8)  # txt / html / docx
    encoding = models.CharField("原始编码", max_length=20)
    size = models.PositiveIntegerField("字节数")
    original = models.BinaryField("原始文件")
    text = models.TextField("原文（解码后）")
    clean_text = models.TextField("清理后正文（简体）")
    title = models.CharField("标题", max_length=255, blank=True)
    region = models.CharField("地区", max_length=60, blank=True)
    level = models.CharField("层级", max_length=10, choices=LEVELS, blank=True)
    year = models.PositiveSmallIntegerField("报告年度", null=True, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    issuer = models.CharField("发布机关", max_length=120, blank=True)
    traditional = models.BooleanField("原文为繁体", default=False)
    population = models.DecimalField("常住人口（万人）", max_digits=10, decimal_places=2, null=True, blank=True)
    outline = models.JSONField("提纲", default=list)
    checks = models.JSONField("比率核对", default=list)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="导入人")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "导入的报告"
        verbose_name_plural = "导入的报告"
        ordering = ["region", "-year", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "sha256"], name="benchmark_report_unique_file")]

    def __str__(self):
        return f"{self.region or '未识别地区'} {self.year or '—'}年度报告（{self.filename}）"

    def get_absolute_url(self):
        return reverse("benchmark:detail", args=[self.pk])

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, "")


class FactQuerySet(ScopedQuerySet):
    unit_field = "report__unit"


class Fact(models.Model):
    """A figure of a report: the metric code it counts (blank if unmapped), the value as stated, and
    the verbatim quote with its position in the original text."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="facts")
    seq = models.PositiveIntegerField("序号")
    metric = models.CharField("指标代码", max_length=80, blank=True, db_index=True)
    value = models.DecimalField("数值", max_digits=20, decimal_places=6)
    unit_label = models.CharField("计量单位", max_length=20)
    approx = models.BooleanField("约数", default=False)
    phrase = models.CharField("原文所指", max_length=255, blank=True)
    quote = models.TextField("原文引文")
    start = models.PositiveIntegerField("引文起点")
    end = models.PositiveIntegerField("引文终点")
    pos = models.PositiveIntegerField("数字位置")
    section = models.CharField("所在章节", max_length=500, blank=True)
    flag = models.TextField("核对提示", blank=True)

    objects = FactQuerySet.as_manager()

    class Meta:
        verbose_name = "报告数据"
        verbose_name_plural = "报告数据"
        ordering = ["report", "seq"]

    def __str__(self):
        return f"{self.metric or '未映射'} = {self.display_value}{self.unit_label}"

    @property
    def display_value(self) -> str:
        v = self.value.normalize()
        text = f"{v:f}"
        return ("约" if self.approx else "") + text
