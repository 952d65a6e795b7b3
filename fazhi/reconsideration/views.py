"""Staff pages of 行政复议 (thin: fetch through the scoping rule, validate with forms, call services).

Every case is fetched with ``scoping.get_visible_or_404(Case, …)``, which uses
``Case.objects.visible_to`` (models.py): out of scope → 404 on every page and every POST.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.core import audit, clocks, metrics, scoping
from fazhi.core.deadlines import DeadlineError
from fazhi.core.models import Unit
from fazhi.core.procedure import ProcedureError, allowed_transitions

from . import excel, forms, services
from .metrics import FORMULAS, formula_for
from .models import Case, OpinionLetter

PAGE_SIZE = 100


def _cases(user):
    return Case.objects.visible_to(user).select_related("unit", "respondent_unit")


def filtered_cases(qs, params):
    """The list filters, shared by the list page and its Excel export."""
    g = params
    if g.get("state") in Case.procedure.states:
        qs = qs.filter(state=g["state"])
    if g.get("procedure_type") in Case.ProcedureType.values:
        qs = qs.filter(procedure_type=g["procedure_type"])
    if g.get("respondent"):
        qs = qs.filter(respondent_unit__code=g["respondent"].strip())
    if g.get("year", "").strip().isdigit():
        qs = qs.filter(received_on__year=int(g["year"]))
    flag = g.get("flag", "")
    if flag == "late":
        qs = qs.filter(late_flag=True)
    elif flag == "reply_missing":
        qs = qs.filter(reply_missing_flag=True)
    elif flag == "suspension":
        qs = qs.filter(suspension_flag=True)
    if g.get("q", "").strip():
        q = g["q"].strip()
        qs = qs.filter(Q(number__icontains=q) | Q(act_description__icontains=q))
    return qs


@login_required
def case_list(request):
    qs = _cases(request.user)
    g = request.GET
    qs = filtered_cases(qs, g)
    total = qs.count()
    respondents = Unit.objects.filter(pk__in=_cases(request.user).values("respondent_unit")).order_by("path")
    return render(request, "reconsideration/list.html", {
        "cases": qs.order_by("-received_on", "-pk")[:PAGE_SIZE], "total": total, "page_size": PAGE_SIZE,
        "states": Case.procedure.states.items(), "types": Case.ProcedureType.choices, "respondents": respondents,
        "filters": g, "can_register": bool(services.offices_for_user(request.user)),
        "can_import": excel.office_for_user(request.user) is not None,
    })


def _clock_rows(matter, on):
    rows = []
    for c in clocks.clocks_of(matter):
        left = clocks.remaining(c, on=on) if c.status != c.Status.STOPPED else None
        rows.append({"clock": c, "left": left, "overdue": left is not None and left < 0 and c.status == c.Status.RUNNING,
                     "unit_label": "个工作日" if c.rule.day_unit == "wd" else "日",
                     "events": list(c.events.order_by("seq"))})
    return rows


def _detail(request, case: Case, *, error: str = "", status: int = 200, bound: dict | None = None):
    user = request.user
    audit.log_view(user, case, what="查看行政复议案件（含申请人信息）")
    on = clocks.today()
    bound = bound or {}
    actions = []
    for t in allowed_transitions(case, user):
        actions.append({"t": t, "form": bound.get(t.name) or forms.make_form(t.name, case)})
    can_reply = (services.can_answer(user, case) and case.state in ("trial", "suspended")
                 and case.copy_sent_on is not None)
    office_staff = bool(services._office_roles(user, case))
    opinions = []
    for letter in case.opinions.select_related("recipient").order_by("pk"):
        opinions.append({"letter": letter, "clocks": _clock_rows(letter, on),
                         "form": forms.OpinionReplyForm(prefix=f"opinion{letter.pk}")
                         if office_staff and letter.state == "issued" else None})
    return render(request, "reconsideration/detail.html", {
        "case": case, "applicants": case.applicants.all(), "clock_rows": _clock_rows(case, on),
        "actions": actions, "error": error, "can_reply": can_reply,
        "reply_form": bound.get("reply") or forms.ReplyForm(prefix="reply"),
        "replies": case.replies.all(), "corrections": case.corrections.all(), "hearings": case.hearings.all(),
        "consultations": case.consultations.all(), "suspensions": case.suspensions.all(),
        "extensions": case.extensions.select_related("approver"), "conversions": case.conversions.select_related("approver"),
        "opinions": opinions, "office_staff": office_staff,
        "opinion_form": bound.get("opinion") or (forms.OpinionForm(prefix="opinion") if office_staff else None),
        "is_corrective": case.outcome and case.is_corrective,
    }, status=status)


def _get(request, pk) -> Case:
    return scoping.get_visible_or_404(Case.objects.select_related("unit", "respondent_unit"), request.user, pk=pk)


@login_required
def case_detail(request, pk: int):
    return _detail(request, _get(request, pk))


def _fresh(case):
    return _get_by_pk(case.pk)


def _get_by_pk(pk):
    return Case.objects.select_related("unit", "respondent_unit").get(pk=pk)


def _refused(request, case, exc, bound=None):
    if isinstance(exc, ProcedureError):
        return _detail(request, _fresh(case), error=exc.message, status=exc.status, bound=bound)
    if isinstance(exc, ValidationError):
        return _detail(request, _fresh(case), error="；".join(exc.messages), status=400, bound=bound)
    return _detail(request, _fresh(case), error=str(exc), status=400, bound=bound)


@login_required
@require_POST
def case_act(request, pk: int, name: str):
    case = _get(request, pk)
    if name not in forms.ACTIONS:
        raise Http404("未知的操作。")
    form = forms.make_form(name, case, request.POST)
    if not form.is_valid():
        return _detail(request, case, error=forms.form_errors(form), status=400, bound={name: form})
    try:
        forms.ACTIONS[name][1](case, request.user, request.POST.get("version"), form.cleaned_data)
    except (ProcedureError, DeadlineError, ValidationError) as exc:
        return _refused(request, case, exc, bound={name: form})
    messages.success(request, f"已办理：{Case.procedure.transition(name).label}。")
    return redirect(case.get_absolute_url())


@login_required
@require_POST
def case_reply(request, pk: int):
    case = _get(request, pk)
    form = forms.ReplyForm(request.POST, prefix="reply")
    if not form.is_valid():
        return _detail(request, case, error=forms.form_errors(form), status=400, bound={"reply": form})
    try:
        services.do_record_reply(case, request.user, version=request.POST.get("version"),
                                 files=request.FILES.getlist("reply-files"), **form.cleaned_data)
    except (ProcedureError, DeadlineError, ValidationError) as exc:
        return _refused(request, case, exc, bound={"reply": form})
    messages.success(request, "答复已登记。")
    return redirect(case.get_absolute_url())


@login_required
@require_POST
def case_opinion(request, pk: int):
    case = _get(request, pk)
    form = forms.OpinionForm(request.POST, prefix="opinion")
    if not form.is_valid():
        return _detail(request, case, error=forms.form_errors(form), status=400, bound={"opinion": form})
    try:
        services.do_issue_opinion(case, request.user, **form.cleaned_data)
    except (ProcedureError, DeadlineError) as exc:
        return _refused(request, case, exc, bound={"opinion": form})
    messages.success(request, "行政复议意见书已登记，六十日反馈期限开始计算。")
    return redirect(case.get_absolute_url())


@login_required
@require_POST
def opinion_reply(request, pk: int):
    letter = scoping.get_visible_or_404(OpinionLetter, request.user, pk=pk)
    case = _get(request, letter.case_id)
    form = forms.OpinionReplyForm(request.POST, prefix=f"opinion{letter.pk}")
    if not form.is_valid():
        return _detail(request, case, error=forms.form_errors(form), status=400)
    try:
        services.do_record_opinion_reply(letter, request.user, version=request.POST.get("version"),
                                         **form.cleaned_data)
    except (ProcedureError, DeadlineError) as exc:
        return _refused(request, case, exc)
    messages.success(request, "意见书反馈已登记。")
    return redirect(case.get_absolute_url())


@login_required
def case_new(request):
    offices = services.offices_for_user(request.user)
    if not offices:
        raise Http404("您不是行政复议机构的工作人员。")
    office = offices[0]
    form = forms.RegisterForm(request.POST or None, office=office)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                case, code = services.do_register(
                    request.user, office=office, channel=d["channel"], received_on=d["received_on"],
                    respondent_unit=d["respondent_unit"], act_description=d["act_description"],
                    act_date=d["act_date"], act_known_on=d["act_known_on"], request=d["request"],
                    procedure_type=d["procedure_type"], simplified_ground=d["simplified_ground"], amount=d["amount"],
                    applicants=[{"kind": d["applicant_kind"], "name": d["applicant_name"],
                                 "id_number": d["applicant_id_number"], "phone": d["applicant_phone"],
                                 "address": d["applicant_address"]}])
            except (ProcedureError, DeadlineError) as exc:
                error = exc.message if isinstance(exc, ProcedureError) else str(exc)
            else:
                # The tracking code is shown once (only its digest is stored).
                messages.success(request, f"申请已登记，收件第 {case.pk} 号。查询码：{code}（仅显示一次，请告知申请人）。")
                return redirect(case.get_absolute_url())
        else:
            error = forms.form_errors(form)
    return render(request, "reconsideration/new.html", {"form": form, "office": office, "error": error},
                  status=400 if error else 200)


@login_required
def metrics_page(request):
    """This year's figures and last year's, for a government whose office the user can see."""
    govs = [o for o in services.Office.objects.select_related("government", "office_unit")
            if scoping.can_view_unit(request.user, o.government)]
    if not govs:
        raise Http404("您没有可查看的行政复议统计。")
    code = request.GET.get("unit", "").strip()
    office = next((o for o in govs if o.government.code == code), govs[0])
    raw = request.GET.get("year", "").strip()
    try:
        period = metrics.Period.for_year(raw or timezone.localdate().year)
    except metrics.MetricError:
        period = metrics.Period.for_year(timezone.localdate().year)
    previous = metrics.Period.for_year(period.start.year - 1)
    units = metrics.subtree(office.government)
    rows = []
    for m in sorted((m for c, m in metrics.all_metrics().items() if c.startswith("reconsideration.")),
                    key=lambda m: m.code):
        now, before = m.value_for(units, period), m.value_for(units, previous)
        change = None
        if isinstance(now, (int, float)) and isinstance(before, (int, float)):
            change = round(now - before, 1)
        rows.append({"metric": m, "now": now, "before": before, "change": change})
    return render(request, "reconsideration/metrics.html", {
        "office": office, "offices": govs, "year": period.start.year, "previous": previous.start.year, "rows": rows,
        "formula": formula_for(office.government), "formulas": FORMULAS.values(),
        "can_switch": "coordinator" in scoping.roles_at(request.user, office.government),
    })


@login_required
@require_POST
def metrics_formula(request):
    office = next((o for o in services.Office.objects.select_related("government")
                   if o.government.code == request.POST.get("unit", "")), None)
    if office is None or not scoping.can_view_unit(request.user, office.government):
        raise Http404("未找到该单位，或您无权查看。")
    try:
        services.do_set_correction_formula(office, request.user, request.POST.get("formula", ""))
    except ProcedureError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"纠错率口径已切换为：{FORMULAS[request.POST['formula']].label}。")
    return redirect(f"/reconsideration/metrics/?unit={office.government.code}&year={request.POST.get('year', '')}")
