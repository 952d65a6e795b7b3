"""行政复议文书: the documents of a case as DOCX in the 公文 layout (fazhi.core.documents).

``generate_document(case, kind, user, ref=None) → GeneratedDocument(content, filename, number)``
fills the template ``doc_templates/<kind>.docx`` (built by ``doc_templates/build_templates.py``)
with the case's figures. ``available_documents(case)`` lists what can be produced at the case's
stage, with the numbers already issued.

Numbers (文号). Each document gets its own number from ``fazhi.core.numbering.next_number`` in the
office's sequence for that kind, with a per-kind 代字: the office's 案号代字 plus a letter
(``云府复受〔2025〕3号`` for a 受理通知书, ``云府复补`` for a 补正通知书 …). The 行政复议决定书 carries
the case number itself (``云府复〔2025〕12号``), as decisions do. A number is issued once per
document — the first time it is generated, by the office's staff — and found again on every later
download through ``IssuedNumber`` (the numbered object is the case, or the record the document is
about: the 补正通知, 听证, 延长, 中止). Everyone who sees the case may download a numbered document;
each download is logged as a view of personal data (applicants' names and addresses).

Dates in the documents are computed with the working-day calendar (fazhi.core.deadlines), from the
rule versions the case's clocks use.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from fazhi.core import audit, clocks, scoping
from fazhi.core.deadlines import Event, compute
from fazhi.core.documents import cn_date, render_template
from fazhi.core.models import IssuedNumber
from fazhi.core.numbering import next_number
from fazhi.core.procedure import ProcedureError, RoleDenied
from fazhi.core.workdays import get_calendar

from . import procedure as proc
from .models import Applicant, Case, Correction, Extension, Hearing, Office, Suspension

TEMPLATE_DIR = Path(__file__).resolve().parent / "doc_templates"
CN_NUMERALS = "一二三四五六七八九十"


class DocumentUnavailable(ProcedureError):
    """The document does not exist at this stage of the case (message says why, in Chinese)."""

    code = "document_unavailable"
    status = 409


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str  # the document's title
    suffix: str | None  # added to the office's 代字; None: the case number is the document number
    record: type | None = None  # the step record a document is about (several per case)

    @property
    def doc_type(self) -> str:  # the name of its number sequence
        return self.label


KINDS: dict[str, Kind] = {k.slug: k for k in [
    Kind("acceptance", "行政复议受理通知书", "受"),  # 第三十条
    Kind("correction", "行政复议补正通知书", "补", Correction),  # 第三十一条
    Kind("refusal", "不予受理行政复议申请决定书", "不受"),  # 第三十条
    Kind("reply_notice", "提出行政复议答复通知书", "答"),  # 第四十八条、第五十四条
    Kind("hearing", "行政复议听证通知书", "听", Hearing),  # 第五十条、第五十一条
    Kind("extension", "延期审理通知书", "延", Extension),  # 第六十二条第一款
    Kind("suspension", "行政复议中止审理通知书", "中", Suspension),  # 第三十九条
    Kind("resumption", "行政复议恢复审理通知书", "恢", Suspension),  # 第三十九条
    Kind("decision", "行政复议决定书", None),  # 第六十三条至第六十九条、第三十三条、第七十五条
    Kind("mediation", "行政复议调解书", "调"),  # 第七十三条
]}

# 行政复议决定: (legal basis, operative part). ``{act}`` is the act under review.
DECISIONS = {
    "altered": ("第六十三条", "变更被申请人作出的{act}。"),
    "revoked": ("第六十四条", "撤销被申请人作出的{act}。"),
    "revoked_redo": ("第六十四条", "撤销被申请人作出的{act}，责令被申请人在一定期限内重新作出行政行为。"),
    "confirmed_illegal": ("第六十五条", "确认被申请人作出的{act}违法。"),
    "ordered_performance": ("第六十六条", "责令被申请人在一定期限内履行法定职责。"),
    "confirmed_void": ("第六十七条", "确认被申请人作出的{act}无效。"),
    "upheld": ("第六十八条", "维持被申请人作出的{act}。"),
    "dismissed_request": ("第六十九条", "驳回申请人的行政复议请求。"),
    "dismissed_application": ("第三十三条", "驳回申请人的行政复议申请。"),
}


@dataclass(frozen=True)
class GeneratedDocument:
    content: bytes
    filename: str
    number: str
    kind: Kind


@dataclass(frozen=True)
class AvailableDocument:
    kind: Kind
    ref: int | None  # the record's pk for per-record kinds
    on: dt.date  # the document's date (成文日期)
    note: str  # what it is about, for the list
    number: str  # "" while not yet numbered


# ---------------------------------------------------------------------------
# Which documents exist at this stage
# ---------------------------------------------------------------------------
def _resumed(case: Case, s: Suspension) -> bool:
    """A suspension ended by 恢复审理 (not by the case's conclusion): its trial clock resumed that day."""
    if s.to_on is None:
        return False
    from fazhi.core.models import ClockEvent

    return ClockEvent.objects.filter(clock__in=_trial_clocks(case), kind="resume", on=s.to_on).exists()


def _trial_clocks(case: Case):
    from django.contrib.contenttypes.models import ContentType

    from fazhi.core.models import Clock

    return Clock.objects.filter(matter_type=ContentType.objects.get_for_model(Case), matter_id=case.pk).filter(
        Q(name="trial") | Q(name__startswith="trial#"))


def _candidates(case: Case) -> list[tuple[Kind, int | None, dt.date, str]]:
    out: list[tuple[Kind, int | None, dt.date, str]] = []
    for c in case.corrections.order_by("notice_on", "pk"):
        out.append((KINDS["correction"], c.pk, c.notice_on, f"{c.notice_on} 通知补正"))
    if case.refused_on:
        out.append((KINDS["refusal"], None, case.refused_on, f"{case.refused_on} 决定不予受理"))
    if case.accepted_on:
        out.append((KINDS["acceptance"], None, case.accepted_on,
                    f"{case.accepted_on} {case.get_acceptance_kind_display() or '受理'}"))
    if case.copy_sent_on:
        out.append((KINDS["reply_notice"], None, case.copy_sent_on, f"{case.copy_sent_on} 发送申请书副本"))
    for h in case.hearings.order_by("held_on", "pk"):
        out.append((KINDS["hearing"], h.pk, h.notice_on, f"{h.held_on} 举行听证"))
    for e in case.extensions.order_by("approved_on", "pk"):
        out.append((KINDS["extension"], e.pk, e.notice_on, f"延长 {e.days} 日"))
    for s in case.suspensions.order_by("from_on", "pk"):
        out.append((KINDS["suspension"], s.pk, s.notice_on or s.from_on, f"{s.from_on} 中止审理"))
        if _resumed(case, s):
            out.append((KINDS["resumption"], s.pk, s.to_on, f"{s.to_on} 恢复审理"))
    if case.outcome in DECISIONS and case.concluded_on:
        out.append((KINDS["decision"], None, case.concluded_on, f"{case.concluded_on} {case.get_outcome_display()}"))
    if case.outcome == Case.Outcome.MEDIATED and case.concluded_on:
        out.append((KINDS["mediation"], None, case.concluded_on, f"{case.concluded_on} 调解"))
    return out


def _issued(case: Case) -> dict[tuple[str, str, str], str]:
    """{(doc_type, object_type, object_id): number} of the documents of ``case`` already numbered."""
    q = Q(object_type=Case._meta.label_lower, object_id=str(case.pk))
    for model, rel in ((Correction, case.corrections), (Hearing, case.hearings), (Extension, case.extensions),
                       (Suspension, case.suspensions)):
        q |= Q(object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in rel.values_list("pk", flat=True)])
    rows = IssuedNumber.objects.filter(q, sequence__unit=case.unit,
                                       sequence__doc_type__in=[k.doc_type for k in KINDS.values()])
    return {(r.sequence.doc_type, r.object_type, r.object_id): r.text for r in rows.select_related("sequence")}


