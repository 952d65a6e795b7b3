"""The metrics registry: one vocabulary of named figures for dashboards, the annual report and benchmarks.

A metric has a code (``area.name``), a Chinese label, a unit (件/宗/%/人/次/个…), its formula
(口径) with a version, and — when some module records the data — a function computing its value
for a unit subtree and a period, plus the records it counted (drill-down).

Where metrics come from:
- code: ``register(Metric(...))`` in an app's ``metrics.py`` (imported on first use, like admin.py);
- the database: ``MetricDefinition`` rows (statistical returns, imported vocabularies); their value is
  ``None`` unless a source registered with ``register_source`` provides one;
- the vocabulary of published reports (``metric_vocabulary.py``): registered without a source, so
  every report figure has a code to land on even before a module computes it.

Rates are computed from the counts of the whole subtree (Σ numerator ÷ Σ denominator), never by
averaging the rates of sub-units: a small 街道 with 1 of 1 must not weigh as much as a bureau with
300 cases.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from django.db import models
from django.db.models import F, Q

Number = int | float | Decimal | None
ComputeFn = Callable[[models.QuerySet, "Period"], Number]
RecordsFn = Callable[[models.QuerySet, "Period"], models.QuerySet]

CODE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class MetricError(ValueError):
    """Bad metric input (unknown code, bad period, unknown unit); the message is Chinese."""


# ---------------------------------------------------------------------------
# Period
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """A closed date range [start, end]; usually a calendar year."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.start > self.end:
            raise MetricError(f"统计期起始日 {self.start} 晚于截止日 {self.end}。")

    @classmethod
    def for_year(cls, year: int | str) -> "Period":
        try:
            y = int(str(year).strip())
        except (TypeError, ValueError):
            raise MetricError(f"年份无效：{year}（应为四位数字，例如 2025）。") from None
        if not 1949 <= y <= 2100:
            raise MetricError(f"年份超出范围：{y}（应在 1949 至 2100 之间）。")
        return cls(dt.date(y, 1, 1), dt.date(y, 12, 31))

    @classmethod
    def between(cls, start: dt.date | str, end: dt.date | str) -> "Period":
        return cls(_date(start), _date(end))

    @property
    def year(self) -> int | None:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) \
                and self.start.year == self.end.year:
            return self.start.year
        return None

    @property
    def label(self) -> str:
        return f"{self.year}年" if self.year else f"{self.start} 至 {self.end}"

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise MetricError(f"日期无效：{value}（应为 YYYY-MM-DD）。") from None


# ---------------------------------------------------------------------------
# Metric
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    unit: str
    formula: str = ""  # 口径, in Chinese
    formula_version: str = "1"
    compute: ComputeFn | None = None
    records: RecordsFn | None = None
    source: str = ""  # the module (app label) or return that supplies the value
    describe: Callable[[Any], dict] | None = None  # a drill-down record → {"id", "repr", "link"}
    note: str = ""

    def __post_init__(self):
        if not CODE_RE.match(self.code or ""):
            raise MetricError(f"指标代码格式无效：{self.code!r}（应为“领域.名称”，小写字母、数字和下划线）。")
        if not self.label:
            raise MetricError(f"指标 {self.code} 缺少中文名称。")

    @property
    def has_source(self) -> bool:
        return self.compute is not None

    @property
    def has_drilldown(self) -> bool:
        return self.records is not None

    def value_for(self, units: models.QuerySet, period: Period) -> Number:
        if self.compute is None:
            return None
        return normalise(self.compute(units, period))

    def records_for(self, units: models.QuerySet, period: Period) -> models.QuerySet | None:
        return None if self.records is None else self.records(units, period)


@dataclass(frozen=True)
class Source:
    """Computes DB-defined metrics (MetricDefinition.source == name), e.g. statistical returns."""

    name: str
    compute: Callable[[str, models.QuerySet, Period], Number]
    records: Callable[[str, models.QuerySet, Period], models.QuerySet] | None = None
    describe: Callable[[Any], dict] | None = None


_registry: dict[str, Metric] = {}
_sources: dict[str, Source] = {}
_loaded = False
_lock = threading.RLock()


