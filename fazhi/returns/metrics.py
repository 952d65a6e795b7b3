"""The returns source of the metrics registry: every metric bound to a return field is computed from
accepted returns, so a returns-fed figure reads like a module's (value, formula, drill-down).

Roll-up along the unit tree: counts are summed over the subtree; a rate is recomputed from the
summed numerator and denominator (Σ成功 ÷ Σ调解), never averaged over units. Over time, a flow adds
up the periods inside the asked period; a stock takes each unit's last period. Only returns the
coordinator accepted count; with none, the value is ``None`` (shown as missing, never as 0).
"""
from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from fazhi.core.metrics import Period, Source, normalise, rate, register_source

from .models import FieldType, OverTime, ReturnField, ReturnValue

SOURCE = "returns"


def _field(code: str) -> ReturnField | None:
    return ReturnField.objects.select_related("form", "numerator", "denominator").filter(metric_code=code).first()


def _values(field: ReturnField | list[ReturnField], units, period: Period) -> QuerySet:
    fields = field if isinstance(field, list) else [field]
    return (ReturnValue.objects.filter(field__in=fields, ret__state="accepted", ret__unit__in=units,
                                       ret__round__period_start__gte=period.start,
                                       ret__round__period_end__lte=period.end)
            .select_related("ret", "ret__unit", "ret__round", "field")
            .order_by("ret__unit__path", "ret__round__period_start", "pk"))


def _total(field: ReturnField, units, period: Period) -> Decimal | None:
    rows = list(_values(field, units, period).exclude(number__isnull=True)
                .values_list("ret__unit_id", "ret__round__period_start", "number"))
    if not rows:
        return None
    if field.over_time == OverTime.LAST:
        last: dict[int, tuple] = {}
        for unit_id, start, number in rows:
            if unit_id not in last or start >= last[unit_id][0]:
                last[unit_id] = (start, number)
        return sum((n for _s, n in last.values()), Decimal(0))
    return sum((n for _u, _s, n in rows), Decimal(0))


def compute(code: str, units, period: Period):
    field = _field(code)
    if field is None or field.field_type == FieldType.TEXT:
        return None
    if field.field_type == FieldType.PERCENTAGE:
        if field.numerator_id and field.denominator_id:
            num, den = _total(field.numerator, units, period), _total(field.denominator, units, period)
            return rate(num, den)
        # A rate without its counts cannot be rolled up: only a single unit's own figure is shown.
        rows = list(_values(field, units, period).exclude(number__isnull=True).values_list("number", flat=True))
        return normalise(rows[0]) if len(rows) == 1 else None
    return normalise(_total(field, units, period))


def records(code: str, units, period: Period) -> QuerySet:
    field = _field(code)
    if field is None:
        return ReturnValue.objects.none()
    fields = [field]
    if field.numerator_id and field.denominator_id:
        fields = [field.numerator, field.denominator]
    return _values(fields, units, period).select_related("ret", "ret__unit", "ret__round", "ret__round__form", "field").order_by(
        "ret__unit__path", "ret__round__period_start", "field__order", "pk")


def describe(value: ReturnValue) -> dict:
    ret = value.ret
    f = value.field
    shown = value.raw or "（未填）"
    if f.unit_label and value.raw:
        shown += "" if f.unit_label == "%" and shown.endswith("%") else f.unit_label
    text = f"{ret.round.form.name}（{ret.round.period_label}）：{f.label} {shown}"
    return {"id": value.pk, "repr": text, "link": ret.get_absolute_url(), "unit": ret.unit.name}


register_source(Source(name=SOURCE, compute=compute, records=records, describe=describe))