def _key(kind: Kind, case: Case, ref: int | None) -> tuple[str, str, str]:
    model = kind.record or Case
    return kind.doc_type, model._meta.label_lower, str(ref if kind.record else case.pk)


def available_documents(case: Case) -> list[AvailableDocument]:
    issued = _issued(case)
    docs = []
    for kind, ref, on, note in _candidates(case):
        number = (case.number or "") if kind.suffix is None else issued.get(_key(kind, case, ref), "")
        docs.append(AvailableDocument(kind, ref, on, note, number))
    return docs


def _pick(case: Case, kind: Kind, ref) -> AvailableDocument:
    candidates = [d for d in available_documents(case) if d.kind.slug == kind.slug]
    if not candidates:
        raise DocumentUnavailable(_unavailable_message(kind, case))
    if ref in (None, ""):
        return candidates[-1]  # the latest (e.g. the last hearing)
    try:
        ref = int(ref)
    except (TypeError, ValueError):
        raise DocumentUnavailable(f"未找到本案的该份{kind.label}。") from None
    for d in candidates:
        if d.ref == ref:
            return d
    raise DocumentUnavailable(f"未找到本案的该份{kind.label}。")


def _unavailable_message(kind: Kind, case: Case) -> str:
    why = {
        "acceptance": "本案尚未受理（《行政复议法》第三十条）",
        "correction": "本案没有补正通知（《行政复议法》第三十一条）",
        "refusal": "本案没有不予受理决定（《行政复议法》第三十条）",
        "reply_notice": "尚未向被申请人发送申请书副本（《行政复议法》第四十八条）",
        "hearing": "本案没有安排听证（《行政复议法》第五十条）",
        "extension": "本案没有延长审理期限（《行政复议法》第六十二条）",
        "suspension": "本案没有中止审理（《行政复议法》第三十九条）",
        "resumption": "本案没有恢复审理（《行政复议法》第三十九条）",
        "decision": "本案尚未作出行政复议决定（《行政复议法》第六十三条至第六十九条）",
        "mediation": "本案没有以调解结案（《行政复议法》第七十三条）",
    }[kind.slug]
    return f"不能生成{kind.label}：{why}。当前状态：{case.state_label}。"


