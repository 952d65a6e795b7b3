"""行政执法监督: bodies, powers, officers and certificates, imported case records, their legal checks,
roll-ups, file review (案卷评查), supervision opinions and complaints.

Personal data of parties is never stored in clear: a natural person's name is kept masked (张*),
an ID number only as a salted SHA-256 (``fazhi.enforcement.privacy``). Organisations' names are
public information in a published decision and are kept as given.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from fazhi.core.models import Matter, Unit
from fazhi.core.scoping import ScopedQuerySet

from .procedure import COMPLAINT_PROCEDURE, OPINION_PROCEDURE


class BodyKind(models.TextChoices):
    AGENCY = "agency", "行政机关"
    AUTHORISED = "authorised", "法律法规授权组织"
    ENTRUSTED = "entrusted", "受委托组织"


class CaseKind(models.TextChoices):
    INSPECTION = "inspection", "行政检查"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    LICENCE = "licence", "行政许可"
    LEVY = "levy", "行政征收"
    CONFIRMATION = "confirmation", "行政确认"
    OTHER = "other", "其他"


# Kinds whose outcome is an enforcement decision (执法决定) that must be published (国办发〔2018〕118号).
DECISION_KINDS = ("penalty", "coercion", "licence", "levy", "confirmation", "other")


class Body(models.Model):
    """执法主体."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="enforcement_bodies", verbose_name="所属单位")
    code = models.CharField("主体代码", max_length=40, unique=True)
    name = models.CharField("主体名称", max_length=120)
    kind = models.CharField("主体类型", max_length=12, choices=BodyKind.choices, default=BodyKind.AGENCY)
    legal_basis = models.TextField("设立或授权、委托依据", blank=True)
    entrusted_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="entrusted", verbose_name="委托机关")
    active = models.BooleanField("有效", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "执法主体"
        verbose_name_plural = "执法主体"
        ordering = ["unit__path", "code"]

    def __str__(self) -> str:
        return self.name


class PowerQuerySet(ScopedQuerySet):
    unit_field = "body__unit"


class Power(models.Model):
    """权责清单事项."""

    class Kind(models.TextChoices):
        LICENCE = "licence", "行政许可"
        PENALTY = "penalty", "行政处罚"
        COERCION = "coercion", "行政强制"
        INSPECTION = "inspection", "行政检查"
        LEVY = "levy", "行政征收"
        CONFIRMATION = "confirmation", "行政确认"
        PAYMENT = "payment", "行政给付"
        AWARD = "award", "行政奖励"
        RULING = "ruling", "行政裁决"
        OTHER = "other", "其他行政权力"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="powers", verbose_name="执法主体")
    code = models.CharField("事项编码", max_length=60)
    name = models.CharField("事项名称", max_length=200)
    kind = models.CharField("权力类型", max_length=14, choices=Kind.choices)
    basis = models.TextField("设定依据", blank=True)

    objects = PowerQuerySet.as_manager()

    class Meta:
        verbose_name = "权责清单事项"
        verbose_name_plural = "权责清单事项"
        constraints = [models.UniqueConstraint(fields=["body", "code"], name="enf_power_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class Officer(models.Model):
    """执法人员 or 执法辅助人员 (auxiliaries hold no certificate and may not act alone)."""

    class Kind(models.TextChoices):
        OFFICER = "officer", "执法人员"
        AUXILIARY = "auxiliary", "执法辅助人员"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="enforcement_officers", verbose_name="单位")
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="officers",
                             verbose_name="执法主体")
    name = models.CharField("姓名", max_length=50)  # 执法人员 are published (118号 事前公示)
    kind = models.CharField("人员类别", max_length=10, choices=Kind.choices, default=Kind.OFFICER)
    id_hash = models.CharField("身份证号摘要", max_length=64, blank=True)
    active = models.BooleanField("在岗", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "执法人员"
        verbose_name_plural = "执法人员"
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return self.name


class CertificateQuerySet(ScopedQuerySet):
    unit_field = "officer__unit"

    def valid_on(self, day):
        return self.filter(valid_from__lte=day, valid_to__gte=day).exclude(
            status__in=(Certificate.Status.SUSPENDED, Certificate.Status.REVOKED), status_since__lte=day)


class Certificate(models.Model):
    """执法证 / 监督证. Valid on a day: within its validity and not suspended or revoked by then."""

    class Kind(models.TextChoices):
        ENFORCEMENT = "enforcement", "行政执法证"
        SUPERVISION = "supervision", "行政执法监督证"

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "暂扣"
        REVOKED = "revoked", "吊销/注销"
        EXPIRED = "expired", "过期"

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="certificates", verbose_name="持证人")
    kind = models.CharField("证件类型", max_length=12, choices=Kind.choices, default=Kind.ENFORCEMENT)
    number = models.CharField("证号", max_length=40, unique=True)
    issuer = models.CharField("发证机关", max_length=100)
    valid_from = models.DateField("有效期自")
    valid_to = models.DateField("有效期至")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.VALID)
    status_since = models.DateField("状态变更日期", null=True, blank=True)
    training_hours = models.PositiveIntegerField("培训学时", default=0)
    exam_passed_on = models.DateField("考试合格日期", null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "执法证件"
        verbose_name_plural = "执法证件"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def unit(self):
        return self.officer.unit


class StandardList(models.Model):
    """A versioned list: 不予/从轻/减轻处罚清单 or 裁量基准. A new version is a new row; cases keep the item they applied."""

    class Kind(models.TextChoices):
        NO_PENALTY = "no_penalty", "不予处罚清单"
        LIGHTER = "lighter", "从轻处罚清单"
        MITIGATED = "mitigated", "减轻处罚清单"
        DISCRETION = "discretion", "行政处罚裁量基准"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="制定单位")
    kind = models.CharField("清单类型", max_length=12, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    version = models.PositiveIntegerField("版本", default=1)
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "清单与裁量基准"
        verbose_name_plural = "清单与裁量基准"
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "version"], name="enf_list_version")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"


