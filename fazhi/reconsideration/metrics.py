"""行政复议 figures for fazhi.core.metrics (autodiscovered), each with its drill-down to the cases.

Which date puts a case in a period: ``received_on`` (received), ``accepted_on`` (accepted, 视为受理
included), ``refused_on`` (refused), ``concluded_on`` (the decision, 调解书, or termination: every
outcome figure). A case belongs to the units of its 行政复议机构 (``Case.unit``), so the figures of a
government include every case its office handled.

纠错率 (correction rate) is not fixed by law (statutory-rules.md §1c, §8 item 4): the formulas are
named and versioned in ``FORMULAS``; each government chooses one (``Office.correction_formula``,
default ``direct.v1``), and ``reconsideration.corrected`` and ``.correction_rate`` follow that choice.
"""
from __future__ import annotations

from dataclasses import dataclass


from fazhi.core.metrics import Metric, rate, register

from .models import Case, Office

O = Case.Outcome
SOURCE = "reconsideration"

CORRECTIVE = (O.REVOKED, O.REVOKED_REDO, O.ALTERED, O.CONFIRMED_ILLEGAL, O.CONFIRMED_VOID, O.ORDERED_PERFORMANCE)
BY_DECISION = (*CORRECTIVE, O.UPHELD, O.DISMISSED_REQUEST, O.DISMISSED_APPLICATION)


@dataclass(frozen=True)
class Formula:
    code: str  # name.version: a changed definition gets a new version, never a silent edit
    label: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] | None  # outcomes counted below the line; None = every concluded case
    text: str


FORMULAS = {
    "direct.v1": Formula(
        "direct.v1", "直接纠错率（第1版，默认）", CORRECTIVE, None,
        "（撤销＋撤销并责令重作＋变更＋确认违法＋确认无效＋责令履行）÷ 审结案件数 × 100%。"
        "审结含以决定、调解、和解撤回、撤回和其他终止方式结案的全部案件。"),
    "decided.v1": Formula(
        "decided.v1", "以决定结案为分母的纠错率（第1版）", CORRECTIVE, BY_DECISION,
        "（撤销＋撤销并责令重作＋变更＋确认违法＋确认无效＋责令履行）÷ 以行政复议决定结案的案件数 × 100%；"
        "调解、和解撤回、撤回和其他终止结案的不计入分母（与《行政复议工作白皮书》数据推算的口径一致，未经官方确认）。"),
    "narrow.v1": Formula(
        "narrow.v1", "狭义纠错率（第1版）", (O.REVOKED, O.REVOKED_REDO, O.ALTERED, O.CONFIRMED_ILLEGAL), None,
        "（撤销＋撤销并责令重作＋变更＋确认违法）÷ 审结案件数 × 100%；不含确认无效和责令履行（部分地方口径）。"),
}
DEFAULT_FORMULA = "direct.v1"


def formula_for(unit) -> Formula:
    """The formula chosen by the government of ``unit`` (the default when it has chosen none)."""
    gov = unit.government() if unit is not None else None
    code = Office.objects.filter(government=gov).values_list("correction_formula", flat=True).first() if gov else None
    return FORMULAS.get(code or DEFAULT_FORMULA, FORMULAS[DEFAULT_FORMULA])


def _formula_of_units(units) -> Formula:
    top = min(units, key=lambda u: (u.path.count("/"), u.path), default=None) if units is not None else None
    return formula_for(top)


def _cases(units):
    return Case.objects.filter(unit__in=units).select_related("unit", "respondent_unit")


def _in(field):
    return lambda units, period: _cases(units).filter(
        **{f"{field}__gte": period.start, f"{field}__lte": period.end}).order_by(field, "pk")


def _concluded(units, period):
    return _in("concluded_on")(units, period).exclude(outcome="")


def _outcomes(*outcomes):
    return lambda units, period: _concluded(units, period).filter(outcome__in=outcomes)


def _corrected(units, period):
    return _outcomes(*_formula_of_units(units).numerator)(units, period)


def _rate_denominator(units, period):
    f = _formula_of_units(units)
    return _concluded(units, period) if f.denominator is None else _outcomes(*f.denominator)(units, period)


def _correction_rate(units, period):
    return rate(_corrected(units, period).count(), _rate_denominator(units, period).count())


def _timed(units, period):
    return _concluded(units, period).filter(concluded_on_time__isnull=False)


def _on_time_rate(units, period):
    timed = _timed(units, period)
    return rate(timed.filter(concluded_on_time=True).count(), timed.count())


