"""Core data of the spine: units, people, audit, calendar, clocks, attachments, numbering.

Every record of every module belongs to a unit; scoping (fazhi.core.scoping) reads that unit.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


# ---------------------------------------------------------------------------
# Units and people
# ---------------------------------------------------------------------------
class Unit(models.Model):
    """单位: a node of the government tree (government → departments, 街镇, other bodies)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "人民政府"
        DEPARTMENT = "department", "政府部门"
        SUBDISTRICT = "subdistrict", "街道（乡镇）"
        OTHER = "other", "其他单位"

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        DISTRICT = "district", "区级"
        COUNTY = "county", "县级"
        TOWN = "town", "乡镇级"
        NONE = "", "—"

    code = models.CharField("单位代码", max_length=32, unique=True)
    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    level = models.CharField("层级", max_length=10, choices=Level.choices, blank=True, default="")
    parent = models.ForeignKey("self", verbose_name="上级单位", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    # Materialised path ("/1/7/"): subtree queries are one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    sort_order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        expected = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if self.path != expected:
            old = self.path
            Unit.objects.filter(pk=self.pk).update(path=expected)
            if old:  # moved: rewrite the subtree's paths
                for child in Unit.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    Unit.objects.filter(pk=child.pk).update(path=expected + child.path[len(old):])
            self.path = expected

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def subtree(self):
        return Unit.objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        return Unit.objects.filter(pk__in=ids).order_by("path")

    def government(self) -> "Unit":
        """The nearest government at or above this unit."""
        if self.kind == Unit.Kind.GOVERNMENT:
            return self
        gov = self.ancestors().filter(kind=Unit.Kind.GOVERNMENT).order_by("-path").first()
        return gov or self


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "法治协调员"
    OPERATOR = "operator", "经办人"
    LEADER = "leader", "单位负责人"
    ADVISOR = "advisor", "法律顾问"
    AUDITOR = "auditor", "监督员"
    ADMIN = "admin", "系统管理员"


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    title = models.CharField("职务", max_length=50, blank=True)

    class Meta:
        verbose_name = "单位成员"
        verbose_name_plural = "单位成员"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit} ({self.get_role_display()})"


class ApiToken(models.Model):
    """API token: only its SHA-256 is stored; the clear key is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"


# ---------------------------------------------------------------------------
# Audit (append-only, SM3 hash chain)
# ---------------------------------------------------------------------------
class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计记录只能追加，不能修改。")

    def delete(self):
        raise PermissionError("审计记录只能追加，不能删除。")


class AuditRecord(models.Model):
    """One audited event. ``seq`` is gap-free; ``hash`` chains each record to the one before."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("动作", max_length=80)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    changes = models.JSONField("变更（前 → 后）", default=dict, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    algorithm = models.CharField("摘要算法", max_length=16)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录只能追加，不能删除。")


class AuditChainHead(models.Model):
    """Singleton row locked while appending, so the chain stays linear under concurrency."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")


# ---------------------------------------------------------------------------
# Working-day calendar
# ---------------------------------------------------------------------------
class CalendarYear(models.Model):
    """A year whose official holiday arrangement is known (国务院办公厅 notice)."""

    year = models.PositiveIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=200)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)

    class Meta:
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """A date that differs from the weekday/weekend default: a holiday or a make-up workday (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=50, blank=True)
    source = models.CharField("来源", max_length=200)

    class Meta:
        verbose_name = "日历调整日"
        verbose_name_plural = "日历调整日"
        ordering = ["date"]


# ---------------------------------------------------------------------------
# Clocks: legal time limits as ledgers
# ---------------------------------------------------------------------------
class ClockRule(models.Model):
    """A statutory time limit (Froide-style rule row), versioned by effective date."""

    class DayUnit(models.TextChoices):
        WORKING = "wd", "工作日"
        CALENDAR = "d", "日"

    code = models.CharField("规则代码", max_length=80)
    label = models.CharField("名称", max_length=100)
    budget = models.PositiveIntegerField("期限")
    day_unit = models.CharField("计日方式", max_length=2, choices=DayUnit.choices)
    citation = models.CharField("法律依据", max_length=200)
    effective_from = models.DateField("施行日期", default=dt.date(1900, 1, 1))
    effective_to = models.DateField("失效日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "期限规则"
        verbose_name_plural = "期限规则"
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="clockrule_version")]
        ordering = ["code", "effective_from"]

    def __str__(self) -> str:
        return f"{self.label}（{self.budget}{self.get_day_unit_display()}，{self.citation}）"