class StandardItem(models.Model):
    standard = models.ForeignKey(StandardList, on_delete=models.PROTECT, related_name="items")
    code = models.CharField("事项编码", max_length=40, unique=True)  # versions get new codes: a case's item never moves
    title = models.CharField("违法行为", max_length=300)
    basis = models.TextField("依据", blank=True)
    measure = models.CharField("处理方式或裁量幅度", max_length=300, blank=True)

    class Meta:
        verbose_name = "清单事项"
        verbose_name_plural = "清单事项"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


# ---------------------------------------------------------------------------
# Imported case records
# ---------------------------------------------------------------------------
class Problem:
    """Bits of ``Case.problems``: each a legal check (statutory-rules.md §5) the case failed."""

    PUBLICATION = 1      # 国办发〔2018〕118号: 许可/处罚 7 个工作日, 其他执法决定 20 个工作日内公示
    WITHDRAWAL = 2       # 行政处罚法 第四十八条、第八十五条: 撤销等后 3 个工作日内撤回公示
    LEGAL_REVIEW = 4     # 行政处罚法 第五十八条: 重大执法决定作出前须经法制审核
    DECISION_TIME = 8    # 行政处罚法 第六十条: 立案之日起 90 日内作出处罚决定
    OFFICERS = 16        # 行政处罚法 第四十二条、行政强制法 第十八条: 两名以上持有效证件的执法人员
    HEARING = 32         # 行政处罚法 第六十三条: 应当告知听证权利
    RECORD = 64          # 行政处罚法 第四十七条、118号: 全过程音像记录

    LABELS = {
        PUBLICATION: ("未按期公示", "国办发〔2018〕118号：行政许可、行政处罚决定自作出之日起7个工作日内公示，其他执法决定20个工作日内公示"),
        WITHDRAWAL: ("撤销后未按期撤回公示", "《行政处罚法》第四十八条、第八十五条：决定被变更、撤销、确认违法或无效的，3个工作日内撤回公示信息"),
        LEGAL_REVIEW: ("重大执法决定未经事前法制审核", "《行政处罚法》第五十八条：未经法制审核或审核未通过的，不得作出决定"),
        DECISION_TIME: ("超过90日未作出处罚决定", "《行政处罚法》第六十条：自立案之日起九十日内作出行政处罚决定"),
        OFFICERS: ("执法人员不足两人或证件无效", "《行政处罚法》第四十二条、《行政强制法》第十八条：执法人员不得少于两人，须持有效执法证件"),
        HEARING: ("应告知听证而未告知", "《行政处罚法》第六十三条：较大数额罚款、吊销许可证件、责令停产停业等应告知听证权利"),
        RECORD: ("缺少全过程音像记录", "《行政处罚法》第四十七条、国办发〔2018〕118号：查封扣押、强制拆除等须全程音像记录"),
    }
    ALL = tuple(LABELS)

    @classmethod
    def names(cls, bits: int) -> list[str]:
        return [cls.LABELS[b][0] for b in cls.ALL if bits & b]