# ---------------------------------------------------------------------------
# Figures of the documents
# ---------------------------------------------------------------------------
def _due(code: str, start: dt.date, rule_on: dt.date) -> dt.date:
    rule = clocks.rule_for(code, rule_on)
    return compute(get_calendar(), rule.budget, rule.day_unit, [Event("start", start)], start).due


def _replay_until(clock, kind: str, on: dt.date, *, inclusive: bool = True) -> dt.date | None:
    """The due date of ``clock`` right after (``inclusive``) or right before its first ``kind`` event
    on ``on``; later events are ignored. None if the ledger has no such event."""
    events = []
    for e in clock.events.order_by("seq"):
        if e.kind == kind and e.on == on:
            if inclusive:
                events.append(Event(e.kind, e.on, e.amount, e.amount_unit))
            break
        events.append(Event(e.kind, e.on, e.amount, e.amount_unit))
    else:
        return None
    result = compute(get_calendar(), clock.rule.budget, clock.rule.day_unit, events, on, check_from=len(events))
    return result.due or result.provisional_due


def _trial_clock_with(case: Case, kind: str, on: dt.date):
    for clock in _trial_clocks(case).select_related("rule").order_by("-pk"):
        if clock.events.filter(kind=kind, on=on).exists():
            return clock
    return None


def _join(names: list[str]) -> str:
    return "、".join(n for n in names if n)


def _sentences(text: str, default: str) -> list[str]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines or [default]


def _applicant_line(a: Applicant) -> str:
    where = "住所" if a.kind != Applicant.Kind.PERSON else "住址"
    return f"申请人：{a.name}" + (f"，{where}：{a.address}" if a.address else "") + "。"


def _procedure_at_acceptance(case: Case) -> str:
    return Case.ProcedureType.SIMPLIFIED if case.converted_on else case.procedure_type


def _rule_on(case: Case, fallback: dt.date) -> dt.date:
    return case.rules_date or fallback


def _context(case: Case, office: Office | None, doc: AvailableDocument, number: str) -> dict:
    kind = doc.kind
    applicants = list(case.applicants.all())
    respondent = case.respondent_unit.name
    names = _join([a.name for a in applicants])
    ctx = {
        "doc_number": number,
        "organ": office.organ_name if office else case.unit.government().name,
        "date": cn_date(doc.on),
        "case_number": case.display_number,
        "applicants": names or "申请人",
        "applicant_lines": [_applicant_line(a) for a in applicants] or ["申请人：（未登记）。"],
        "respondent": respondent,
        "parties": _join([names, respondent]),
        "act": case.act_description.strip().rstrip("。"),
        "received": cn_date(case.received_on),
        "accepted": cn_date(case.accepted_on) if case.accepted_on else "",
        "procedure": Case.ProcedureType(case.procedure_type).label,
        "request": (case.request or "").strip() or "（见行政复议申请书）",
    }
    builder = _BUILDERS.get(kind.slug)
    if builder:
        ctx.update(builder(case, doc))
    return ctx


def _acceptance(case: Case, doc: AvailableDocument) -> dict:
    ptype = _procedure_at_acceptance(case)
    simplified = ptype == Case.ProcedureType.SIMPLIFIED
    trial_rule = proc.TYPE_RULES["trial"][ptype]
    return {
        "deemed": case.acceptance_kind == Case.Acceptance.DEEMED,
        "procedure": Case.ProcedureType(ptype).label,
        "ordinary": not simplified,
        "trial_clause": "第二款" if simplified else "第一款",
        "trial_days": 30 if simplified else 60,
        "trial_due": cn_date(_due(trial_rule, case.accepted_on, _rule_on(case, case.accepted_on))),
        "copy_article": "五十四条" if simplified else "四十八条",
        "copy_days": 3 if simplified else 7,
    }


