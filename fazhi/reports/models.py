"""年度报告: adjustable report templates (data), the year's report with its sections, and the
units' contributions."""
from __future__ import annotations

from django.db import models
from django.urls import reverse

from fazhi.core.models import Matter, MatterQuerySet, Unit
from fazhi.core.scoping import ScopedQuerySet

from .procedure import CONTRIBUTION_PROCEDURE, REPORT_PROCEDURE


class ReportTemplate(models.Model):
    """The structure of a report: sections with titles, figure sentences, charts and responsible units."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="所属单位")
    name = models.CharField("模板名称", max_length=100)
    title = models.CharField("报告标题", max_length=200,
                             default="{{unit_name}}{{year}}年法治政府建设情况报告")
    preamble = models.TextField("导语", blank=True)
    is_default = models.BooleanField("默认模板", default=False)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "年度报告模板"
        verbose_name_plural = "年度报告模板"
        ordering = ["unit", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reports:template", args=[self.pk])


class SectionBase(models.Model):
    key = models.SlugField("代码", max_length=50)
    order = models.PositiveIntegerField("排序", default=0)
    level = models.PositiveSmallIntegerField("层级", default=1, help_text="1 = “一、”，2 = “（一）”")
    title = models.CharField("标题", max_length=200)
    figure_text = models.TextField("数据语句", blank=True,
                                   help_text="例如：办理行政复议案件{{reconsideration.received}}件，{{reconsideration.received|yoy}}。")
    guidance = models.TextField("撰写提示", blank=True)
    responsible_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                         verbose_name="撰写单位")
    chart = models.CharField("图表", max_length=400, blank=True,
                             help_text="bar:代码,代码|标题 或 trend:代码|标题")

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class TemplateSection(SectionBase):
    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="sections")

    class Meta(SectionBase.Meta):
        verbose_name = "模板章节"
        verbose_name_plural = "模板章节"
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="reports_tsection_key")]

    def __str__(self) -> str:
        return self.title


class AnnualReport(Matter):
    year = models.PositiveIntegerField("报告年度")
    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="reports")
    title = models.CharField("标题", max_length=200)
    preamble = models.TextField("导语", blank=True)
    comment = models.TextField("审批意见", blank=True)
    published_on = models.DateField("公开日期", null=True, blank=True)
    published_html = models.TextField("公开版本（HTML）", blank=True)
    published_docx = models.BinaryField("公开版本（DOCX）", null=True, blank=True)

    objects = MatterQuerySet.as_manager()
    procedure = REPORT_PROCEDURE

    class Meta:
        verbose_name = "法治政府建设年度报告"
        verbose_name_plural = "法治政府建设年度报告"
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="reports_one_per_unit_year")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def state_label(self) -> str:
        return REPORT_PROCEDURE.state_label(self.state)


class SectionQuerySet(ScopedQuerySet):
    pass


class ReportSection(SectionBase):
    """A report's own copy of a template section: later template changes never alter a past report."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="sections")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")  # the report's unit (scoping)
    narrative = models.TextField("正文", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SectionQuerySet.as_manager()

    class Meta(SectionBase.Meta):
        verbose_name = "报告章节"
        verbose_name_plural = "报告章节"
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="reports_rsection_key")]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title with its year words filled in (titles are templates: "{{year}}年度…")."""
        year = self.report.year
        return self.title.replace("{{year}}", str(year)).replace("{{next_year}}", str(year + 1))


class Contribution(Matter):
    """A unit's text for one section of the report (written by its operator, approved by its leader)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="contributions")
    section = models.ForeignKey(ReportSection, on_delete=models.CASCADE, related_name="contributions")
    text = models.TextField("材料内容", blank=True)
    comment = models.TextField("退回意见", blank=True)
    due_date = models.DateField("报送截止日")

    objects = MatterQuerySet.as_manager()
    procedure = CONTRIBUTION_PROCEDURE

    class Meta:
        verbose_name = "年度报告单位材料"
        verbose_name_plural = "年度报告单位材料"
        ordering = ["section__order", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["section", "unit"], name="reports_one_contribution")]

    def __str__(self) -> str:
        return f"{self.unit.name}：{self.section.title}"

    @property
    def section_title(self) -> str:
        return self.section.display_title

    def get_absolute_url(self) -> str:
        return reverse("reports:contribution", args=[self.pk])

    @property
    def state_label(self) -> str:
        return CONTRIBUTION_PROCEDURE.state_label(self.state)