class CaseQuerySet(ScopedQuerySet):
    pass


class Case(models.Model):
    """One enforcement act imported from a case system. Natural key: (source_system, case_number)."""

    source_system = models.CharField("来源系统", max_length=40)
    case_number = models.CharField("案件编号", max_length=80)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位", db_index=False)
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="执法主体", db_index=False)
    kind = models.CharField("执法类别", max_length=12, choices=CaseKind.choices)
    party_type = models.CharField("当事人类型", max_length=6, blank=True)  # person | org
    party_name = models.CharField("当事人（自然人已脱敏）", max_length=200, blank=True)
    party_id_hash = models.CharField("证件号码摘要", max_length=64, blank=True)
    filed_on = models.DateField("立案日期", null=True, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    served_on = models.DateField("送达日期", null=True, blank=True)
    published_on = models.DateField("公示日期", null=True, blank=True)
    revoked_on = models.DateField("决定被撤销/变更日期", null=True, blank=True)
    withdrawn_on = models.DateField("撤回公示日期", null=True, blank=True)
    event_on = models.DateField("统计日期")  # decided_on, or filed_on for acts without a decision
    penalty_types = models.CharField("处罚种类", max_length=200, blank=True)
    fine_amount = models.DecimalField("罚没金额（元）", max_digits=14, decimal_places=2, default=0)
    major = models.BooleanField("重大执法决定", default=False)
    legal_review_on = models.DateField("法制审核日期", null=True, blank=True)
    hearing_offered = models.BooleanField("告知听证", default=False)
    hearing_held = models.BooleanField("举行听证", default=False)
    record_required = models.BooleanField("须全程音像记录", default=False)
    av_record = models.BooleanField("有全过程音像记录", default=False)
    officer1 = models.CharField("执法证号1", max_length=40, blank=True)
    officer2 = models.CharField("执法证号2", max_length=40, blank=True)
    lenient_item = models.CharField("适用从轻/减轻/不予处罚清单事项", max_length=40, blank=True)
    discretion_item = models.CharField("适用裁量基准事项", max_length=40, blank=True)
    problems = models.IntegerField("问题", default=0)
    checked_on = models.DateField("校验日期", null=True, blank=True)
    row_hash = models.CharField(max_length=32)
    batch = models.ForeignKey("ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              db_index=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "执法案件"
        verbose_name_plural = "执法案件"
        constraints = [models.UniqueConstraint(fields=["source_system", "case_number"], name="enf_case_natural_key")]
        # Keyset pagination of one unit's list, newest first, and per-unit roll-ups.
        indexes = [models.Index(fields=["unit", "event_on", "id"], name="enf_case_unit_event"),
                   # Cases that applied a list item or a benchmark item (a minority): per-item counts and
                   # the "item in use" check of the list pages, without a scan of 10^7 rows.
                   models.Index(fields=["lenient_item"], name="enf_case_lenient",
                                condition=~models.Q(lenient_item="")),
                   models.Index(fields=["discretion_item"], name="enf_case_discretion",
                                condition=~models.Q(discretion_item=""))]

    def __str__(self) -> str:
        return f"{self.case_number}（{self.get_kind_display()}）"

    def get_absolute_url(self) -> str:
        return f"/enforcement/cases/{self.pk}/"

    @property
    def problem_names(self) -> list[str]:
        return Problem.names(self.problems)

    @property
    def problem_details(self) -> list[tuple[str, str]]:
        return [Problem.LABELS[b] for b in Problem.ALL if self.problems & b]


class UnitYearStat(models.Model):
    """Roll-up per unit, year and kind, maintained by every import and check run.

    ``rollups.verify()`` proves it equals a recomputation from the raw case rows.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12)
    cases = models.PositiveIntegerField(default=0)
    decisions = models.PositiveIntegerField(default=0)
    published_on_time = models.PositiveIntegerField(default=0)
    fines_total = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    major = models.PositiveIntegerField(default=0)
    major_reviewed = models.PositiveIntegerField(default=0)
    record_required = models.PositiveIntegerField(default=0)
    record_present = models.PositiveIntegerField(default=0)
    timed = models.PositiveIntegerField(default=0)  # penalties with 立案 and 决定 dates
    timed_ok = models.PositiveIntegerField(default=0)
    lenient = models.PositiveIntegerField(default=0)
    with_problems = models.PositiveIntegerField(default=0)
    p_publication = models.PositiveIntegerField(default=0)
    p_withdrawal = models.PositiveIntegerField(default=0)
    p_legal_review = models.PositiveIntegerField(default=0)
    p_decision_time = models.PositiveIntegerField(default=0)
    p_officers = models.PositiveIntegerField(default=0)
    p_hearing = models.PositiveIntegerField(default=0)
    p_record = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year", "kind"], name="enf_stat_unique")]
        indexes = [models.Index(fields=["year", "unit"], name="enf_stat_year_unit")]


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="上传单位")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField(max_length=64, blank=True)
    encoding = models.CharField("编码", max_length=20, blank=True)
    all_or_nothing = models.BooleanField("全部成功才导入", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField("阶段", max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    inserted = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变化", default=0)
    rejected = models.PositiveIntegerField("拒绝", default=0)
    message = models.TextField("说明", blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"导入批次 {self.pk}：{self.file_name}"


class ImportRejection(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=40)
    reason = models.CharField("原因", max_length=300)

    class Meta:
        ordering = ["row", "pk"]


# ---------------------------------------------------------------------------
# File review (案卷评查)
# ---------------------------------------------------------------------------
class ScoreSheet(models.Model):
    """评查评分表, as data. ``thresholds``: [[grade, minimum score], …] from the best grade down."""

    code = models.CharField("代码", max_length=40)
    version = models.PositiveIntegerField("版本", default=1)
    title = models.CharField("名称", max_length=200)
    thresholds = models.JSONField("等次分数线", default=list)
    fail_grade = models.CharField("否决等次", max_length=20, default="不合格")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="enf_sheet_version")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"


class ScoreItem(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="items")
    code = models.CharField("编号", max_length=20)
    category = models.CharField("类别", max_length=20)  # 主体、事实、证据、程序、说理、文书
    label = models.CharField("评查内容", max_length=300)
    points = models.PositiveIntegerField("分值", default=0)
    veto = models.BooleanField("一票否决", default=False)

    class Meta:
        ordering = ["sheet", "pk"]
        constraints = [models.UniqueConstraint(fields=["sheet", "code"], name="enf_item_code")]


class SamplingRun(models.Model):
    """A reproducible draw (双随机): the population's hash and the seed are logged; anyone can re-draw."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="组织单位")
    title = models.CharField("名称", max_length=200)
    period_start = models.DateField("案件起始日期")
    period_end = models.DateField("案件截止日期")
    kinds = models.JSONField("执法类别", default=list)
    per_stratum = models.PositiveIntegerField("每层抽取数")
    seed = models.CharField("随机种子", max_length=64)
    population_size = models.PositiveIntegerField("总体数量")
    population_hash = models.CharField("总体快照摘要", max_length=64)
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/enforcement/reviews/{self.pk}/"


class ReviewFileQuerySet(ScopedQuerySet):
    pass


class ReviewFile(models.Model):
    run = models.ForeignKey(SamplingRun, on_delete=models.PROTECT, related_name="files")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField("分层", max_length=80)
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="评查人员")
    deductions = models.JSONField("扣分", default=dict, blank=True)  # item code → points deducted
    vetoed = models.JSONField("否决项", default=list, blank=True)
    score = models.DecimalField("得分", max_digits=6, decimal_places=1, null=True, blank=True)
    grade = models.CharField("等次", max_length=20, blank=True)
    comment = models.TextField("评查意见", blank=True)
    reviewed_on = models.DateField("评查日期", null=True, blank=True)
    exemplary = models.BooleanField("优秀案卷", default=False)
    poor = models.BooleanField("典型差案", default=False)
    version = models.PositiveIntegerField(default=1)

    objects = ReviewFileQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "case"], name="enf_review_once")]

    def __str__(self) -> str:
        return f"评查案卷 {self.case.case_number}"


