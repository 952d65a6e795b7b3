"""Pages of 统计填报: thin views over fazhi.core.scoping and the returns services."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fazhi.core import clocks, scoping
from fazhi.core.deadlines import DeadlineError
from fazhi.core.models import Membership, Role
from fazhi.core.procedure import ProcedureError, allowed_transitions

from . import excel, services
from .models import FieldType, OverTime, Periodicity, Return, ReturnForm
from .validation import validate_values


def _is_coordinator(user) -> bool:
    return Membership.objects.filter(user=user, role=Role.COORDINATOR, unit__active=True).exists()


@login_required
def index(request):
    user = request.user
    returns = (Return.objects.visible_to(user).select_related("unit", "round", "round__form")
               .order_by("-round__period_start", "round__form__code", "unit__path")[:500])
    today = clocks.today()
    return render(request, "returns/index.html", {
        "returns": returns, "today": today,
        "forms": ReturnForm.objects.visible_to(user).order_by("code") if _is_coordinator(user) else [],
        "is_coordinator": _is_coordinator(user),
        "overdue_count": services.overdue_returns(user, today).count(),
        "periodicities": Periodicity.choices,
    })


@login_required
def overdue(request):
    today = clocks.today()
    return render(request, "returns/overdue.html", {"rows": services.overdue_returns(request.user, today),
                                                    "today": today})


@login_required
@require_POST
def form_new(request):
    units = [u for u in scoping.visible_units(request.user) if Role.COORDINATOR in scoping.roles_at(request.user, u)]
    if not units:
        raise Http404("未找到该单位，或您无权查看。")
    home = next((u for u in scoping.home_units(request.user) if u in units), units[0])
    try:
        form = services.create_form(request.user, unit=home, name=request.POST.get("name", ""),
                                    code=request.POST.get("code", ""),
                                    periodicity=request.POST.get("periodicity", Periodicity.YEAR),
                                    description=request.POST.get("description", ""))
    except ProcedureError as exc:
        messages.error(request, exc.message)
        return redirect("returns:index")
    messages.success(request, f"已建立报表“{form.name}”，请添加字段。")
    return redirect(form.get_absolute_url())


@login_required
def form_detail(request, pk: int):
    form = scoping.get_visible_or_404(ReturnForm, request.user, pk=pk)
    return render(request, "returns/form.html", {
        "form": form, "fields": form.fields.select_related("numerator", "denominator", "not_above"),
        "rounds": form.rounds.order_by("-period_start"),
        "can_edit": Role.COORDINATOR in scoping.roles_at(request.user, form.unit),
        "field_types": FieldType.choices, "over_time": OverTime.choices,
        "units": [u for u in scoping.visible_units(request.user).filter(active=True).order_by("path")],
        "this_year": clocks.today().year,
    })


@login_required
@require_POST
def form_operation(request, pk: int, op: str):
    form = scoping.get_visible_or_404(ReturnForm, request.user, pk=pk)
    p = request.POST
    try:
        if op == "field":
            services.add_field(request.user, form, metric_code=p.get("metric_code", ""), label=p.get("label", ""),
                               unit_label=p.get("unit_label", ""), field_type=p.get("field_type", "integer"),
                               over_time=p.get("over_time", "sum"), required=p.get("required") == "on",
                               numerator=p.get("numerator", ""), denominator=p.get("denominator", ""),
                               not_above=p.get("not_above", ""), sum_of=p.get("sum_of", ""),
                               help_text=p.get("help_text", ""))
            messages.success(request, "字段已添加，对应指标已登记。")
        elif op == "issue":
            try:
                due = dt.date.fromisoformat(p.get("due_date", "").strip())
                year, part = int(p.get("year", "")), int(p.get("part", "1") or 1)
            except ValueError:
                raise services.InvalidInput("请正确填写年度、期次和报送截止日（YYYY-MM-DD）。") from None
            unit_ids = [int(x) for x in p.getlist("units") if x.isdigit()]
            units = list(scoping.visible_units(request.user).filter(pk__in=unit_ids))
            rnd = services.issue_round(request.user, form, year=year, part=part, due_date=due, units=units)
            messages.success(request, f"已向 {len(units)} 个单位下发“{rnd}”。")
        else:
            raise Http404("未知操作。")
    except (ProcedureError, DeadlineError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect(form.get_absolute_url())


def _get_return(request, pk: int) -> Return:
    return scoping.get_visible_or_404(Return.objects.select_related("unit", "round", "round__form"), request.user,
                                      pk=pk)


@login_required
def detail(request, pk: int):
    ret = _get_return(request, pk)
    fields = list(ret.round.form.fields.all())
    values = {v.field_id: v.raw for v in ret.values.all()}
    raw = {f.metric_code: values.get(f.pk, "") for f in fields}
    _clean, errors = validate_values(fields, raw)
    err_by_code = {}
    for e in errors:
        err_by_code.setdefault(e.code, []).append(e.message)
    rows = [{"field": f, "value": raw[f.metric_code], "errors": err_by_code.get(f.metric_code, [])} for f in fields]
    try:
        services._can_fill(request.user, ret)
        can_fill = True
    except (ProcedureError, Http404):
        can_fill = False
    return render(request, "returns/detail.html", {
        "ret": ret, "rows": rows, "can_fill": can_fill, "upload_errors": request.session.pop("returns_upload", None),
        "transitions": allowed_transitions(ret, request.user), "clocks": clocks.clocks_of(ret),
        "today": clocks.today(),
    })


@login_required
@require_POST
def save(request, pk: int):
    ret = _get_return(request, pk)
    raw = {f.metric_code: request.POST.get(f"v_{f.metric_code}", "") for f in ret.round.form.fields.all()}
    try:
        services.save_values(request.user, ret, version=request.POST.get("version"), raw=raw,
                             note=request.POST.get("note", ret.note))
        messages.success(request, "已保存。")
    except services.InvalidValues as exc:
        request.session["returns_upload"] = [e.message for e in exc.errors]
        messages.error(request, "未保存：填报数据未通过校验，请按提示修改。")
    except ProcedureError as exc:
        messages.error(request, exc.message)
    return redirect(ret.get_absolute_url())


@login_required
def template(request, pk: int):
    ret = _get_return(request, pk)
    response = HttpResponse(excel.build_template(ret),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"{ret.round.form.code}-{ret.unit.code}-{ret.round.period_start:%Y%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def upload(request, pk: int):
    ret = _get_return(request, pk)
    f = request.FILES.get("file")
    try:
        services._can_fill(request.user, ret)
        if f is None:
            raise services.InvalidInput("请选择要上传的 Excel 文件。")
        if f.size > excel.MAX_UPLOAD:
            raise excel.UploadError([f"文件过大（上限 {excel.MAX_UPLOAD // 1024 // 1024} MB）。"])
        raw, cell_of = excel.parse_upload(ret, f.read())
        services.save_values(request.user, ret, version=request.POST.get("version"), raw=raw,
                             source="Excel 模板上传", cell_of=cell_of)
        messages.success(request, "已按上传的 Excel 模板保存。")
    except excel.UploadError as exc:
        request.session["returns_upload"] = exc.errors
        messages.error(request, "上传的文件未保存，请按下列单元格提示修改后重新上传。")
    except services.InvalidValues as exc:
        request.session["returns_upload"] = [e.message for e in exc.errors]
        messages.error(request, "上传的文件未保存，请按下列单元格提示修改后重新上传。")
    except ProcedureError as exc:
        messages.error(request, exc.message)
    return redirect(ret.get_absolute_url())


@login_required
@require_POST
def operation(request, pk: int, op: str):
    ret = _get_return(request, pk)
    try:
        if op in services.OPERATIONS:
            services.OPERATIONS[op](request.user, ret, version=request.POST.get("version"))
        elif op in services.COMMENTED:
            services.COMMENTED[op](request.user, ret, version=request.POST.get("version"),
                                   comment=request.POST.get("comment", ""))
        else:
            raise Http404("未知操作。")
        ret.refresh_from_db()
        messages.success(request, f"已办理，当前状态：{ret.state_label}。")
    except (ProcedureError, DeadlineError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect(ret.get_absolute_url())
