"""/api/metrics: every registered metric for a unit subtree and a year, and the drill-down of one."""
from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from .. import metrics, scoping
from ..models import Unit
from .base import ApiError

router = Router(tags=["指标"])


class MetricValueOut(Schema):
    label: str
    unit: str
    value: int | float | None


class DrilldownRecordOut(Schema):
    id: int | str
    repr: str
    link: str | None = None
    unit: str = ""


class MetricDetailOut(Schema):
    code: str
    label: str
    unit: str
    value: int | float | None
    formula: str
    formula_version: str
    source: str
    has_source: bool
    has_drilldown: bool
    unit_code: str
    unit_name: str
    year: int
    records_total: int
    records: list[DrilldownRecordOut]


class MetricsQuery(Schema):
    year: int | None = Field(None, description="统计年度，默认当年")
    unit: str | None = Field(None, description="单位代码，默认为当前用户权限范围的顶层单位")


class DrilldownQuery(MetricsQuery):
    offset: int = Field(0, ge=0, description="跳过的记录数")
    limit: int = Field(100, ge=1, le=1000, description="返回的记录数（最多 1000）")


def default_unit_for(user) -> Unit:
    """The top of the user's reach: the government for a coordinator, the own unit for an operator."""
    units = list(scoping.visible_units(user).filter(active=True).only("pk", "path", "code", "name", "sort_order"))
    if not units:
        raise Http404("您没有可查看的单位。")
    return min(units, key=lambda u: (u.path.count("/"), u.sort_order, u.code))


def _unit_and_period(request, q: MetricsQuery) -> tuple[Unit, metrics.Period]:
    if q.unit:
        unit = scoping.get_visible_or_404(Unit, request.user, code=q.unit)
    else:
        unit = default_unit_for(request.user)
    try:
        period = metrics.Period.for_year(q.year or timezone.localdate().year)
    except metrics.MetricError as exc:
        raise ApiError(400, "invalid_input", str(exc)) from None
    return unit, period


@router.get("", response=dict[str, MetricValueOut], summary="指标值",
            description="返回全部已登记指标在该单位（含下级单位）及年度的取值：{代码: {label, unit, value}}；"
                        "没有数据来源的指标 value 为 null。权限范围外的单位答复 404。")
def list_metrics(request, q: Query[MetricsQuery]):
    unit, period = _unit_and_period(request, q)
    return metrics.values(unit, period)


@router.get("/{code}", response=MetricDetailOut, summary="指标明细（钻取）",
            description="返回指标的口径、取值和计入的记录（编号、说明、链接）。")
def get_metric(request, code: str, q: Query[DrilldownQuery]):
    unit, period = _unit_and_period(request, q)
    try:
        result = metrics.drilldown(code, unit, period, offset=q.offset, limit=q.limit)
    except metrics.MetricError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    m = result.metric
    return {
        "code": m.code, "label": m.label, "unit": m.unit, "value": result.value,
        "formula": m.formula, "formula_version": m.formula_version, "source": m.source,
        "has_source": m.has_source, "has_drilldown": m.has_drilldown,
        "unit_code": unit.code, "unit_name": unit.name, "year": period.start.year,
        "records_total": result.total, "records": result.rows,
    }

