"""行政复议: cases, applicants and the records of each step (《行政复议法》2023).

Who sees a case (``CaseQuerySet.visible_to``, the one rule every page, API endpoint and export uses):

- A case belongs to the 行政复议机构 that handles it (``Case.unit``, e.g. the 司法局 for the
  government as 行政复议机关); whoever may see that unit under fazhi.core.scoping sees the case
  (the government's coordinators and auditors, the office's own staff).
- In addition, the operators and leaders of the respondent unit (``respondent_unit``), and of the
  units above it within their reach (a membership reaches its unit and the units below, as
  everywhere in the spine), see the cases against that unit, so that they can answer them
  (第四十八条). They see nothing else: no case against another unit.

State changes are the office's (roles at ``Case.unit``); the respondent's only write is its reply
(``services.do_record_reply``).
"""
from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.core import scoping
from fazhi.core.models import Matter, MatterQuerySet, Role, Unit
from fazhi.core.scoping import ScopedQuerySet, visible_unit_ids

from .procedure import OPINION_PROCEDURE, PROCEDURE, SUSPENSION_GROUNDS

RESPONDENT_ROLES = {Role.OPERATOR, Role.LEADER}

# Tracking codes (查询码): 12 symbols of a 31-letter alphabet without look-alikes (0/O, 1/I/L):
# 31^12 ≈ 7.9 × 10^17 codes, so guessing one is hopeless; only the SHA-256 is stored.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, TRACKING_LENGTH, 4))


def normalise_tracking_code(code: str) -> str:
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())


def hash_tracking_code(code: str) -> str:
    return hashlib.sha256(normalise_tracking_code(code).encode()).hexdigest()


