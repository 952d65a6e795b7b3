"""行政应诉 figures (statutory-rules.md §2, KPI conventions), each with its drill-down records.

Attribution to a period: a case counts in the year its complaint copy was served (收案); a
conclusion in the year the decision took effect (结案); a hearing in the year it took place.
Rates are Σ numerator ÷ Σ denominator over the unit subtree (fazhi.core.metrics.rate).
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef

from fazhi.core.metrics import Metric, rate, register

from .models import LOST_RESULTS, Hearing, LitigationCase

SOURCE = "litigation"


def _cases(units):
    return LitigationCase.objects.filter(unit__in=units).exclude(state="draft").select_related("unit")


def received(units, period):
    return _cases(units).filter(served_on__gte=period.start, served_on__lte=period.end).order_by("served_on", "pk")


def concluded(units, period):
    return _cases(units).filter(state="final", concluded_on__gte=period.start,
                                concluded_on__lte=period.end).order_by("concluded_on", "pk")


def lost(units, period):
    return concluded(units, period).filter(final_result__in=LOST_RESULTS)


def _hearings(units, period):
    return Hearing.objects.filter(case__unit__in=units, date__gte=period.start, date__lte=period.end)


def head_appearances(units, period):
    return _hearings(units, period).filter(head_appeared=True).select_related("case", "case__unit").order_by(
        "date", "pk")


def heard_cases(units, period):
    """Cases with at least one hearing in the period (the denominator of the appearance rate)."""
    return _cases(units).filter(Exists(_hearings(units, period).filter(case=OuterRef("pk")))).order_by("pk")


def cases_with_head(units, period):
    return _cases(units).filter(
        Exists(_hearings(units, period).filter(case=OuterRef("pk"), head_appeared=True))).order_by("pk")


def describe_case(case) -> dict:
    text = f"{case.case_number}（{case.court}）：{case.act_challenged}，{case.state_label}"
    if case.final_result:
        text += f"，生效结果：{case.get_final_result_display()}"
    return {"id": case.pk, "repr": text, "link": case.get_absolute_url(), "unit": case.unit.name}


def describe_hearing(h) -> dict:
    return {"id": h.pk, "repr": f"{h.case.case_number} {h.date:%Y-%m-%d} {h.get_instance_display()}开庭："
                                f"{h.head_title or h.get_head_position_display()} {h.head_name} 出庭",
            "link": h.case.get_absolute_url(), "unit": h.case.unit.name}


LOSS_FORMULA = ("败诉案件数 ÷ 审结案件数 × 100%。败诉：生效裁判结果为撤销、部分撤销、变更、确认违法、确认无效、"
                "责令履行；审结：统计期内裁判生效（含调解、撤诉）的案件。")

METRICS = [
    Metric("litigation.cases", "行政应诉案件", "件", source=SOURCE,
           formula="统计期内收到起诉状副本的行政诉讼案件数（本单位及下级单位作为被告）。",
           compute=lambda u, p: received(u, p).count(), records=received, describe=describe_case),
    Metric("litigation.concluded", "行政应诉审结案件", "件", source=SOURCE,
           formula="统计期内裁判生效（一审未上诉、二审终审、调解）的案件数，按生效日期归属统计期。",
           compute=lambda u, p: concluded(u, p).count(), records=concluded, describe=describe_case),
    Metric("litigation.lost", "行政应诉败诉案件", "件", source=SOURCE,
           formula="审结案件中，生效裁判结果为撤销、部分撤销、变更、确认违法、确认无效、责令履行的案件数。",
           compute=lambda u, p: lost(u, p).count(), records=lost, describe=describe_case),
    Metric("litigation.loss_rate", "行政诉讼败诉率", "%", source=SOURCE, formula=LOSS_FORMULA, formula_version="1",
           compute=lambda u, p: rate(lost(u, p).count(), concluded(u, p).count()),
           records=lost, describe=describe_case),
    Metric("litigation.head_appearances", "行政机关负责人出庭应诉", "次", source=SOURCE,
           formula="统计期内开庭时行政机关负责人（正职、副职或分管负责人，法释〔2020〕3号第二条）出庭应诉的次数。",
           compute=lambda u, p: head_appearances(u, p).count(), records=head_appearances,
           describe=describe_hearing),
    Metric("litigation.head_appearance_rate", "行政机关负责人出庭应诉率", "%", source=SOURCE,
           formula="统计期内有负责人出庭应诉的开庭案件数 ÷ 统计期内开庭审理的案件数 × 100%"
                   "（一个案件多次开庭的，只要有一次负责人出庭即计入分子）。",
           formula_version="1",
           compute=lambda u, p: rate(cases_with_head(u, p).count(), heard_cases(u, p).count()),
           records=cases_with_head, describe=describe_case),
]

for _metric in METRICS:
    register(_metric)
