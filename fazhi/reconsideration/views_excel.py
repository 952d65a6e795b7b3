"""Excel pages of 行政复议: the import template, the import of historic cases, the export of a list.

The export takes the list page's filters and always starts from ``Case.objects.visible_to(user)``:
it contains exactly the cases the user could open. The import is for the 行政复议机构's
coordinators and leaders (``excel.import_cases`` checks it again).
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fazhi.core.procedure import ProcedureError

from . import excel
from .views import filtered_cases
from .models import Case

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_KEYS = ("state", "procedure_type", "respondent", "year", "flag", "q")


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def export(request):
    filters = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    data = excel.export_cases(filtered_cases(Case.objects.visible_to(request.user), request.GET), user=request.user, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(data, f"行政复议案件-{stamp}.xlsx")


@login_required
def template(request):
    return _xlsx(excel.template_bytes(), "行政复议历史案件导入模板.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    office = excel.office_for_user(request.user)
    if office is None:
        raise Http404("您不是行政复议机构的协调员或负责人。")
    ctx = {"office": office, "columns": excel.COLUMNS, "outcomes": excel.OUTCOME_CHOICES_TEXT}
    if request.method == "GET":
        return render(request, "reconsideration/excel/import.html", ctx)
    upload = request.FILES.get("file")
    dry_run = request.POST.get("dry_run") == "on"
    if upload is None:
        return render(request, "reconsideration/excel/import.html", {**ctx, "error": "请选择要导入的 Excel 文件（.xlsx）。"},
                      status=400)
    if upload.size > excel.MAX_BYTES:
        return render(request, "reconsideration/excel/import.html",
                      {**ctx, "error": f"文件过大（超过 {excel.MAX_BYTES // 1024 // 1024} MB），请拆分后分批导入。"},
                      status=400)
    try:
        result = excel.import_cases(upload.read(), office=office, user=request.user, dry_run=dry_run,
                                    filename=upload.name[:200])
    except ProcedureError as exc:
        return render(request, "reconsideration/excel/import.html", {**ctx, "error": exc.message}, status=exc.status)
    if result.ok and not dry_run:
        messages.success(request, result.summary())
        return redirect("/reconsideration/excel/import/")
    return render(request, "reconsideration/excel/import.html", {**ctx, "result": result},
                  status=200 if result.ok else 400)