def respondent_unit_ids(user) -> models.QuerySet:
    """Units whose cases ``user`` may see as the respondent: operator/leader units and their subtrees."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Unit.objects.none().values("pk")
    # The user's cached reach (operator/leader reach their own unit's subtree): no query of its own.
    paths = [path for path, role in scoping.reach(user) if role in RESPONDENT_ROLES]
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path)
    if not q:
        return Unit.objects.none().values("pk")
    return Unit.objects.filter(q).values("pk")


class OfficeQuerySet(ScopedQuerySet):
    unit_field = "government"


class Office(models.Model):
    """The 行政复议机关 of a government and its 行政复议机构; per-government settings of the module."""

    government = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="人民政府")
    office_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="行政复议机构",
                                    help_text="办理行政复议案件的单位（通常为司法局），案件归属该单位。")
    organ_name = models.CharField("行政复议机关名称", max_length=100)
    number_prefix = models.CharField("案号代字", max_length=30, default="行复",
                                     help_text="如“云府复”，案号形如 云府复〔2025〕12号。")
    correction_formula = models.CharField("纠错率口径", max_length=40, default="direct.v1")
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = "行政复议机构设置"
        verbose_name_plural = "行政复议机构设置"

    def __str__(self) -> str:
        return f"{self.organ_name}（{self.office_unit.name}）"

    @property
    def unit(self) -> Unit:  # audit records and scoping read ``unit``
        return self.government


class CaseQuerySet(MatterQuerySet):
    def visible_to(self, user):
        """The one visibility rule of reconsideration cases (see the module docstring)."""
        return self.filter(Q(unit_id__in=visible_unit_ids(user)) | Q(respondent_unit_id__in=respondent_unit_ids(user)))


class Case(Matter):
    class Channel(models.TextChoices):
        ONLINE = "online", "网上申请"
        COUNTER = "counter", "当面递交"
        MAIL = "mail", "邮寄"

    class ProcedureType(models.TextChoices):
        ORDINARY = "ordinary", "普通程序"
        SIMPLIFIED = "simplified", "简易程序"

    class SimplifiedGround(models.TextChoices):
        # 第五十三条
        ON_THE_SPOT = "on_the_spot", "被申请行政复议的行政行为是当场作出"
        WARNING = "warning", "被申请行政复议的行政行为是警告或者通报批评"
        AMOUNT = "amount", "案件涉及款额三千元以下"
        DISCLOSURE = "disclosure", "属于政府信息公开案件"
        CONSENT = "consent", "当事人各方同意适用简易程序"

    class Outcome(models.TextChoices):
        ALTERED = "altered", "变更"  # 第六十三条
        REVOKED = "revoked", "撤销"  # 第六十四条
        REVOKED_REDO = "revoked_redo", "撤销并责令重新作出"  # 第六十四条
        CONFIRMED_ILLEGAL = "confirmed_illegal", "确认违法"  # 第六十五条
        ORDERED_PERFORMANCE = "ordered_performance", "责令履行"  # 第六十六条
        CONFIRMED_VOID = "confirmed_void", "确认无效"  # 第六十七条
        UPHELD = "upheld", "维持"  # 第六十八条
        DISMISSED_REQUEST = "dismissed_request", "驳回行政复议请求"  # 第六十九条
        DISMISSED_APPLICATION = "dismissed_application", "驳回申请"  # 第三十三条
        MEDIATED = "mediated", "调解"  # 第七十三条
        SETTLED_WITHDRAWN = "settled_withdrawn", "和解后撤回终止"  # 第七十四条、第四十一条第一项
        WITHDRAWN = "withdrawn", "撤回申请终止"  # 第四十一条第一项
        TERMINATED = "terminated", "其他情形终止"  # 第四十一条第二项至第五项

    class Acceptance(models.TextChoices):
        DECIDED = "decided", "决定受理"
        DEEMED = "deemed", "视为受理"

    number = models.CharField("案号", max_length=60, unique=True, null=True, blank=True)
    tracking_code_hash = models.CharField("查询码摘要", max_length=64, unique=True, editable=False)
    channel = models.CharField("申请方式", max_length=10, choices=Channel.choices)
    received_on = models.DateField("收到申请日期")
    # The clocks pick the rule version in force on this date (a case keeps the law of its filing).
    rules_date = models.DateField("适用规则日期", null=True, blank=True)
    respondent_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="被申请人")
    act_description = models.TextField("被申请复议的行政行为")
    act_date = models.DateField("行政行为作出日期", null=True, blank=True)
    act_known_on = models.DateField("知道或者应当知道该行政行为之日", null=True, blank=True)
    request = models.TextField("行政复议请求", blank=True)
    late_flag = models.BooleanField("超过申请期限提示", default=False)
    late_reason = models.CharField("超期说明", max_length=300, blank=True)
    procedure_type = models.CharField("审理程序", max_length=10, choices=ProcedureType.choices,
                                      default=ProcedureType.ORDINARY)
    simplified_ground = models.CharField("适用简易程序的情形", max_length=20, choices=SimplifiedGround.choices,
                                         blank=True)
    amount = models.DecimalField("涉及款额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    converted_on = models.DateField("转为普通程序日期", null=True, blank=True)
    correction_items = models.TextField("需要补正的事项", blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    acceptance_kind = models.CharField("受理方式", max_length=10, choices=Acceptance.choices, blank=True)
    acceptance_note = models.CharField("受理依据", max_length=300, blank=True)
    refused_on = models.DateField("不予受理日期", null=True, blank=True)
    refusal_reason = models.TextField("不予受理理由", blank=True)
    copy_sent_on = models.DateField("副本发送被申请人日期", null=True, blank=True)
    reply_missing_flag = models.BooleanField("被申请人逾期未答复", default=False)
    reply_missing_note = models.CharField("逾期未答复提示", max_length=300, blank=True)
    suspension_flag = models.BooleanField("中止满六十日提示", default=False)
    suspension_note = models.CharField("中止满六十日说明", max_length=300, blank=True)
    outcome = models.CharField("结案方式", max_length=30, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField("决定理由摘要", blank=True)
    termination_ground = models.CharField("终止情形", max_length=300, blank=True)
    concluded_on = models.DateField("结案日期", null=True, blank=True)
    trial_due_on = models.DateField("结案时的审理期限届满日", null=True, blank=True)
    concluded_on_time = models.BooleanField("在审理期限内结案", null=True, blank=True)
    served_on = models.DateField("送达日期", null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="承办人（行政复议人员）")

    objects = CaseQuerySet.as_manager()
    procedure = PROCEDURE

    class Meta:
        verbose_name = "行政复议案件"
        verbose_name_plural = "行政复议案件"
        indexes = [models.Index(fields=["state"]), models.Index(fields=["received_on"]),
                   models.Index(fields=["concluded_on"]), models.Index(fields=["accepted_on"])]

    def __str__(self) -> str:
        # No personal data here: this text appears in drill-downs, the inbox and the audit trail.
        who = self.respondent_unit.short_name or self.respondent_unit.name if self.respondent_unit_id else ""
        return f"{self.display_number}（被申请人：{who}）"

    @property
    def display_number(self) -> str:
        return self.number or f"收件第 {self.pk} 号"

    @property
    def state_label(self) -> str:
        return self.procedure.state_label(self.state)

    def get_absolute_url(self) -> str:
        return f"/reconsideration/{self.pk}/"

    @property
    def is_corrective(self) -> bool:
        from .metrics import formula_for

        return self.outcome in formula_for(self.unit).numerator


class Applicant(models.Model):
    """申请人 (personal information: pages that show it log the view, 《个人信息保护法》)."""

    class Kind(models.TextChoices):
        PERSON = "person", "自然人"
        LEGAL = "legal", "法人"
        OTHER = "other", "其他组织"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="applicants")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField("姓名或名称", max_length=100)
    id_number = models.CharField("身份证件号码或统一社会信用代码", max_length=30, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("住所或通讯地址", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "申请人"
        verbose_name_plural = "申请人"
        ordering = ["case", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id(self) -> str:
        n = self.id_number
        return n if len(n) <= 8 else f"{n[:4]}{'*' * (len(n) - 8)}{n[-4:]}"


class CaseRecord(models.Model):
    """Base of the records of a step of a case; they are seen with the case and written by its services."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        abstract = True

    @property
    def unit(self):
        return self.case.unit


