"""Services of 行政执法监督: every change here is scoped, transactional and audited."""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal

from django.db import transaction
from django.http import Http404

from fazhi.core import audit, clocks, scoping
from fazhi.core.models import Membership, Unit
from fazhi.core.procedure import GuardFailed, ProcedureError, RoleDenied, perform

from .models import Case, Complaint, Opinion, ReviewFile, SamplingRun, ScoreItem, ScoreSheet
from .privacy import mask_name


def _require_coordinator(user, unit: Unit, what: str) -> None:
    if not scoping.can_view_unit(user, unit):
        raise Http404("未找到该单位，或您无权查看。")
    if "coordinator" not in scoping.roles_at(user, unit) and "admin" not in scoping.roles_at(user, unit):
        raise RoleDenied(f"只有司法行政部门的法治协调员可以{what}。")


# ---------------------------------------------------------------------------
# File review: reproducible stratified sampling (双随机) and scoring sheets
# ---------------------------------------------------------------------------
def population(units, start: dt.date, end: dt.date, kinds: list[str]):
    """The sampling frame: decided cases of ``units`` in the period, in a canonical order."""
    qs = Case.objects.filter(unit__in=units, event_on__gte=start, event_on__lte=end, decided_on__isnull=False)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("source_system", "case_number")


def population_snapshot(units, start, end, kinds) -> tuple[str, list[tuple[int, int, str, str]]]:
    """(SHA-256 of the frame, its rows (id, unit, kind, natural key)): anyone can recompute both."""
    rows = list(population(units, start, end, kinds).values_list("id", "unit_id", "kind", "source_system",
                                                                  "case_number", "row_hash"))
    h = hashlib.sha256()
    for _id, unit_id, kind, src, number, row_hash in rows:
        h.update(f"{unit_id}|{kind}|{src}|{number}|{row_hash}\n".encode())
    return h.hexdigest(), [(r[0], r[1], r[2], f"{r[3]}/{r[4]}") for r in rows]


def draw(frame: list[tuple[int, int, str, str]], seed: str, per_stratum: int) -> list[tuple[int, str]]:
    """Stratified by (unit, kind); each stratum sorted by natural key, then shuffled by its own RNG
    seeded with (seed, stratum) — the same seed and frame always give the same sample."""
    strata: dict[tuple[int, str], list] = {}
    for case_id, unit_id, kind, key in frame:
        strata.setdefault((unit_id, kind), []).append((key, case_id))
    picked = []
    for (unit_id, kind) in sorted(strata):
        members = sorted(strata[(unit_id, kind)])
        rng = random.Random(f"{seed}|{unit_id}|{kind}")
        for key, case_id in rng.sample(members, min(per_stratum, len(members))):
            picked.append((case_id, f"{unit_id}/{kind}"))
    return picked


@transaction.atomic
def create_sampling(user, *, unit: Unit, title: str, start: dt.date, end: dt.date, kinds: list[str],
                    per_stratum: int, sheet: ScoreSheet, seed: str | None = None) -> SamplingRun:
    _require_coordinator(user, unit, "组织案卷评查抽样")
    if per_stratum < 1:
        raise ProcedureError("每层抽取数至少为 1。", "bad_input")
    if start > end:
        raise ProcedureError("起始日期晚于截止日期。", "bad_input")
    seed = seed or hashlib.sha256(f"{title}|{dt.datetime.now().isoformat()}".encode()).hexdigest()[:16]
    units = unit.subtree()
    pop_hash, frame = population_snapshot(units, start, end, kinds)
    if not frame:
        raise GuardFailed("所选范围内没有已作出决定的案件，无法抽样。")
    run = SamplingRun.objects.create(unit=unit, title=title, period_start=start, period_end=end, kinds=kinds,
                                     per_stratum=per_stratum, seed=seed, population_size=len(frame),
                                     population_hash=pop_hash, sheet=sheet, created_by=user)
    unit_of = {c[0]: c[1] for c in frame}
    ReviewFile.objects.bulk_create([ReviewFile(run=run, case_id=cid, unit_id=unit_of[cid], stratum=stratum)
                                    for cid, stratum in draw(frame, seed, per_stratum)])
    audit.record("enforcement.sample", actor=user, obj=run, unit=unit,
                 changes={"seed": seed, "population_hash": pop_hash, "population_size": len(frame),
                          "per_stratum": per_stratum, "sampled": run.files.count(), "kinds": kinds,
                          "period": [start, end]})
    return run


