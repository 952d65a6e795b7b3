"""GET /api/deadline — the deadline calculator (期限计算器) as an endpoint.

Bad input raises DeadlineError, which the API answers as 400 {"code": "invalid_input", "message": …}.
"""
from __future__ import annotations

from ninja import Query, Router, Schema

from ..deadlines import counting_note, describe, parse_date, parse_pause, parse_spec, simple_deadline
from ..workdays import get_calendar
from .base import session_or_token

router = Router(tags=["期限计算器"])


class DeadlineOut(Schema):
    start: str
    due: str
    budget: int
    day_unit: str
    day_unit_label: str
    warnings: list[str]
    citation_note: str


@router.get("", response=DeadlineOut, auth=session_or_token, summary="计算期限届满日",
            description="start：起算日 YYYY-MM-DD（不计入）；spec：20wd（工作日）或 60d（自然日）；"
                        "extend：延长，如 30d，可重复；pause：中止期间 FROM:TO（含两端），可重复。")
def deadline(request, start: str, spec: str, extend: Query[list[str]] = None, pause: Query[list[str]] = None):
    start_on = parse_date(start)
    budget, unit = parse_spec(spec)
    pauses = [parse_pause(p) for p in (pause or [])]
    result = simple_deadline(get_calendar(), start_on, spec, extend or [], pauses)
    return {
        "start": start_on.isoformat(),
        "due": result.due.isoformat(),
        "budget": result.budget,
        "day_unit": unit,
        "day_unit_label": describe(result.budget, unit),
        "warnings": result.warnings,
        "citation_note": counting_note(unit),
    }
