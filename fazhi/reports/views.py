"""Pages of 年度报告: the coordinator's dashboard, the report's workflow, the preview (every figure
links to its drill-down), DOCX downloads, the template editor and the public list of reports."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fazhi.core import clocks, metrics, scoping
from fazhi.core.deadlines import DeadlineError
from fazhi.core.models import Role, Unit
from fazhi.core.procedure import ProcedureError, allowed_transitions

from . import output, services
from .compiler import CompileError, compile_for, compile_report, format_value
from .models import AnnualReport, Contribution, ReportSection, ReportTemplate, TemplateSection

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KEY_FIGURES = ["reconsideration.received", "reconsideration.correction_rate", "litigation.cases",
               "litigation.head_appearance_rate", "mediation.cases", "mediation.success_rate", "legal_aid.cases",
               "training.sessions"]


def _unit_and_year(request) -> tuple[Unit, int]:
    code = request.GET.get("unit", "").strip()
    if code:
        unit = scoping.get_visible_or_404(Unit, request.user, code=code)
    else:
        homes = scoping.home_units(request.user)
        if not homes:
            raise Http404("您没有可查看的单位。")
        unit = homes[0].government()
        if not scoping.can_view_unit(request.user, unit):
            unit = homes[0]
    try:
        year = int(request.GET.get("year", "") or clocks.today().year - 1)
        metrics.Period.for_year(year)
    except (ValueError, metrics.MetricError):
        year = clocks.today().year - 1
    return unit, year


def _docx_response(data: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename=\"report.docx\"; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def index(request):
    reports = AnnualReport.objects.visible_to(request.user).select_related("unit").order_by("-year", "unit__path")
    contributions = (Contribution.objects.visible_to(request.user).exclude(state="approved")
                     .select_related("unit", "section", "report").order_by("due_date"))
    templates = ReportTemplate.objects.visible_to(request.user)
    return render(request, "reports/index.html", {
        "reports": reports, "contributions": contributions, "templates": templates,
        "this_year": clocks.today().year, "today": clocks.today()})


@login_required
def dashboard(request):
    """工作台: the year's key figures (value, change on last year, a small trend) and what is missing."""
    from fazhi.returns.models import Return

    unit, year = _unit_and_year(request)
    registry = metrics.all_metrics()
    units = metrics.subtree(unit)
    rows = []
    for code in KEY_FIGURES:
        m = registry.get(code)
        if m is None:
            continue
        trend = [(y, m.value_for(units, metrics.Period.for_year(y))) for y in range(year - 4, year + 1)]
        now, prev = trend[-1][1], trend[-2][1]
        from .compiler import yoy_text

        change, _missing = yoy_text(m, now, prev, year) if now is not None else ("", True)
        peak = max((v for _y, v in trend if v is not None), default=0) or 1
        rows.append({"metric": m, "value": format_value(now, m.unit) if now is not None else None,
                     "change": change, "link": f"/metrics/{code}/?year={year}&unit={unit.code}",
                     "trend": [{"year": y, "value": format_value(v, m.unit) if v is not None else "缺失",
                                "level": 0 if v is None else max(1, round(float(v) * 10 / float(peak)))}
                               for y, v in trend]})
    missing_returns = (Return.objects.visible_to(request.user).filter(unit__in=units)
                       .exclude(state__in=("approved", "accepted")).select_related("unit", "round", "round__form")
                       .order_by("round__due_date"))
    missing_contributions = (Contribution.objects.visible_to(request.user).filter(report__year=year)
                             .exclude(state="approved").select_related("unit", "section").order_by("due_date"))
    return render(request, "reports/dashboard.html", {
        "unit": unit, "year": year, "rows": rows, "missing_returns": missing_returns,
        "missing_contributions": missing_contributions, "today": clocks.today()})


@login_required
def preview(request):
    unit, year = _unit_and_year(request)
    try:
        compiled = compile_for(unit, year)
        body = output.to_html_fragment(compiled)
        error = ""
    except CompileError as exc:
        body, error, compiled = "", str(exc), None
    return render(request, "reports/preview.html", {"unit": unit, "year": year, "body": body, "error": error,
                                                    "compiled": compiled})


@login_required
def preview_docx(request):
    unit, year = _unit_and_year(request)
    compiled = compile_for(unit, year)
    return _docx_response(output.to_docx(compiled), f"{compiled.title}.docx")