def redraw(run: SamplingRun) -> tuple[bool, list[int]]:
    """Re-draw a run from today's data: (population unchanged?, the case ids the seed gives)."""
    pop_hash, frame = population_snapshot(run.unit.subtree(), run.period_start, run.period_end, run.kinds)
    return pop_hash == run.population_hash, sorted(cid for cid, _ in draw(frame, run.seed, run.per_stratum))


@transaction.atomic
def assign_evaluator(user, review: ReviewFile, evaluator) -> ReviewFile:
    """Evaluators review files of other units only (回避: no one scores their own unit's files)."""
    _require_coordinator(user, review.run.unit, "指派评查人员")
    if Membership.objects.filter(user=evaluator, unit=review.unit).exists():
        raise GuardFailed(f"{evaluator} 是被评查单位“{review.unit}”的人员，应当回避，不能评查本单位案卷。")
    before = review.evaluator_id
    review.evaluator = evaluator
    review.version += 1
    review.save(update_fields=["evaluator", "version"])
    audit.record("enforcement.assign", actor=user, obj=review, unit=review.unit,
                 changes={"evaluator": [before, evaluator.pk]})
    return review


def score_sheet(sheet: ScoreSheet, deductions: dict[str, Decimal | int | float], vetoed: list[str]) -> tuple[Decimal, str]:
    """Score = Σ (points − deduction, not below 0); any veto item (一票否决) → score 0 and the fail grade."""
    items = {i.code: i for i in sheet.items.all()}
    unknown = [c for c in list(deductions) + list(vetoed) if c not in items]
    if unknown:
        raise ProcedureError("评分表中没有这些评查项：" + "、".join(unknown), "bad_input")
    not_veto = [c for c in vetoed if not items[c].veto]
    if not_veto:
        raise ProcedureError("这些评查项不是一票否决项：" + "、".join(not_veto), "bad_input")
    if vetoed:
        return Decimal("0"), sheet.fail_grade
    total = Decimal("0")
    for code, item in items.items():
        d = Decimal(str(deductions.get(code, 0)))
        if d < 0 or d > item.points:
            raise ProcedureError(f"评查项 {code} 的扣分应在 0 至 {item.points} 之间。", "bad_input")
        total += Decimal(item.points) - d
    grade = sheet.fail_grade
    for name, minimum in sheet.thresholds:
        if total >= Decimal(str(minimum)):
            grade = name
            break
    return total, grade


@transaction.atomic
def record_score(user, review: ReviewFile, *, version: int, deductions: dict, vetoed: list[str], comment: str = "",
                 on: dt.date | None = None, exemplary: bool = False, poor: bool = False) -> ReviewFile:
    current = ReviewFile.objects.select_for_update().select_related("run__sheet", "unit").get(pk=review.pk)
    if current.evaluator_id != user.pk:
        raise RoleDenied("只有被指派的评查人员可以评分。")
    if current.version != int(version):
        raise ProcedureError("该案卷已被他人修改，请刷新页面后重试。", "stale_version")
    score, grade = score_sheet(current.run.sheet, deductions, vetoed)
    before = {"score": current.score, "grade": current.grade}
    current.deductions = {k: float(v) for k, v in deductions.items()}
    current.vetoed = list(vetoed)
    current.score, current.grade, current.comment = score, grade, comment
    current.reviewed_on = on or clocks.today()
    current.exemplary, current.poor = exemplary, poor
    current.version += 1
    current.save()
    audit.record("enforcement.score", actor=user, obj=current, unit=current.unit,
                 changes={**audit.diff(before, {"score": score, "grade": grade}), "vetoed": vetoed})
    return current


