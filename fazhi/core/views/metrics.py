"""Metrics pages: every registered metric for a unit subtree and a year, and the records behind a figure."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from .. import metrics, scoping
from ..api.units import tree_order
from ..models import Unit

PAGE_SIZE = 200


def _active_unit(request) -> Unit:
    """?unit=CODE if visible (else 404), otherwise the unit chosen in the shell's switcher."""
    code = request.GET.get("unit", "").strip()
    if code:
        return scoping.get_visible_or_404(Unit, request.user, code=code)
    units = scoping.home_units(request.user)
    active_id = request.session.get("active_unit_id")
    active = next((u for u in units if u.pk == active_id), units[0] if units else None)
    if active is None or not scoping.can_view_unit(request.user, active):
        raise Http404("您没有可查看的单位。")
    return active


def _period(request) -> tuple[metrics.Period, str]:
    raw = request.GET.get("year", "").strip()
    try:
        return metrics.Period.for_year(raw or timezone.localdate().year), ""
    except metrics.MetricError as exc:
        return metrics.Period.for_year(timezone.localdate().year), f"{exc} 已改为显示当年。"


@login_required
def index(request):
    unit = _active_unit(request)
    period, error = _period(request)
    units = metrics.subtree(unit)
    rows = []
    for code, m in metrics.all_metrics().items():
        rows.append({"metric": m, "code": code, "area": code.split(".")[0], "value": m.value_for(units, period)})
    this_year = timezone.localdate().year
    return render(request, "core/metrics/index.html", {
        "unit": unit, "period": period, "year": period.start.year, "rows": rows, "error": error,
        "units": tree_order(scoping.visible_units(request.user).filter(active=True)),
        "years": list(range(this_year, this_year - 6, -1)),
        "sourced": sum(1 for r in rows if r["metric"].has_source),
    })


@login_required
def detail(request, code: str):
    unit = _active_unit(request)
    period, error = _period(request)
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    try:
        result = metrics.drilldown(code, unit, period, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    except metrics.MetricError:
        raise Http404("未找到该指标。") from None
    pages = max((result.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render(request, "core/metrics/detail.html", {
        "unit": unit, "period": period, "year": period.start.year, "metric": result.metric, "value": result.value,
        "rows": result.rows, "total": result.total, "error": error, "page": page, "pages": pages,
        "first_index": (page - 1) * PAGE_SIZE,
    })


urlpatterns = [
    path("", index, name="metrics"),
    path("<str:code>/", detail, name="metric_detail"),
]