def describe_case(case: Case) -> dict:
    parts = [case.display_number, f"被申请人：{case.respondent_unit.short_name or case.respondent_unit.name}"]
    if case.outcome:
        parts.append(f"{case.get_outcome_display()}，{case.concluded_on}")
        if case.concluded_on_time is False:
            parts.append(f"超过审理期限（{case.trial_due_on} 届满）")
    else:
        parts.append(case.state_label)
    return {"id": case.pk, "repr": "　".join(parts), "link": case.get_absolute_url(), "unit": case.unit.name}


def _count(records):
    return lambda units, period: records(units, period).count()


def _metric(code, label, unit, formula, records, compute=None, version="1"):
    return Metric(f"reconsideration.{code}", label, unit, formula=formula, formula_version=version,
                  compute=compute or _count(records), records=records, source=SOURCE, describe=describe_case)


METRICS = [
    _metric("received", "收到行政复议申请", "件", "统计期内收到的行政复议申请件数（按收到申请日期，含网上、当面、邮寄）。",
            _in("received_on")),
    _metric("accepted", "受理行政复议案件", "件", "统计期内受理的案件数（按受理日期，含依第三十条第二款视为受理的）。",
            _in("accepted_on")),
    _metric("refused", "不予受理的行政复议申请", "件", "统计期内决定不予受理的申请件数（按决定日期）。", _in("refused_on")),
    _metric("concluded", "审结行政复议案件", "件",
            "统计期内审结的案件数（按结案日期）：作出行政复议决定、制作调解书、准予撤回（含和解后撤回）或其他情形终止。",
            _concluded),
    _metric("upheld", "复议决定维持", "件", "统计期内作出维持决定（第六十八条）的案件数。", _outcomes(O.UPHELD)),
    _metric("dismissed", "复议决定驳回", "件",
            "统计期内作出驳回行政复议请求（第六十九条）或驳回申请（第三十三条）决定的案件数。",
            _outcomes(O.DISMISSED_REQUEST, O.DISMISSED_APPLICATION)),
    _metric("revoked", "复议决定撤销", "件", "统计期内作出撤销（含撤销并责令重作，第六十四条）决定的案件数。",
            _outcomes(O.REVOKED, O.REVOKED_REDO)),
    _metric("altered", "复议决定变更", "件", "统计期内作出变更决定（第六十三条）的案件数。", _outcomes(O.ALTERED)),
    _metric("confirmed_illegal", "复议决定确认违法", "件",
            "统计期内作出确认违法决定（第六十五条）的案件数；确认无效另计（reconsideration.confirmed_void）。",
            _outcomes(O.CONFIRMED_ILLEGAL), version="2"),
    _metric("confirmed_void", "复议决定确认无效", "件", "统计期内作出确认无效决定（第六十七条）的案件数。",
            _outcomes(O.CONFIRMED_VOID)),
    _metric("ordered_performance", "复议决定责令履行", "件", "统计期内作出责令履行决定（第六十六条）的案件数。",
            _outcomes(O.ORDERED_PERFORMANCE)),
    _metric("corrected", "复议纠错案件", "件",
            "按本级政府选定的纠错率口径的分子计数；默认口径 direct.v1：撤销（含责令重作）、变更、确认违法、确认无效和责令履行决定的案件数之和。",
            _corrected),
    _metric("correction_rate", "行政复议纠错率", "%",
            "按本级政府选定的口径计算（行政复议协调员可在“行政复议指标”页切换）。默认口径 direct.v1："
            + FORMULAS["direct.v1"].text + " 可选口径：" + "；".join(f"{f.code} {f.label}" for f in FORMULAS.values())
            + "。无审结案件时为空。", _corrected, compute=_correction_rate),
    _metric("mediated", "调解和解结案", "件", "统计期内以调解书（第七十三条）或和解后撤回（第七十四条）结案的案件数。",
            _outcomes(O.MEDIATED, O.SETTLED_WITHDRAWN)),
    _metric("withdrawn", "撤回申请终止", "件", "统计期内因申请人撤回（含和解后撤回）而终止的案件数（第四十一条第一项）。",
            _outcomes(O.WITHDRAWN, O.SETTLED_WITHDRAWN)),
    _metric("terminated", "终止行政复议", "件", "统计期内终止的案件数（第四十一条）：撤回（含和解后撤回）和其他终止情形。",
            _outcomes(O.WITHDRAWN, O.SETTLED_WITHDRAWN, O.TERMINATED)),
    _metric("on_time_rate", "行政复议按期审结率", "%",
            "统计期内审结的案件中，在审理期限内（第六十二条，含批准的延长，扣除中止期间）结案的件数 ÷ 审结件数 × 100%；"
            "无审理期限记录的历史案件不计；无审结案件时为空。", _timed, compute=_on_time_rate),
]

for _m in METRICS:
    register(_m)