class Clock(models.Model):
    """A running legal time limit of one matter. The events are the truth; due_date is derived."""

    class Status(models.TextChoices):
        RUNNING = "running", "计时中"
        PAUSED = "paused", "已中止"
        STOPPED = "stopped", "已结束"

    rule = models.ForeignKey(ClockRule, on_delete=models.PROTECT, related_name="clocks")
    name = models.CharField("时钟名", max_length=50)  # the procedure's name for this clock
    matter_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    matter_id = models.PositiveBigIntegerField()
    matter = GenericForeignKey("matter_type", "matter_id")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="clocks")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_on = models.DateField("起算日")
    due_date = models.DateField("届满日", null=True, blank=True, db_index=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    stopped_on = models.DateField("结束日", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "期限"
        verbose_name_plural = "期限"
        indexes = [
            models.Index(fields=["matter_type", "matter_id"]),
            models.Index(fields=["status", "due_date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["matter_type", "matter_id", "name"], name="clock_per_matter_name")
        ]


class ClockEvent(models.Model):
    """Append-only ledger line of a clock."""

    class Kind(models.TextChoices):
        START = "start", "起算"
        PAUSE = "pause", "中止"
        RESUME = "resume", "恢复"
        RESTART = "restart", "重新起算"
        EXTEND = "extend", "延长"
        STOP = "stop", "结束"

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    on = models.DateField("日期")
    amount = models.PositiveIntegerField("延长天数", default=0)
    amount_unit = models.CharField(max_length=2, blank=True)
    reason = models.CharField("理由", max_length=300, blank=True)
    approver = models.CharField("批准人", max_length=100, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clock", "seq"]
        constraints = [models.UniqueConstraint(fields=["clock", "seq"], name="clockevent_seq")]


# ---------------------------------------------------------------------------
# Attachments and document numbers
# ---------------------------------------------------------------------------
def attachment_path(instance: "Attachment", filename: str) -> str:
    # Stored by digest, never under the user's name: no path tricks, no overwrite by name.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="attachments")
    owner_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"


class DocumentSequence(models.Model):
    """Per unit, year and document type: the last number issued (文号)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sequences")
    year = models.PositiveIntegerField()
    doc_type = models.CharField("文书类型", max_length=50)
    prefix = models.CharField("机关代字", max_length=30)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year", "doc_type"], name="docseq_unique")]


class IssuedNumber(models.Model):
    """Every number issued, so gaps and duplicates are provably absent."""

    sequence = models.ForeignKey(DocumentSequence, on_delete=models.PROTECT, related_name="issued")
    number = models.PositiveIntegerField()
    text = models.CharField("文号", max_length=60, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sequence", "number"], name="issued_unique")]


# ---------------------------------------------------------------------------
# Metrics registered without code (vocabulary, returns)
# ---------------------------------------------------------------------------
class MetricDefinition(models.Model):
    code = models.CharField("指标代码", max_length=80, unique=True)
    label = models.CharField("名称", max_length=100)
    unit = models.CharField("计量单位", max_length=10, blank=True)
    formula = models.TextField("口径", blank=True)
    source = models.CharField("来源", max_length=50, blank=True)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["code"]


# ---------------------------------------------------------------------------
# Matter: the abstract base of every procedure-driven record
# ---------------------------------------------------------------------------
class MatterQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .scoping import visible_unit_ids

        return self.filter(unit_id__in=visible_unit_ids(user))


class Matter(models.Model):
    """Base of every record that moves through a procedure (see fazhi.core.procedure)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    state = models.CharField("状态", max_length=40)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MatterQuerySet.as_manager()

    # Set by each concrete model: its Procedure declaration.
    procedure = None

    class Meta:
        abstract = True