# ---------------------------------------------------------------------------
# Supervision opinions and complaints
# ---------------------------------------------------------------------------
@transaction.atomic
def issue_opinion(user, *, unit: Unit, issued_by: Unit, number: str, subject: str, content: str,
                  issued_on: dt.date, problem: int = 0, case_ids: list[int] | None = None,
                  review: ReviewFile | None = None) -> Opinion:
    """Create a 监督意见书 to ``unit`` and issue it (starts the reply clock)."""
    _require_coordinator(user, unit, "制发监督意见书")
    if not subject.strip() or not content.strip():
        raise ProcedureError("事由和监督意见不能为空。", "bad_input")
    op = Opinion.objects.create(unit=unit, issued_by=issued_by, number=number, subject=subject, content=content,
                                issued_on=issued_on, problem=problem, review_file=review,
                                state=Opinion.procedure.initial)
    if case_ids:
        op.cases.set(Case.objects.filter(pk__in=case_ids, unit__in=unit.subtree()))
    audit.record("enforcement.opinion.create", actor=user, obj=op,
                 changes={"number": number, "subject": subject, "cases": case_ids or []})
    return perform(op, "issue", user, version=op.version, on=issued_on)


def reply_opinion(user, opinion: Opinion, *, version: int, reply: str, on: dt.date) -> Opinion:
    return perform(opinion, "reply", user, version=version, on=on,
                   changes={"reply": reply.strip(), "replied_on": on})


def return_opinion(user, opinion: Opinion, *, version: int, reason: str, on: dt.date) -> Opinion:
    return perform(opinion, "return", user, version=version, on=on, reason=reason)


def close_opinion(user, opinion: Opinion, *, version: int, on: dt.date) -> Opinion:
    return perform(opinion, "close", user, version=version, on=on, changes={"closed_on": on})


@transaction.atomic
def register_complaint(user, *, unit: Unit, complainant: str, subject: str, received_on: dt.date) -> Complaint:
    if not scoping.can_view_unit(user, unit):
        raise Http404("未找到该单位，或您无权查看。")
    if not scoping.can_change_unit(user, unit):
        raise RoleDenied("您的角色只能查看，不能登记执法投诉。")
    c = Complaint.objects.create(unit=unit, complainant=mask_name(complainant), subject=subject,
                                 received_on=received_on, state=Complaint.procedure.initial)
    audit.record("enforcement.complaint.create", actor=user, obj=c, changes={"subject": subject})
    clocks.start_clock(c, "handling", "enforcement.complaint", received_on, actor=user, reason="受理执法投诉")
    return c


def reply_complaint(user, complaint: Complaint, *, version: int, reply: str, on: dt.date) -> Complaint:
    return perform(complaint, "reply", user, version=version, on=on,
                   changes={"reply": reply.strip(), "replied_on": on})


# ---------------------------------------------------------------------------
# Score sheets as data
# ---------------------------------------------------------------------------
DEFAULT_SHEET = {
    "code": "penalty-file", "title": "行政处罚案卷评查评分表",
    "thresholds": [["优秀", 90], ["合格", 70]],
    "items": [
        ("A1", "主体", "执法主体合法，在法定职权范围内实施", 10, True),
        ("A2", "主体", "执法人员两人以上并持有效执法证件", 10, True),
        ("B1", "事实", "违法事实清楚", 15, False),
        ("C1", "证据", "证据确实充分，取证程序合法", 20, False),
        ("D1", "程序", "立案、调查、告知、听证、审核、决定、送达程序合法", 20, False),
        ("D2", "程序", "重大执法决定经法制审核", 5, False),
        ("E1", "说理", "适用依据正确，裁量适当并说明理由", 10, False),
        ("F1", "文书", "文书规范，案卷完整，装订归档符合要求", 10, False),
    ],
}


def ensure_default_sheet() -> ScoreSheet:
    sheet, created = ScoreSheet.objects.get_or_create(
        code=DEFAULT_SHEET["code"], version=1,
        defaults={"title": DEFAULT_SHEET["title"], "thresholds": DEFAULT_SHEET["thresholds"]})
    if created:
        ScoreItem.objects.bulk_create([ScoreItem(sheet=sheet, code=c, category=cat, label=label, points=pts, veto=veto)
                                       for c, cat, label, pts, veto in DEFAULT_SHEET["items"]])
    return sheet


