"""Pages of 行政应诉: thin views over fazhi.core.scoping and the litigation services."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fazhi.core import audit, clocks, scoping
from fazhi.core.deadlines import DeadlineError
from fazhi.core.models import Clock, Unit
from fazhi.core.procedure import ProcedureError, allowed_transitions

from . import forms, services
from .models import LitigationCase
from .procedure import PROCEDURE


@dataclass(frozen=True)
class Operation:
    key: str
    label: str
    form: type
    transitions: frozenset[str]
    run: Callable


def _edit(case, user, d):
    return services.edit_case(case, user, version=d["version"], **{k: d[k] for k in services.EDITABLE_FIELDS})


OPERATIONS = {op.key: op for op in [
    Operation("answer", "提交答辩状和证据", forms.AnswerForm, frozenset({"file_answer"}),
              lambda c, u, d: services.file_answer(c, u, version=d["version"], filed_on=d["filed_on"])),
    Operation("hearing", "登记开庭（负责人出庭情况）", forms.HearingForm, frozenset({"hearing", "appeal_hearing"}),
              lambda c, u, d: services.record_hearing(c, u, **d)),
    Operation("result", "登记裁判结果", forms.ResultForm,
              frozenset({"record_judgment", "record_ruling", "record_mediation"}),
              lambda c, u, d: services.record_result(c, u, version=d["version"], result=d["result"],
                                                     result_kind=d["result_kind"], served_on=d["served_on"])),
    Operation("appeal", "登记上诉", forms.AppealForm, frozenset({"appeal"}),
              lambda c, u, d: services.record_appeal(c, u, version=d["version"], appellant=d["appellant"],
                                                     filed_on=d["filed_on"])),
    Operation("finalise", "登记裁判生效（未上诉）", forms.FinaliseForm, frozenset({"finalise"}),
              lambda c, u, d: services.finalise(c, u, version=d["version"], on=d["on"])),
    Operation("second", "登记二审裁判（终审）", forms.SecondInstanceForm, frozenset({"record_second_instance"}),
              lambda c, u, d: services.record_second_instance(c, u, version=d["version"], outcome=d["outcome"],
                                                              final_result=d["final_result"], on=d["on"])),
    Operation("remand", "发回重审", forms.RemandForm, frozenset({"remand"}),
              lambda c, u, d: services.remand(c, u, version=d["version"], on=d["on"])),
]}
EDIT = Operation("edit", "修改案件信息", forms.EditForm, frozenset(), _edit)


def _changeable_units(user) -> list[Unit]:
    return [u for u in scoping.visible_units(user).filter(active=True).order_by("path")
            if scoping.can_change_unit(user, u)]


@login_required
def case_list(request):
    qs = scoping.scoped(LitigationCase, request.user).exclude(state="draft").select_related("unit")
    state = request.GET.get("state", "")
    if state in PROCEDURE.states:
        qs = qs.filter(state=state)
    q = request.GET.get("q", "").strip()[:80]
    if q:
        qs = qs.filter(Q(case_number__icontains=q) | Q(court__icontains=q) | Q(act_challenged__icontains=q))
    cases = list(qs.order_by("-served_on", "-pk")[:500])
    ctype = ContentType.objects.get_for_model(LitigationCase)
    open_clocks = {}
    for c in (Clock.objects.filter(matter_type=ctype, matter_id__in=[x.pk for x in cases])
              .exclude(status=Clock.Status.STOPPED).select_related("rule").order_by("due_date")):
        open_clocks.setdefault(c.matter_id, c)
    rows = [{"case": c, "clock": open_clocks.get(c.pk)} for c in cases]
    return render(request, "litigation/list.html", {
        "rows": rows, "states": [(k, v) for k, v in PROCEDURE.states.items() if k != "draft"],
        "selected_state": state, "q": q, "can_register": bool(_changeable_units(request.user)),
    })


@login_required
def case_new(request):
    units = _changeable_units(request.user)
    if not units:
        raise PermissionDenied("您的角色只能查看，不能登记行政应诉案件。")
    form = forms.RegisterForm(request.POST or None, units=units)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            unit = next(u for u in units if str(u.pk) == d["unit"])
            try:
                case = services.register_case(
                    request.user, unit=unit, court=d["court"], case_number=d["case_number"],
                    plaintiffs=d["plaintiffs"], act_challenged=d["act_challenged"], served_on=d["served_on"],
                    instance=d["instance"], reconsideration_number=d["reconsideration_number"], note=d["note"])
            except ProcedureError as exc:
                error, status = exc.message, exc.status
            except DeadlineError as exc:
                error, status = str(exc), 400
            else:
                return redirect(case.get_absolute_url())
        else:
            error, status = forms.first_error(form), 400
    return render(request, "litigation/new.html", {"form": form, "error": error}, status=status)


def _detail(request, case: LitigationCase, *, error: str = "", bound: tuple[str, object] | None = None,
            status: int = 200):
    audit.log_view(request.user, case, what="查看行政应诉案件（含原告信息）")
    names = {t.name for t in allowed_transitions(case, request.user)}
    ops = []
    for op in OPERATIONS.values():
        if op.transitions & names:
            form = bound[1] if bound and bound[0] == op.key else _form(op.key, initial={"version": case.version})
            ops.append({"op": op, "form": form})
    edit_form = None
    if scoping.can_change_unit(request.user, case.unit):
        edit_form = bound[1] if bound and bound[0] == "edit" else _form("edit", initial={
            "version": case.version, **{k: getattr(case, k) for k in services.EDITABLE_FIELDS}})
    clock_rows = []
    for c in clocks.clocks_of(case):
        clock_rows.append({"clock": c, "left": clocks.remaining(c) if c.status != Clock.Status.STOPPED else None})
    return render(request, "litigation/detail.html", {
        "case": case, "reconsideration": services.visible_reconsideration(case, request.user),
        "plaintiffs": [p for p in case.plaintiffs.splitlines() if p.strip()],
        "clock_rows": clock_rows, "hearings": case.hearings.order_by("date", "pk"),
        "operations": ops, "edit_form": edit_form, "error": error,
    }, status=status)


@login_required
def case_detail(request, pk: int):
    return _detail(request, scoping.get_visible_or_404(LitigationCase, request.user, pk=pk))


@login_required
@require_POST
def case_operation(request, pk: int, op: str):
    case = scoping.get_visible_or_404(LitigationCase, request.user, pk=pk)
    operation = EDIT if op == "edit" else OPERATIONS.get(op)
    if operation is None:
        raise Http404("未找到该操作。")
    form = _form(op, request.POST)
    if not form.is_valid():
        return _detail(request, case, error=forms.first_error(form), bound=(op, form), status=400)
    try:
        operation.run(case, request.user, form.cleaned_data)
    except ProcedureError as exc:
        case.refresh_from_db()
        return _detail(request, case, error=exc.message, bound=(op, _rebind(form, case)), status=exc.status)
    except DeadlineError as exc:
        case.refresh_from_db()
        return _detail(request, case, error=str(exc), bound=(op, _rebind(form, case)), status=400)
    return redirect(case.get_absolute_url())


def _rebind(form, case):
    """Keep what the user typed, but offer the current version (they have seen the refusal)."""
    data = form.data.copy()
    data["version"] = str(case.version)
    return _form(form.op_key, data)


def _form(key: str, data=None, **kwargs):
    """The form of operation ``key``; several forms share the detail page, so ids carry the key."""
    operation = EDIT if key == "edit" else OPERATIONS[key]
    form = operation.form(data, auto_id=f"lit-{key}-%s", **kwargs)
    form.op_key = key
    return form