@login_required
@require_POST
def report_new(request):
    try:
        unit = scoping.get_visible_or_404(Unit, request.user, code=request.POST.get("unit", "").strip())
        report = services.create_report(request.user, unit=unit, year=request.POST.get("year", ""))
    except ProcedureError as exc:
        messages.error(request, exc.message)
        return redirect("reports:index")
    messages.success(request, f"已建立“{report.title}”。")
    return redirect(report.get_absolute_url())


def _get_report(request, pk) -> AnnualReport:
    return scoping.get_visible_or_404(AnnualReport.objects.select_related("unit", "template"), request.user, pk=pk)


@login_required
def detail(request, pk: int):
    report = _get_report(request, pk)
    compiled = compile_report(report)
    can_edit = (Role.COORDINATOR in scoping.roles_at(request.user, report.unit)
                and report.state in ("draft", "collecting", "editing"))
    return render(request, "reports/detail.html", {
        "report": report, "body": output.to_html_fragment(compiled), "can_edit": can_edit,
        "sections": report.sections.select_related("responsible_unit").order_by("order", "pk"),
        "contributions": report.contributions.select_related("unit", "section"),
        "transitions": allowed_transitions(report, request.user), "clocks": clocks.clocks_of(report),
        "default_due": clocks.today() + dt.timedelta(days=14)})


@login_required
def report_docx(request, pk: int):
    report = _get_report(request, pk)
    if report.state == "published" and report.published_docx:
        return _docx_response(bytes(report.published_docx), f"{report.title}.docx")
    return _docx_response(output.to_docx(compile_report(report)), f"{report.title}（{report.state_label}稿）.docx")