def register(metric: Metric) -> Metric:
    """Register ``metric``. A metric with a source replaces a sourceless one of the same code (the
    vocabulary yields to the module that computes it); two different sources for one code are an error."""
    with _lock:
        old = _registry.get(metric.code)
        if old is not None and old.has_source:
            if not metric.has_source:
                return old  # the vocabulary never hides a computed metric
            if old.source != metric.source:
                raise MetricError(f"指标 {metric.code} 已由 {old.source} 注册，不能再由 {metric.source} 注册。")
        _registry[metric.code] = metric
    return metric


def register_source(source: Source) -> Source:
    _sources[source.name] = source
    return source


def unregister(code: str) -> None:
    """For tests that register a throw-away metric."""
    _registry.pop(code, None)


def _ensure_loaded() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        _loaded = True
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("metrics")  # each app's metrics.py registers its own figures
        from . import metric_vocabulary

        metric_vocabulary.register_vocabulary()


def _from_definition(row) -> Metric:
    source = _sources.get(row.source)
    return Metric(
        code=row.code, label=row.label, unit=row.unit, formula=row.formula, source=row.source,
        compute=(lambda units, period, _s=source, _c=row.code: _s.compute(_c, units, period)) if source else None,
        records=(lambda units, period, _s=source, _c=row.code: _s.records(_c, units, period))
        if source and source.records else None,
        describe=source.describe if source else None,
    )


def all_metrics() -> dict[str, Metric]:
    """Every metric by code, sorted: code-registered merged with MetricDefinition rows."""
    from .models import MetricDefinition

    _ensure_loaded()
    merged = dict(_registry)
    for row in MetricDefinition.objects.all():
        current = merged.get(row.code)
        # A DB row wins only where code has nothing that computes the figure and the row can.
        if current is None or (not current.has_source and row.source in _sources):
            if CODE_RE.match(row.code):
                merged[row.code] = _from_definition(row)
    return dict(sorted(merged.items()))


def get(code: str) -> Metric:
    metric = all_metrics().get(code)
    if metric is None:
        raise MetricError(f"未找到指标：{code}")
    return metric


# ---------------------------------------------------------------------------
# Values and drill-down
# ---------------------------------------------------------------------------
def normalise(value: Any) -> Number:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def rate(numerator: int | None, denominator: int | None, digits: int = 1) -> float | None:
    """numerator ÷ denominator × 100, rounded; None when there is nothing to divide by."""
    if not denominator or numerator is None:
        return None
    return round(numerator * 100 / denominator, digits)


def subtree(unit) -> models.QuerySet:
    return unit.subtree().filter(active=True) if hasattr(unit, "subtree") else unit


def value(code: str, unit, period: Period) -> Number:
    """The value of metric ``code`` for ``unit`` and all units below it, over ``period``."""
    return get(code).value_for(subtree(unit), period)


def values(unit, period: Period) -> dict[str, dict]:
    """``{code: {"label", "unit", "value"}}`` for every registered metric (value None without a source)."""
    units = subtree(unit)
    return {code: {"label": m.label, "unit": m.unit, "value": m.value_for(units, period)}
            for code, m in all_metrics().items()}


def default_describe(obj) -> dict:
    link = None
    if hasattr(obj, "get_absolute_url"):
        try:
            link = obj.get_absolute_url()
        except Exception:  # noqa: BLE001 - a broken link must not break the list
            link = None
    return {"id": obj.pk, "repr": str(obj), "link": link}


@dataclass
class Drilldown:
    metric: Metric
    value: Number
    rows: list[dict] = field(default_factory=list)
    total: int = 0


def drilldown(code: str, unit, period: Period, *, offset: int = 0, limit: int = 200) -> Drilldown:
    """The records ``code`` counted for ``unit``'s subtree over ``period`` (a page of them)."""
    metric = get(code)
    units = subtree(unit)
    result = Drilldown(metric=metric, value=metric.value_for(units, period))
    qs = metric.records_for(units, period)
    if qs is None:
        return result
    result.total = qs.count()
    describe = metric.describe or default_describe
    for obj in qs[offset:offset + limit]:
        row = describe(obj)
        u = getattr(obj, "unit", None)
        row.setdefault("unit", u.name if u is not None else "")
        result.rows.append(row)
    return result


def top_government():
    """The root unit of kind government (the default for ``fazhi metrics``)."""
    from .models import Unit

    return Unit.objects.filter(parent__isnull=True, kind=Unit.Kind.GOVERNMENT).order_by("sort_order", "code").first()


