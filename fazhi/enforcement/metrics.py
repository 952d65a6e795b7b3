"""行政执法监督 figures. Case figures come from the roll-up table (``UnitYearStat``) for whole years —
maintained by every import, equal to a recomputation (``checks.verify_stats``) — and from the same
aggregate SQL over the raw rows for other periods. A case counts in the period of its 统计日期:
the decision date, or the 立案/检查 date for acts without a decision. Rates are Σ÷Σ over the subtree.
"""
from __future__ import annotations

from django.db import connection
from django.db.models import Avg, Q

from fazhi.core.metrics import Metric, rate, register

from . import checks
from .models import (Body, Case, Certificate, Complaint, DECISION_KINDS, Officer, Opinion, Problem, ReviewFile,
                     UnitYearStat)

SOURCE = "enforcement"


def _whole_years(period) -> bool:
    return (period.start.month, period.start.day, period.end.month, period.end.day) == (1, 1, 12, 31)


def stats(units, period) -> list[dict]:
    """Roll-up rows (dicts with STAT_COLUMNS) of ``units`` over ``period``."""
    if _whole_years(period):
        return list(UnitYearStat.objects.filter(unit__in=units, year__gte=period.start.year,
                                                year__lte=period.end.year).values(*checks.STAT_COLUMNS))
    ids = list(units.values_list("pk", flat=True)) or [0]
    sql = checks.stat_select(where=f"c.event_on >= %(s)s AND c.event_on <= %(e)s AND c.unit_id IN "
                                   f"({','.join(str(int(i)) for i in ids)})")
    with connection.cursor() as cur:
        cur.execute(sql, {"s": period.start, "e": period.end})
        return [dict(zip(checks.STAT_COLUMNS, row)) for row in cur.fetchall()]


def total(units, period, column: str, kind: str | None = None):
    value = sum((r[column] or 0) for r in stats(units, period) if kind is None or r["kind"] == kind)
    return value


def ratio(num: str, den: str):
    def compute(units, period):
        rows = stats(units, period)
        return rate(sum(r[num] or 0 for r in rows), sum(r[den] or 0 for r in rows))
    return compute


def cases(units, period):
    return Case.objects.filter(unit__in=units, event_on__gte=period.start, event_on__lte=period.end) \
        .select_related("unit").order_by("-event_on", "-id")


def _kind(kind):
    return lambda units, period: cases(units, period).filter(kind=kind)


def decisions(units, period):
    return cases(units, period).filter(kind__in=DECISION_KINDS, decided_on__isnull=False)


def majors(units, period):
    return cases(units, period).filter(major=True, decided_on__isnull=False)


def record_required(units, period):
    return cases(units, period).filter(record_required=True)


def timed(units, period):
    return cases(units, period).filter(kind="penalty", filed_on__isnull=False, decided_on__isnull=False)


def describe_case(case) -> dict:
    text = f"{case.case_number} {case.get_kind_display()} {case.event_on}"
    if case.problems:
        text += "：" + "、".join(case.problem_names)
    return {"id": case.pk, "repr": text, "link": case.get_absolute_url(), "unit": case.unit.name}


def bodies(units, period):
    return Body.objects.filter(unit__in=units, active=True).select_related("unit").order_by("code")


def certified_officers(units, period):
    valid = Certificate.objects.valid_on(period.end).filter(kind=Certificate.Kind.ENFORCEMENT)
    return Officer.objects.filter(unit__in=units, active=True, certificates__in=valid).distinct() \
        .select_related("unit").order_by("name", "pk")


def sampled(units, period):
    return ReviewFile.objects.filter(unit__in=units, run__created_at__date__gte=period.start,
                                     run__created_at__date__lte=period.end).select_related("case", "unit")


def reviewed(units, period):
    return ReviewFile.objects.filter(unit__in=units, reviewed_on__gte=period.start, reviewed_on__lte=period.end,
                                     score__isnull=False).select_related("case", "unit")


def opinions(units, period):
    return Opinion.objects.filter(unit__in=units, issued_on__gte=period.start, issued_on__lte=period.end) \
        .exclude(state="draft").select_related("unit").order_by("issued_on", "pk")


def complaints(units, period):
    return Complaint.objects.filter(unit__in=units, received_on__gte=period.start, received_on__lte=period.end) \
        .select_related("unit")


def _avg_score(units, period):
    v = reviewed(units, period).aggregate(a=Avg("score"))["a"]
    return None if v is None else round(float(v), 1)


def _describe_review(f) -> dict:
    return {"id": f.pk, "repr": f"{f.case.case_number}：{f.score if f.score is not None else '未评分'} {f.grade}",
            "link": f.run.get_absolute_url(), "unit": f.unit.name}


def _describe_officer(o) -> dict:
    return {"id": o.pk, "repr": o.name, "link": None, "unit": o.unit.name}


def _m(code, label, unit, formula, compute, records, describe=describe_case):
    register(Metric(code, label, unit, formula=formula, compute=compute, records=records, describe=describe,
                    source=SOURCE))


_m("enforcement.bodies", "行政执法主体", "个", "统计期末有效的行政执法主体数（行政机关、法律法规授权组织、受委托组织）。",
   lambda u, p: bodies(u, p).count(), bodies, describe=lambda b: {"id": b.pk, "repr": b.name, "link": None})