def _correction(case: Case, doc: AvailableDocument) -> dict:
    c = case.corrections.get(pk=doc.ref)
    items = [line.strip() for line in c.items.splitlines() if line.strip()]
    if len(items) > 1:
        items = [f"{i}. {text}" for i, text in enumerate(items, 1)]
    return {"items": items or ["（未写明）"],
            "correction_due": cn_date(_due("reconsideration.correction", c.notice_on, _rule_on(case, c.notice_on)))}


def _lead(lines: list[str], lead: str) -> list[str]:
    return [lead + lines[0], *lines[1:]]


def _refusal(case: Case, doc: AvailableDocument) -> dict:
    return {"reasons": _lead(_sentences(case.refusal_reason, "（未写明理由）"), "经审查，本机关认为：")}


def _reply_notice(case: Case, doc: AvailableDocument) -> dict:
    clock = clocks.clock_of(case, "reply")
    received = clock.started_on if clock is not None else case.copy_sent_on
    ptype = case.procedure_type if clock is None else (
        Case.ProcedureType.SIMPLIFIED if clock.rule.code.endswith("_simplified") else Case.ProcedureType.ORDINARY)
    simplified = ptype == Case.ProcedureType.SIMPLIFIED
    return {
        "procedure": Case.ProcedureType(ptype).label,
        "reply_article": "五十四条" if simplified else "四十八条",
        "reply_days": 5 if simplified else 10,
        "reply_from": cn_date(received),
        "reply_due": cn_date(_due(proc.TYPE_RULES["reply"][ptype], received, _rule_on(case, received))),
    }


def _hearing(case: Case, doc: AvailableDocument) -> dict:
    h = case.hearings.get(pk=doc.ref)
    return {"held_on": cn_date(h.held_on), "place": h.place or "另行通知",
            "presider": h.presider or "由行政复议机构指定", "request": (case.request or "").strip()}


def _extension(case: Case, doc: AvailableDocument) -> dict:
    e = case.extensions.get(pk=doc.ref)
    clock = _trial_clock_with(case, "extend", e.approved_on)
    new_due = _replay_until(clock, "extend", e.approved_on) if clock else None
    original = _replay_until(clock, "extend", e.approved_on, inclusive=False) if clock else None
    if new_due is None:
        raise DocumentUnavailable("本案的审理期限账目中没有这次延长，无法计算延长后的届满日。")
    return {"reason": e.reason.strip().rstrip("。"), "days": e.days, "new_due": cn_date(new_due),
            "original_due": cn_date(original) if original else "规定期限"}


def _ground(s: Suspension) -> tuple[str, str]:
    label = dict(proc.SUSPENSION_GROUNDS).get(s.ground, "")
    text = label.split("）", 1)[1] if "）" in label else label
    return CN_NUMERALS[int(s.ground) - 1] if s.ground.isdigit() and 1 <= int(s.ground) <= 10 else s.ground, text


def _suspension(case: Case, doc: AvailableDocument) -> dict:
    s = case.suspensions.get(pk=doc.ref)
    ground_no, ground_text = _ground(s)
    limit = None
    if s.ground in proc.SUSPENSION_TERMINATION_GROUNDS:
        limit = _due("reconsideration.suspension_limit", s.from_on, _rule_on(case, s.from_on))
    return {"ground_no": ground_no, "ground_text": ground_text, "reason": (s.reason or "").strip(),
            "from_on": cn_date(s.from_on), "limit_due": cn_date(limit) if limit else ""}


def _resumption(case: Case, doc: AvailableDocument) -> dict:
    s = case.suspensions.get(pk=doc.ref)
    _no, ground_text = _ground(s)
    clock = _trial_clock_with(case, "resume", s.to_on)
    due = _replay_until(clock, "resume", s.to_on) if clock else None
    if due is None:
        raise DocumentUnavailable("本案的审理期限账目中没有这次恢复审理，无法计算审理期限。")
    return {"ground_text": ground_text, "from_on": cn_date(s.from_on), "to_on": cn_date(s.to_on),
            "trial_due": cn_date(due)}


def _course(case: Case) -> str:
    parts = []
    for h in case.hearings.order_by("held_on"):
        parts.append(f"本机关于{cn_date(h.held_on)}举行了听证。")
    for e in case.extensions.order_by("approved_on"):
        parts.append(f"经行政复议机构的负责人批准，本案审理期限延长{e.days}日。")
    for s in case.suspensions.order_by("from_on"):
        if _resumed(case, s):
            parts.append(f"本案于{cn_date(s.from_on)}中止审理，于{cn_date(s.to_on)}恢复审理。")
    return "".join(parts)