# ---------------------------------------------------------------------------
# Pages' helpers (added for the review, complaint and certificate pages; the functions above unchanged)
# ---------------------------------------------------------------------------
def coordinator_units(user):
    """Units where ``user`` may organise file review: visible, with a coordinator or admin role reaching them."""
    return [u for u in scoping.visible_units(user).order_by("path")
            if scoping.roles_at(user, u) & {"coordinator", "admin"}]


ACTING_ROLES = {"coordinator", "operator", "leader", "advisor", "admin"}  # 人大监督员 (auditor) only reads


def evaluator_candidates(run: SamplingRun):
    """Users who may be named evaluators of a run: members of the organising unit's government, not read-only."""
    from django.contrib.auth import get_user_model

    units = run.unit.government().subtree()
    return (get_user_model().objects.filter(is_active=True, memberships__unit__in=units,
                                            memberships__role__in=sorted(ACTING_ROLES))
            .distinct().order_by("username"))


@transaction.atomic
def assign_evaluator_at_version(user, review: ReviewFile, evaluator, *, version) -> ReviewFile:
    """``assign_evaluator`` refused when the file changed since the coordinator read it (optimistic lock)."""
    from fazhi.core.procedure import StaleVersion

    current = ReviewFile.objects.select_for_update().select_related("run__unit", "unit").get(pk=review.pk)
    try:
        seen = int(version)
    except (TypeError, ValueError):
        raise ProcedureError("缺少或无法识别版本号，请刷新页面后重试。", "bad_version") from None
    if current.version != seen:
        raise StaleVersion(f"该案卷已被他人修改（您看到的是第 {seen} 版，当前为第 {current.version} 版），"
                           "本次指派未保存，请刷新页面后重试。")
    return assign_evaluator(user, current, evaluator)


def review_results(run: SamplingRun, files=None) -> list[dict]:
    """Results per reviewed unit: files, scored, average score, grades, 优秀案卷 and 典型差案."""
    rows: dict[int, dict] = {}
    for f in (files if files is not None else run.files.select_related("unit")):
        r = rows.setdefault(f.unit_id, {"unit": f.unit, "files": 0, "scored": 0, "total": Decimal(0),
                                        "grades": {}, "exemplary": 0, "poor": 0, "vetoed": 0})
        r["files"] += 1
        if f.score is not None:
            r["scored"] += 1
            r["total"] += f.score
            r["grades"][f.grade] = r["grades"].get(f.grade, 0) + 1
            r["vetoed"] += bool(f.vetoed)
        r["exemplary"] += f.exemplary
        r["poor"] += f.poor
    out = []
    for r in sorted(rows.values(), key=lambda r: r["unit"].path):
        r["average"] = (r["total"] / r["scored"]).quantize(Decimal("0.1")) if r["scored"] else None
        r["grade_list"] = sorted(r["grades"].items())
        out.append(r)
    return out


def close_complaint(user, complaint: Complaint, *, version: int, on: dt.date) -> Complaint:
    return perform(complaint, "close", user, version=version, on=on)


# Reminder window for 执法证件 about to expire: renewal (换证) must be applied for before expiry; the
# provincial 行政执法证件管理办法 commonly ask for it in the last months, 60 days is the platform's setting.
CERTIFICATE_WARNING_DAYS = 60


def expiring_certificates(user, on: dt.date, days: int = CERTIFICATE_WARNING_DAYS):
    """Certificates still marked valid whose validity ends within ``days`` of ``on`` or has already ended."""
    from .models import Certificate

    return (Certificate.objects.visible_to(user)
            .filter(status=Certificate.Status.VALID, valid_to__lte=on + dt.timedelta(days=days))
            .select_related("officer__unit", "officer__body").order_by("valid_to", "number"))


def certificate_reminders(user, on: dt.date):
    """Inbox reminders (fazhi.core.inbox.register_reminders): certificates about to lapse or lapsed."""
    from fazhi.core.inbox import Reminder

    return [Reminder(kind=f"{c.get_kind_display()}到期", label=f"{c.officer.name}（{c.officer.unit.name}）{c.number}",
                     due=c.valid_to, link="/enforcement/certificates/expiring/", overdue=c.valid_to < on)
            for c in expiring_certificates(user, on)[:50]]