_m("enforcement.officers_certified", "持证行政执法人员", "人",
   "统计期末持有有效行政执法证（在有效期内且未暂扣、吊销）的在岗人员数。",
   lambda u, p: certified_officers(u, p).count(), certified_officers, describe=_describe_officer)
for _code, _kind_code, _label in [("inspections", "inspection", "行政检查"), ("penalties", "penalty", "行政处罚案件"),
                                  ("coercions", "coercion", "行政强制"), ("licences", "licence", "行政许可")]:
    _m(f"enforcement.{_code}", _label, "件", f"统计期内的{_label}数，按决定日期（无决定的按立案/检查日期）归属统计期。",
       lambda u, p, _k=_kind_code: total(u, p, "cases", _k), _kind(_kind_code))
_m("enforcement.fines_total", "罚没金额", "元", "统计期内行政处罚决定的罚没金额合计。",
   lambda u, p: total(u, p, "fines_total"), _kind("penalty"))
_m("enforcement.publication_on_time_rate", "执法决定按期公示率", "%",
   "按期公示（许可、处罚7个工作日，其他20个工作日，国办发〔2018〕118号）的执法决定 ÷ 统计期内作出的执法决定 × 100%；"
   "尚未到期且未公示的不计为逾期。",
   ratio("published_on_time", "decisions"), decisions)
_m("enforcement.major_review_rate", "重大执法决定法制审核率", "%",
   "决定前经法制审核的重大执法决定 ÷ 重大执法决定 × 100%（《行政处罚法》第五十八条）。",
   ratio("major_reviewed", "major"), majors)
_m("enforcement.record_complete_rate", "全过程记录完整率", "%",
   "有全过程音像记录的 ÷ 须全程音像记录的执法活动 × 100%（《行政处罚法》第四十七条）。",
   ratio("record_present", "record_required"), record_required)
_m("enforcement.decided_in_time_rate", "处罚案件按期决定率", "%",
   "立案之日起90日内作出决定的处罚案件 ÷ 有立案和决定日期的处罚案件 × 100%（《行政处罚法》第六十条）。",
   ratio("timed_ok", "timed"), timed)
_m("enforcement.lenient_cases", "适用从轻减轻不予处罚清单案件", "件", "统计期内适用不予、从轻、减轻处罚清单事项的案件数。",
   lambda u, p: total(u, p, "lenient"), lambda u, p: cases(u, p).exclude(lenient_item=""))
_m("enforcement.findings", "执法监督发现问题案件", "件", "统计期内至少未通过一项法定校验的案件数。",
   lambda u, p: total(u, p, "with_problems"), lambda u, p: cases(u, p).exclude(problems=0))
_m("enforcement.files_sampled", "随机抽取案卷", "卷", "统计期内随机抽取用于评查的案卷数（按抽取日期）。",
   lambda u, p: sampled(u, p).count(), sampled, describe=_describe_review)
_m("enforcement.files_reviewed", "评查行政执法案卷", "卷", "统计期内完成评分的案卷数（按评查日期）。",
   lambda u, p: reviewed(u, p).count(), reviewed, describe=_describe_review)
_m("enforcement.file_score_avg", "案卷评查平均分", "分", "统计期内完成评分案卷的平均得分（一票否决案卷按0分计）。",
   _avg_score, reviewed, describe=_describe_review)
_m("enforcement.supervision_opinions", "行政执法监督意见书", "份", "统计期内制发的行政执法监督意见书份数。",
   lambda u, p: opinions(u, p).count(), opinions, describe=None)
_m("enforcement.opinion_reply_rate", "监督意见书回复率", "%", "已回复的 ÷ 统计期内制发的监督意见书 × 100%。",
   lambda u, p: rate(opinions(u, p).filter(replied_on__isnull=False).count(), opinions(u, p).count()),
   opinions, describe=None)
_m("enforcement.complaints", "执法投诉", "件", "统计期内受理的行政执法投诉数。",
   lambda u, p: complaints(u, p).count(), complaints, describe=None)

PROBLEM_COLUMNS = [(Problem.PUBLICATION, "p_publication"), (Problem.WITHDRAWAL, "p_withdrawal"),
                   (Problem.LEGAL_REVIEW, "p_legal_review"), (Problem.DECISION_TIME, "p_decision_time"),
                   (Problem.OFFICERS, "p_officers"), (Problem.HEARING, "p_hearing"), (Problem.RECORD, "p_record")]


def findings_by_unit(units, period) -> list[dict]:
    """Per unit: cases and the count of each failed check (from the roll-ups)."""
    out: dict[int, dict] = {}
    for r in stats(units, period):
        row = out.setdefault(r["unit_id"], {"unit_id": r["unit_id"], "cases": 0, "with_problems": 0,
                                            **{col: 0 for _, col in PROBLEM_COLUMNS}})
        row["cases"] += r["cases"]
        row["with_problems"] += r["with_problems"]
        for _, col in PROBLEM_COLUMNS:
            row[col] += r[col]
    return list(out.values())


__all__ = ["stats", "findings_by_unit", "Q"]