class Correction(CaseRecord):
    """补正通知 (第三十一条)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    notice_on = models.DateField("补正通知日期")
    items = models.TextField("需要补正的事项")
    extended_days = models.PositiveIntegerField("延长补正期限（工作日）", default=0)
    extension_reason = models.CharField("延长理由", max_length=300, blank=True)
    received_on = models.DateField("收到补正材料日期", null=True, blank=True)

    class Meta:
        verbose_name = "补正通知"
        verbose_name_plural = "补正通知"
        ordering = ["notice_on", "pk"]


class Reply(models.Model):
    """被申请人的书面答复 (第四十八条); evidence files are core Attachments owned by this record."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    # The respondent's unit: its evidence files are stored under that unit.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="答复单位")
    received_on = models.DateField("收到答复日期")
    summary = models.TextField("答复意见摘要", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="提交人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "被申请人答复"
        verbose_name_plural = "被申请人答复"
        ordering = ["received_on", "pk"]

    def attachments(self):
        from django.contrib.contenttypes.models import ContentType

        from fazhi.core.models import Attachment

        return Attachment.objects.filter(owner_type=ContentType.objects.get_for_model(Reply), owner_id=self.pk)


class Hearing(CaseRecord):
    """听证 (第五十条、第五十一条)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hearings")
    held_on = models.DateField("听证日期")
    notice_on = models.DateField("听证通知日期")
    place = models.CharField("地点", max_length=200, blank=True)
    presider = models.CharField("主持人", max_length=50, blank=True)
    participants = models.TextField("参加人员", blank=True)
    respondent_head_attended = models.BooleanField("被申请人负责人参加", null=True, blank=True)
    transcript = models.TextField("听证笔录", blank=True)

    class Meta:
        verbose_name = "听证"
        verbose_name_plural = "听证"
        ordering = ["held_on", "pk"]


class CommitteeConsultation(CaseRecord):
    """行政复议委员会咨询意见 (第五十二条)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consultations")
    ground = models.CharField("提请咨询的情形", max_length=2)
    requested_on = models.DateField("提请日期")
    opinion = models.TextField("咨询意见", blank=True)

    class Meta:
        verbose_name = "委员会咨询"
        verbose_name_plural = "委员会咨询"
        ordering = ["requested_on", "pk"]


class Suspension(CaseRecord):
    """中止 (第三十九条) and its resumption; the trial clock does not run from ``from_on`` to ``to_on``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    ground = models.CharField("中止情形", max_length=2, choices=SUSPENSION_GROUNDS)
    from_on = models.DateField("中止日期")
    to_on = models.DateField("恢复日期", null=True, blank=True)
    notice_on = models.DateField("书面告知日期", null=True, blank=True)
    reason = models.CharField("具体理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "中止审理"
        verbose_name_plural = "中止审理"
        ordering = ["from_on", "pk"]


class Extension(CaseRecord):
    """延长审理期限 (第六十二条第一款): once, at most 30 days, approved by the office's head."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveIntegerField("延长日数")
    approved_on = models.DateField("批准日期")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="批准人（行政复议机构负责人）")
    notice_on = models.DateField("书面告知当事人日期")
    reason = models.CharField("延长理由", max_length=300)

    class Meta:
        verbose_name = "延长审理期限"
        verbose_name_plural = "延长审理期限"


class Conversion(CaseRecord):
    """简易程序转为普通程序 (第五十五条)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conversions")
    converted_on = models.DateField("转换日期")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="批准人（行政复议机构负责人）")
    clock_mode = models.CharField("审理期限计算", max_length=20)
    reason = models.CharField("理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "转为普通程序"
        verbose_name_plural = "转为普通程序"


class OpinionQuerySet(MatterQuerySet):
    def visible_to(self, user):
        # An opinion letter is seen by whoever sees its case.
        return self.filter(case__in=Case.objects.visible_to(user))


class OpinionLetter(Matter):
    """行政复议意见书 (第七十六条): the recipient reports back within 60 days."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="opinions")
    recipient = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="受文单位")
    issued_on = models.DateField("制发日期")
    content = models.TextField("意见内容")
    reply_on = models.DateField("收到反馈日期", null=True, blank=True)
    reply_text = models.TextField("纠正情况反馈", blank=True)

    objects = OpinionQuerySet.as_manager()
    procedure = OPINION_PROCEDURE

    class Meta:
        verbose_name = "行政复议意见书"
        verbose_name_plural = "行政复议意见书"

    def __str__(self) -> str:
        return f"行政复议意见书（{self.case.display_number}，致{self.recipient.short_name or self.recipient.name}）"

    def get_absolute_url(self) -> str:
        return f"/reconsideration/{self.case_id}/#opinion-{self.pk}"


class CorrectionFormulaChoice(models.TextChoices):
    """Named 纠错率 formulas (口径); definitions in metrics.FORMULAS."""

    DIRECT_V1 = "direct.v1", "直接纠错率（第1版）"
    DECIDED_V1 = "decided.v1", "以决定结案为分母的纠错率（第1版）"
    NARROW_V1 = "narrow.v1", "狭义纠错率（第1版）"