@login_required
@require_POST
def report_operation(request, pk: int, op: str):
    report = _get_report(request, pk)
    try:
        if op == "request":
            try:
                due = dt.date.fromisoformat(request.POST.get("due_date", "").strip())
            except ValueError:
                raise services.InvalidInput("请填写材料报送截止日（YYYY-MM-DD）。") from None
            services.request_contributions(request.user, report, version=request.POST.get("version"), due_date=due)
        else:
            services.move_report(request.user, report, op, version=request.POST.get("version"),
                                 comment=request.POST.get("comment", ""))
        report.refresh_from_db()
        messages.success(request, f"已办理，当前状态：{report.state_label}。")
    except (ProcedureError, DeadlineError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect(report.get_absolute_url())


@login_required
def section_edit(request, pk: int, sid: int):
    report = _get_report(request, pk)
    section = scoping.get_visible_or_404(ReportSection.objects.filter(report=report), request.user, pk=sid)
    if request.method == "POST":
        try:
            services.edit_section(request.user, section, version=request.POST.get("version"),
                                  narrative=request.POST.get("narrative", ""),
                                  figure_text=request.POST.get("figure_text", ""))
            messages.success(request, "已保存。")
            return redirect(report.get_absolute_url() + f"#s-{section.key}")
        except ProcedureError as exc:
            messages.error(request, exc.message)
    return render(request, "reports/section.html", {"report": report, "section": section,
                                                    "contributions": section.contributions.select_related("unit")})


@login_required
def contribution(request, pk: int):
    c = scoping.get_visible_or_404(Contribution.objects.select_related("unit", "section", "report"), request.user, pk=pk)
    if request.method == "POST":
        try:
            services.save_contribution(request.user, c, version=request.POST.get("version"),
                                       text=request.POST.get("text", ""))
            messages.success(request, "已保存。")
            return redirect(c.get_absolute_url())
        except ProcedureError as exc:
            messages.error(request, exc.message)
    roles = scoping.roles_at(request.user, c.unit)
    return render(request, "reports/contribution.html", {
        "c": c, "transitions": allowed_transitions(c, request.user), "clocks": clocks.clocks_of(c),
        "can_write": c.state in ("writing", "returned") and bool(roles & {Role.OPERATOR, Role.LEADER})})


@login_required
@require_POST
def contribution_operation(request, pk: int, op: str):
    c = scoping.get_visible_or_404(Contribution.objects.select_related("unit", "section", "report"), request.user, pk=pk)
    try:
        services.move_contribution(request.user, c, op, version=request.POST.get("version"),
                                   comment=request.POST.get("comment", ""))
        c.refresh_from_db()
        messages.success(request, f"已办理，当前状态：{c.state_label}。")
    except (ProcedureError, DeadlineError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect(c.get_absolute_url())


@login_required
def template_detail(request, pk: int):
    tpl = scoping.get_visible_or_404(ReportTemplate, request.user, pk=pk)
    return render(request, "reports/template.html", {
        "tpl": tpl, "sections": tpl.sections.select_related("responsible_unit").order_by("order", "pk"),
        "can_edit": Role.COORDINATOR in scoping.roles_at(request.user, tpl.unit)})


def _template_section(request, pk: int, sid: int) -> tuple[ReportTemplate, TemplateSection]:
    tpl = scoping.get_visible_or_404(ReportTemplate, request.user, pk=pk)
    section = TemplateSection.objects.filter(template=tpl, pk=sid).select_related("template").first()
    if section is None:
        raise Http404("未找到该章节。")
    return tpl, section


def _coordinator_of_template(request, tpl: ReportTemplate) -> None:
    # Only the template unit's coordinator changes it; anyone else is told nothing (404).
    if Role.COORDINATOR not in scoping.roles_at(request.user, tpl.unit):
        raise Http404("未找到该模板，或您无权修改。")


@login_required
def template_section(request, pk: int, sid: int):
    """Edit one section of a template (title, level, order, figure sentence, chart, responsible unit)."""
    tpl, section = _template_section(request, pk, sid)
    if request.method == "POST":
        _coordinator_of_template(request, tpl)
        try:
            services.edit_template_section(request.user, section, request.POST, version=request.POST.get("version"))
            messages.success(request, "模板章节已保存；已建立的年度报告不受影响。")
            return redirect(tpl.get_absolute_url())
        except ProcedureError as exc:
            messages.error(request, exc.message)
            tpl.refresh_from_db()
    return render(request, "reports/template_section.html", {
        "tpl": tpl, "section": section, "data": request.POST if request.method == "POST" else None,
        "units": scoping.visible_units(request.user).filter(active=True).order_by("path")})


@login_required
def template_section_new(request, pk: int):
    """Add a section (GET: the form; POST: add it after the chosen section)."""
    tpl = scoping.get_visible_or_404(ReportTemplate, request.user, pk=pk)
    _coordinator_of_template(request, tpl)
    if request.method == "POST":
        try:
            section = services.add_template_section(request.user, tpl, request.POST,
                                                    version=request.POST.get("version"))
            messages.success(request, f"已添加章节“{section.title}”；已建立的年度报告不受影响。")
            return redirect(tpl.get_absolute_url())
        except ProcedureError as exc:
            messages.error(request, exc.message)
            tpl.refresh_from_db()
    return render(request, "reports/template_section.html", {
        "tpl": tpl, "section": None, "data": request.POST if request.method == "POST" else None,
        "sections": tpl.sections.order_by("order", "pk"),
        "units": scoping.visible_units(request.user).filter(active=True).order_by("path")})


@login_required
@require_POST
def template_section_delete(request, pk: int, sid: int):
    tpl, section = _template_section(request, pk, sid)
    _coordinator_of_template(request, tpl)
    title = section.title
    try:
        services.delete_template_section(request.user, section, version=request.POST.get("version"))
        messages.success(request, f"已删除章节“{title}”；已建立的年度报告不受影响。")
    except ProcedureError as exc:
        messages.error(request, exc.message)
    return redirect(tpl.get_absolute_url())


@login_required
@require_POST
def template_section_move(request, pk: int, sid: int, direction: str):
    tpl, section = _template_section(request, pk, sid)
    _coordinator_of_template(request, tpl)
    try:
        services.move_template_section(request.user, section, direction, version=request.POST.get("version"))
        messages.success(request, "章节顺序已调整。")
    except ProcedureError as exc:
        messages.error(request, exc.message)
    return redirect(tpl.get_absolute_url() + f"#ts-{section.pk}")


# ---------------------------------------------------------------------------
# Public pages (第二十四条: published reports, each year, and the April 1 deadline)
# ---------------------------------------------------------------------------
def public_index(request):
    today = clocks.today()
    reports = AnnualReport.objects.filter(state="published").select_related("unit").order_by("-year", "unit__path")
    pending = []
    for r in AnnualReport.objects.exclude(state="published").select_related("unit").order_by("-year"):
        clock = clocks.clock_of(r, "publication")
        if clock is not None and clock.due_date:
            pending.append({"report": r, "due": clock.due_date, "days_left": (clock.due_date - today).days})
    return render(request, "reports/public_index.html", {"reports": reports, "pending": pending, "today": today})


def _published(pk: int) -> AnnualReport:
    report = AnnualReport.objects.filter(pk=pk, state="published").select_related("unit").first()
    if report is None:
        raise Http404("未找到该报告。")
    return report


def public_detail(request, pk: int):
    return render(request, "reports/public_detail.html", {"report": _published(pk)})


def public_docx(request, pk: int):
    report = _published(pk)
    return _docx_response(bytes(report.published_docx or b""), f"{report.title}.docx")
