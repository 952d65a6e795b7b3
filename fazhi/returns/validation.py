"""Validation of a return's values: one function for the browser form, the API and the Excel upload,
so a figure refused in one is refused in all, with the same Chinese message."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .models import FieldType

RATIO_TOLERANCE = Decimal("0.1")  # percentage points: a rate is entered to one decimal place


@dataclass(frozen=True)
class FieldError:
    code: str  # the field's metric code ("" for the whole return)
    message: str
    kind: str = "value"  # required | value | check


def _parse(field, raw: str) -> tuple[Decimal | str | None, str | None]:
    text = (raw or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None, (f"“{field.label}”为必填项。" if field.required else None)
    if field.field_type == FieldType.TEXT:
        return raw.strip(), None
    if field.field_type == FieldType.PERCENTAGE and text.endswith(("%", "％")):
        text = text[:-1].strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, f"“{field.label}”应为数字，填写的是“{raw.strip()}”。"
    if not number.is_finite():
        return None, f"“{field.label}”应为数字，填写的是“{raw.strip()}”。"
    if number < 0:
        return None, f"“{field.label}”不能为负数（填写的是 {raw.strip()}）。"
    if field.field_type == FieldType.INTEGER and number != number.to_integral_value():
        return None, f"“{field.label}”应为整数（填写的是 {raw.strip()}）。"
    if field.field_type == FieldType.PERCENTAGE and number > 100:
        return None, f"“{field.label}”是百分比，应在 0 至 100 之间（填写的是 {raw.strip()}）。"
    if abs(number) >= Decimal("1e13"):
        return None, f"“{field.label}”数值过大。"
    return number, None


def validate_values(fields, raw: dict[str, str]) -> tuple[dict[str, Decimal | str | None], list[FieldError]]:
    """Check ``raw`` ({metric code: text as entered}) against the form's ``fields``.

    Returns the parsed values and every error found (not only the first), so a unit can fix all of
    them in one go. Cross-field checks run only between fields that parsed.
    """
    fields = list(fields)
    by_pk = {f.pk: f for f in fields}
    by_code = {f.metric_code: f for f in fields}
    clean: dict[str, Decimal | str | None] = {}
    errors: list[FieldError] = []
    for f in fields:
        text = raw.get(f.metric_code, "")
        value, error = _parse(f, text)
        clean[f.metric_code] = value
        if error:
            kind = "required" if not (text or "").strip() else "value"
            errors.append(FieldError(f.metric_code, error, kind))
    failed = {e.code for e in errors}

    def num(f):
        v = clean.get(f.metric_code) if f is not None and f.metric_code not in failed else None
        return v if isinstance(v, Decimal) else None

    for f in fields:
        value = num(f)
        if value is None:
            continue
        other = by_pk.get(f.not_above_id)
        if other is not None and num(other) is not None and value > num(other):
            errors.append(FieldError(f.metric_code, kind="check", message=
                                     f"“{f.label}”（{_fmt(value)}）不能大于“{other.label}”（{_fmt(num(other))}）。"))
        parts = [by_code.get(c) for c in f.sum_codes]
        if parts and all(p is not None and num(p) is not None for p in parts):
            total = sum((num(p) for p in parts), Decimal(0))
            if total != value:
                names = "、".join(f"“{p.label}”" for p in parts)
                errors.append(FieldError(f.metric_code, kind="check", message=
                                         f"“{f.label}”（{_fmt(value)}）应等于{names}之和（{_fmt(total)}）。"))
        if f.field_type == FieldType.PERCENTAGE:
            n, d = by_pk.get(f.numerator_id), by_pk.get(f.denominator_id)
            if n is not None and d is not None and num(n) is not None and num(d) is not None:
                if num(d) == 0:
                    errors.append(FieldError(f.metric_code, kind="check", message=
                                             f"“{d.label}”为 0，“{f.label}”无从计算，应留空。"))
                else:
                    expected = num(n) * 100 / num(d)
                    if abs(expected - value) > RATIO_TOLERANCE:
                        errors.append(FieldError(
                            f.metric_code, kind="check", message=
                            f"“{f.label}”（{_fmt(value)}%）与“{n.label}”÷“{d.label}”"
                            f"（{_fmt(num(n))}÷{_fmt(num(d))}={expected:.1f}%）不符。"))
    return clean, errors


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
