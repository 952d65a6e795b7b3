"""/api/reports: compile the annual report of a unit and year (figures with their values and drill-down
links), the reports the user can see, and the moves of a report and of the units' contributions —
thin wrappers over fazhi.reports.services (same scope, roles, versions and audit as the pages)."""
from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from fazhi.core import clocks, metrics, scoping
from fazhi.core.models import Unit
from fazhi.core.procedure import allowed_transitions

from . import services
from .compiler import CompileError, compile_for
from .models import AnnualReport, Contribution
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


class ReportDetailOut(ReportOut):
    publication_due: dt.date | None
    actions: list[str]
    contributions: list[int]


class ContributionOut(Schema):
    id: int
    report: int
    unit: str
    unit_name: str
    section: str
    text: str
    state: str
    state_label: str
    version: int
    due_date: dt.date
    comment: str
    actions: list[str]


class ReportMoveIn(Schema):
    version: int
    comment: str = ""
    due_date: dt.date | None = None  # for "request": the contributions' due date


class MoveIn(Schema):
    version: int
    comment: str = ""


class TextIn(Schema):
    version: int
    text: str


REPORT_OPS = ("request", "edit", "submit", "approve", "send_back", "publish")
CONTRIBUTION_OPS = ("submit", "approve", "reject", "send_back")


def _report(request, pk: int) -> AnnualReport:
    return scoping.get_visible_or_404(AnnualReport.objects.select_related("unit"), request.user, pk=pk)


def _contribution(request, pk: int) -> Contribution:
    return scoping.get_visible_or_404(Contribution.objects.select_related("unit", "section", "report"),
                                      request.user, pk=pk)


def _report_out(r: AnnualReport, user) -> dict:
    clock = clocks.clock_of(r, "publication")
    return {"id": r.pk, "unit": r.unit.code, "year": r.year, "title": r.title, "state": r.state,
            "state_label": r.state_label, "version": r.version,
            "publication_due": clock.due_date if clock else None,
            "actions": [t.name for t in allowed_transitions(r, user)],
            "contributions": list(r.contributions.visible_to(user).values_list("pk", flat=True))}


def _contribution_out(c: Contribution, user) -> dict:
    return {"id": c.pk, "report": c.report_id, "unit": c.unit.code, "unit_name": c.unit.name,
            "section": c.section_title, "text": c.text, "state": c.state, "state_label": c.state_label,
            "version": c.version, "due_date": c.due_date, "comment": c.comment,
            "actions": [t.name for t in allowed_transitions(c, user)]}


@router.get("/{int:pk}", response=ReportDetailOut, summary="年度报告详情（状态、公开期限、可办理的操作）")
def get_report(request, pk: int):
    return _report_out(_report(request, pk), request.user)


@router.post("/{int:pk}/{op}", response=ReportDetailOut,
             summary="办理年度报告：request（征集材料，须 due_date）/ edit / submit / approve / send_back / publish")
def move_report(request, pk: int, op: str, payload: ReportMoveIn):
    report = _report(request, pk)
    if op not in REPORT_OPS:
        raise InvalidInput(f"未知的操作：{op}")
    if op == "request":
        if payload.due_date is None:
            raise InvalidInput("请填写材料报送截止日（due_date，YYYY-MM-DD）。")
        report = services.request_contributions(request.user, report, version=payload.version,
                                                due_date=payload.due_date)
    else:
        report = services.move_report(request.user, report, op, version=payload.version, comment=payload.comment)
    report.refresh_from_db()
    return _report_out(report, request.user)


@router.get("/contributions/{int:pk}", response=ContributionOut, summary="单位材料详情")
def get_contribution(request, pk: int):
    return _contribution_out(_contribution(request, pk), request.user)


@router.put("/contributions/{int:pk}/text", response=ContributionOut, summary="保存单位材料内容")
def put_contribution_text(request, pk: int, payload: TextIn):
    c = services.save_contribution(request.user, _contribution(request, pk), version=payload.version,
                                   text=payload.text)
    return _contribution_out(c, request.user)


@router.post("/contributions/{int:pk}/{op}", response=ContributionOut,
             summary="办理单位材料：submit / approve / reject / send_back")
def move_contribution(request, pk: int, op: str, payload: MoveIn):
    c = _contribution(request, pk)
    if op not in CONTRIBUTION_OPS:
        raise InvalidInput(f"未知的操作：{op}")
    c = services.move_contribution(request.user, c, op, version=payload.version, comment=payload.comment)
    c.refresh_from_db()
    return _contribution_out(c, request.user)


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