def resolve_unit(code: str | None):
    from .models import Unit

    if code:
        unit = Unit.objects.filter(code=code.strip()).first()
        if unit is None:
            raise MetricError(f"未找到单位代码：{code}")
        return unit
    unit = top_government()
    if unit is None:
        raise MetricError("系统中没有顶级人民政府单位。请先载入单位数据，或用 --unit 指定单位代码。")
    return unit


# ---------------------------------------------------------------------------
# Core metrics: legal time limits (clocks) of every procedure
# ---------------------------------------------------------------------------
def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def _clocks(units):
    from .models import Clock

    return Clock.objects.filter(unit__in=units).select_related("rule", "unit", "matter_type")


def _overdue(units, period: Period):
    from .models import Clock

    today = _today()
    return _clocks(units).filter(due_date__gte=period.start, due_date__lte=period.end, due_date__lt=today).filter(
        Q(status=Clock.Status.RUNNING) | Q(status=Clock.Status.STOPPED, stopped_on__gt=F("due_date"))
    ).order_by("due_date", "pk")


def _concluded(units, period: Period):
    from .models import Clock

    return _clocks(units).filter(status=Clock.Status.STOPPED, stopped_on__gte=period.start,
                                 stopped_on__lte=period.end, due_date__isnull=False).order_by("stopped_on", "pk")


def _concluded_on_time(units, period: Period):
    return _concluded(units, period).filter(stopped_on__lte=F("due_date"))


def _on_time_rate(units, period: Period) -> float | None:
    concluded = _concluded(units, period)
    return rate(concluded.filter(stopped_on__lte=F("due_date")).count(), concluded.count())


def describe_clock(clock) -> dict:
    matter = None
    model = clock.matter_type.model_class()
    if model is not None:
        matter = model._default_manager.filter(pk=clock.matter_id).first()
    what = str(matter) if matter is not None else f"{clock.matter_type.name} {clock.matter_id}"
    text = f"{what}：{clock.rule.label}，届满日 {clock.due_date or '—'}"
    if clock.stopped_on:
        text += f"，结束于 {clock.stopped_on}"
        if clock.due_date and clock.stopped_on > clock.due_date:
            text += f"（逾期 {(clock.stopped_on - clock.due_date).days} 日）"
    elif clock.due_date and clock.due_date < _today():
        text += f"，{clock.get_status_display()}（已逾期 {(_today() - clock.due_date).days} 日）"
    link = None
    if matter is not None and hasattr(matter, "get_absolute_url"):
        try:
            link = matter.get_absolute_url()
        except Exception:  # noqa: BLE001
            link = None
    return {"id": clock.pk, "repr": text, "link": link, "unit": clock.unit.name}


CORE_METRICS = [
    Metric(
        "clocks.overdue", "逾期未办结事项", "件",
        formula=("统计期内届满的法定期限中，届满日已过仍未结束（计时中），或在届满日之后才结束的期限数。"
                 "中止中的期限不计；一个事项有多个期限的分别计数。"),
        compute=lambda units, period: _overdue(units, period).count(),
        records=_overdue, describe=describe_clock, source="core",
    ),
    Metric(
        "clocks.concluded", "办结的期限", "件",
        formula="统计期内结束（办结）的法定期限数，按结束日期归属统计期。",
        compute=lambda units, period: _concluded(units, period).count(),
        records=_concluded, describe=describe_clock, source="core",
    ),
    Metric(
        "clocks.concluded_on_time", "按期办结的期限", "件",
        formula="统计期内结束的法定期限中，结束日不晚于届满日的期限数。",
        compute=lambda units, period: _concluded_on_time(units, period).count(),
        records=_concluded_on_time, describe=describe_clock, source="core",
    ),
    Metric(
        "clocks.on_time_rate", "按期办结率", "%",
        formula="按期办结的期限 ÷ 办结的期限 × 100%（clocks.concluded_on_time ÷ clocks.concluded），"
                "按本单位及下级单位的合计件数计算，不对下级单位的比率取平均；无办结期限时为空。",
        compute=_on_time_rate, records=_concluded, describe=describe_clock, source="core",
    ),
]

for _metric in CORE_METRICS:
    register(_metric)