# ---------------------------------------------------------------------------
# Supervision opinions and complaints (procedures with clocks)
# ---------------------------------------------------------------------------
class Opinion(Matter):
    """监督意见书 issued to ``unit`` (the supervised unit)."""

    number = models.CharField("文号", max_length=60)
    issued_by = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="制发单位")
    subject = models.CharField("事由", max_length=300)
    content = models.TextField("监督意见")
    problem = models.IntegerField("问题类型", default=0)
    cases = models.ManyToManyField(Case, blank=True, related_name="+", verbose_name="涉及案件")
    review_file = models.ForeignKey(ReviewFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField("制发日期")
    reply = models.TextField("回复与整改情况", blank=True)
    replied_on = models.DateField("回复日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)

    procedure = OPINION_PROCEDURE

    class Meta:
        verbose_name = "监督意见书"
        verbose_name_plural = "监督意见书"

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return f"/enforcement/opinions/{self.pk}/"

    @property
    def state_label(self) -> str:
        return self.procedure.state_label(self.state)


class Complaint(Matter):
    """执法投诉 against ``unit``; the complainant's name is masked like a party's."""

    complainant = models.CharField("投诉人（已脱敏）", max_length=100)
    subject = models.CharField("投诉事项", max_length=300)
    received_on = models.DateField("收到日期")
    reply = models.TextField("处理结果", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)

    procedure = COMPLAINT_PROCEDURE

    class Meta:
        verbose_name = "执法投诉"
        verbose_name_plural = "执法投诉"

    def __str__(self) -> str:
        return f"执法投诉：{self.subject}"

    def get_absolute_url(self) -> str:
        return f"/enforcement/complaints/{self.pk}/"

    @property
    def state_label(self) -> str:
        return self.procedure.state_label(self.state)


class DayIndex(models.Model):
    """Working-day arithmetic as data, so legal checks run set-based in SQL over millions of rows.

    ``wd_floor`` = working days on or before the day; ``wd_ceil`` = working days before it, plus one.
    A date D is within N working days after A (start day not counted, statutory-rules.md §0) when
    ``ceil(D) - floor(A) <= N``. ``p90`` is the ``idx`` of the 90-day decision limit (行政处罚法
    第六十条, calendar days, a last day falling on a rest day rolls to the next working day).
    Rebuilt from fazhi.core.workdays whenever the calendar changes (``dayindex.ensure``).
    """

    day = models.DateField(primary_key=True)
    iso = models.CharField(max_length=10, unique=True)
    idx = models.IntegerField(unique=True)
    year = models.SmallIntegerField()
    is_workday = models.BooleanField()
    wd_floor = models.IntegerField()
    wd_ceil = models.IntegerField()
    p90 = models.IntegerField()


class DayIndexMeta(models.Model):
    fingerprint = models.CharField(max_length=64)
