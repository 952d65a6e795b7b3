"""Pages of 报告对标: the imported reports, upload, a report's figures, and the comparison."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fazhi.core import metrics, scoping

from . import compare, extract, services
from .models import Report
from .text import ReportInputError

MAX_FILES = 20


def _choices(request):
    codes = [c for c in request.GET.getlist("metric") if c] or compare.DEFAULT_METRICS
    years = []
    for y in request.GET.getlist("year"):
        try:
            years.append(int(y))
        except ValueError:
            continue
    norm = request.GET.get("norm") or "raw"
    return codes, years, norm


@login_required
def report_list(request):
    reports = Report.objects.visible_to(request.user).order_by("region", "-year", "pk")
    target = services.target_unit(request.user)
    return render(request, "benchmark/list.html", {
        "reports": reports, "target": target, "max_files": MAX_FILES,
    })


@login_required
@require_POST
def upload(request):
    target = services.target_unit(request.user)
    if target is None:
        messages.error(request, "您没有可以导入报告的单位（审计监督角色只能查看）。")
        return redirect("benchmark:list")
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, "请选择要导入的报告文件（TXT、HTML 或 DOCX）。")
        return redirect("benchmark:list")
    if len(files) > MAX_FILES:
        messages.error(request, f"一次最多导入 {MAX_FILES} 个文件。")
        return redirect("benchmark:list")
    for f in files:
        if f.size > services.MAX_BYTES:
            messages.error(request, f"“{f.name}”：文件过大，报告文件不应超过 {services.MAX_BYTES // 1024 // 1024} MB。")
            continue
        try:
            result = services.import_file(f.read(), f.name, unit=target, user=request.user)
        except ReportInputError as exc:
            messages.error(request, f"“{f.name}”未导入：{exc}")
            continue
        (messages.success if result.created else messages.info)(request, result.message)
    return redirect("benchmark:list")


@login_required
def report_detail(request, pk: int):
    report = scoping.get_visible_or_404(Report, request.user, pk=pk)
    facts = list(report.facts.all())
    registry = metrics.all_metrics()
    rows = [{"fact": f, "label": registry[f.metric].label if f.metric in registry else ""} for f in facts]
    outline = [dict(h, part_label=extract.PART_LABELS.get(h.get("part"), ""),
                    system_label=extract.SYSTEM_LABELS.get(h.get("system"), ""), indent=h["level"]) for h in report.outline]
    return render(request, "benchmark/detail.html", {
        "report": report, "rows": rows, "outline": outline,
        "mapped": sum(1 for f in facts if f.metric),
        "can_change": scoping.can_change_unit(request.user, report.unit),
    })


@login_required
@require_POST
def report_population(request, pk: int):
    report = scoping.get_visible_or_404(Report, request.user, pk=pk)
    raw = (request.POST.get("population") or "").strip()
    try:
        value = Decimal(raw) if raw else None
        if value is not None and (value <= 0 or value > Decimal("100000")):
            raise InvalidOperation
    except InvalidOperation:
        messages.error(request, "常住人口应为大于 0 的数字（单位：万人），例如 223.5。")
        return redirect(report)
    try:
        services.set_population(report, value, user=request.user)
    except PermissionError as exc:
        messages.error(request, str(exc))
        return redirect(report)
    messages.success(request, "已保存常住人口。")
    return redirect(report)


@login_required
def compare_page(request):
    codes, years, norm = _choices(request)
    registry = metrics.all_metrics()
    error = ""
    table = None
    try:
        table = compare.build(request.user, codes, years, norm)
    except metrics.MetricError as exc:
        error = str(exc)
    all_years = sorted({y for y in Report.objects.visible_to(request.user).values_list("year", flat=True) if y},
                       reverse=True)
    charts = [compare.bar_chart(table, i) for i in range(len(table.codes))] if table and table.rows else []
    rows = []
    if table:
        for row in table.rows:
            rows.append({"row": row, "cells": list(zip(table.codes, row.cells))})
    return render(request, "benchmark/compare.html", {
        "table": table, "rows": rows, "charts": charts, "error": error,
        "vocabulary": [(code, m.label) for code, m in registry.items() if not code.startswith("clocks.")],
        "selected": set(codes), "years": all_years, "selected_years": set(years), "norm": norm,
        "normalisations": compare.NORMALISATIONS.items(), "query": request.GET.urlencode(),
    })


@login_required
def compare_xlsx(request):
    codes, years, norm = _choices(request)
    try:
        table = compare.build(request.user, codes, years, norm)
    except metrics.MetricError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(compare.to_xlsx(table),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A%E5%AF%B9%E6%A0%87.xlsx"
    return response
