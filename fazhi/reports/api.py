"""/api/reports: compile the annual report of a unit and year (figures with their values and drill-down
links), and the list of reports the user can see."""
from __future__ import annotations

from ninja import Router, Schema

from fazhi.core import metrics, scoping
from fazhi.core.models import Unit

from .compiler import CompileError, compile_for
from .models import AnnualReport
from .services import InvalidInput

router = Router(tags=["年度报告"])


class FigureOut(Schema):
    code: str
    label: str
    unit: str
    value: float | int | None
    text: str
    missing: bool
    kind: str
    link: str


class CompiledOut(Schema):
    title: str
    unit: str
    year: int
    sections: list[str]
    figures: list[FigureOut]


class ReportOut(Schema):
    id: int
    unit: str
    year: int
    title: str
    state: str
    state_label: str
    version: int


@router.get("/", response=list[ReportOut], summary="我可见的年度报告")
def list_reports(request):
    return [{"id": r.pk, "unit": r.unit.code, "year": r.year, "title": r.title, "state": r.state,
             "state_label": r.state_label, "version": r.version}
            for r in AnnualReport.objects.visible_to(request.user).select_related("unit")]


@router.get("/compile", response=CompiledOut, summary="汇编年度报告（数据与章节，不含图表）")
def compile_view(request, year: int, unit: str = ""):
    target = scoping.get_visible_or_404(Unit, request.user, code=unit) if unit else None
    if target is None:
        target = metrics.top_government()
        if target is None or not scoping.can_view_unit(request.user, target):
            homes = scoping.home_units(request.user)
            if not homes:
                raise InvalidInput("您没有可查看的单位。")
            target = homes[0]
    try:
        metrics.Period.for_year(year)
        compiled = compile_for(target, year, with_charts=False)
    except (metrics.MetricError, CompileError) as exc:
        raise InvalidInput(str(exc)) from None
    return {"title": compiled.title, "unit": target.code, "year": compiled.year,
            "sections": [b.heading for b in compiled.blocks],
            "figures": [{"code": f.code, "label": f.label, "unit": f.unit, "value": f.value, "text": f.text,
                         "missing": f.missing, "kind": f.kind, "link": f.link} for f in compiled.figures]}