def _reply_lines(case: Case) -> list[str]:
    replies = list(case.replies.order_by("received_on", "pk"))
    if not replies:
        clock = clocks.clock_of(case, "reply")
        overdue = case.reply_missing_flag or (clock is not None and clock.due_date is not None
                                              and case.concluded_on and case.concluded_on > clock.due_date)
        if overdue:  # 第七十条
            return ["被申请人未在法定期限内提出书面答复、提交作出行政行为的证据、依据和其他有关材料。"]
        return ["被申请人未提出书面答复。"]
    lines = []
    for r in replies:
        summary = (r.summary or "").strip()
        lines.append(f"被申请人于{cn_date(r.received_on)}提出书面答复" + (f"称：{summary}" if summary else "。"))
    return lines


def _decided(case: Case) -> dict:
    return {"accepted_how": "视为受理" if case.acceptance_kind == Case.Acceptance.DEEMED else "予以受理"}


def _decision(case: Case, doc: AvailableDocument) -> dict:
    article, operative = DECISIONS[case.outcome]
    act = case.act_description.strip().rstrip("。")
    return {**_decided(case), "course": _course(case), "reply_lines": _reply_lines(case),
            "reasons": _lead(_sentences(case.outcome_reason, "（理由见案卷）"), "本机关认为："), "article": article,
            "operative": operative.format(act=act)}


def _mediation(case: Case, doc: AvailableDocument) -> dict:
    return {**_decided(case), "terms": _sentences(case.outcome_reason, "（调解协议内容见附页）")}


_BUILDERS = {
    "acceptance": _acceptance, "correction": _correction, "refusal": _refusal, "reply_notice": _reply_notice,
    "hearing": _hearing, "extension": _extension, "suspension": _suspension, "resumption": _resumption,
    "decision": _decision, "mediation": _mediation,
}


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------
def can_issue(user, case: Case) -> bool:
    """Numbering a document is the office's act: a writing role of the 行政复议机构 (not the respondent)."""
    return bool((scoping.roles_at(user, case.unit) - scoping.READ_ONLY_ROLES) & proc.OFFICE_ALL)


def _issue_number(case: Case, doc: AvailableDocument, office: Office | None, user) -> str:
    kind = doc.kind
    if kind.suffix is None:
        if not case.number:
            raise DocumentUnavailable(f"本案尚无案号，不能生成{kind.label}。")
        return case.number
    with transaction.atomic():
        # Lock the case: two first downloads at once must not number the same document twice.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        existing = _issued(case).get(_key(kind, case, doc.ref))
        if existing:
            return existing
        if not can_issue(user, case):
            raise RoleDenied(f"{kind.label}尚未编号，只有行政复议机构的工作人员可以编号制发。")
        prefix = f"{office.number_prefix if office else '行复'}{kind.suffix}"
        obj = kind.record.objects.get(pk=doc.ref) if kind.record else case
        return next_number(case.unit, kind.doc_type, prefix, year=doc.on.year, obj=obj, actor=user)


def generate_document(case: Case, kind: str, user, *, ref=None) -> GeneratedDocument:
    """The DOCX of document ``kind`` (a key of ``KINDS``) of ``case``, numbered on first generation.

    Out-of-scope cases raise Http404; a document that does not exist at this stage raises
    ``DocumentUnavailable``; numbering by someone outside the office raises ``RoleDenied``.
    """
    case = scoping.get_visible_or_404(Case.objects.select_related("unit", "respondent_unit"), user, pk=case.pk)
    if kind not in KINDS:
        raise DocumentUnavailable(f"未知的文书类型：{kind}。")
    doc = _pick(case, KINDS[kind], ref)
    from .services import office_for_case

    office = office_for_case(case)
    number = doc.number or _issue_number(case, doc, office, user)
    context = _context(case, office, doc, number)
    content = render_template(TEMPLATE_DIR / f"{kind}.docx", context, properties={
        "title": f"{doc.kind.label}（{number}）", "author": context["organ"], "subject": "行政复议文书",
        "last_modified_by": context["organ"]})
    audit.log_view(user, case, what=f"生成{doc.kind.label}（{number}），含申请人个人信息")
    return GeneratedDocument(content, f"{doc.kind.label}（{number}）.docx", number, doc.kind)


def get_kind(slug: str) -> Kind:
    if slug not in KINDS:
        raise DocumentUnavailable(f"未知的文书类型：{slug}。")
    return KINDS[slug]

