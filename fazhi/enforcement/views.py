"""Pages of 行政执法监督: thin views over scoping, the importer and the services."""
from __future__ import annotations

import datetime as dt
import os
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.core import audit, clocks, scoping
from fazhi.core.metrics import Period
from fazhi.core.models import Unit
from fazhi.core.procedure import ProcedureError, allowed_transitions

from . import importer, metrics, services
from .models import (Body, Case, CaseKind, Certificate, ImportBatch, Officer, Opinion, Problem, ReviewFile,
                     SamplingRun)

PAGE_SIZE = 20


def _year(request) -> int:
    try:
        y = int(request.GET.get("year", ""))
        return y if 2000 <= y <= 2036 else timezone.localdate().year
    except ValueError:
        return timezone.localdate().year


def _top_visible(user) -> Unit | None:
    units = scoping.visible_units(user).order_by("path")
    return units.first()


@login_required
def overview(request):
    top = _top_visible(request.user)
    if top is None:
        raise Http404("您没有可查看的单位。")
    year = _year(request)
    period = Period.for_year(year)
    units = scoping.visible_units(request.user).filter(path__startswith=top.path)
    codes = ["enforcement.bodies", "enforcement.officers_certified", "enforcement.inspections",
             "enforcement.penalties", "enforcement.coercions", "enforcement.licences", "enforcement.fines_total",
             "enforcement.publication_on_time_rate", "enforcement.major_review_rate",
             "enforcement.record_complete_rate", "enforcement.decided_in_time_rate", "enforcement.lenient_cases",
             "enforcement.findings", "enforcement.files_reviewed", "enforcement.supervision_opinions"]
    from fazhi.core import metrics as core_metrics

    figures = []
    for code in codes:
        m = core_metrics.get(code)
        figures.append({"code": code, "label": m.label, "unit": m.unit, "value": m.value_for(units, period)})
    names = dict(Unit.objects.filter(pk__in=units.values("pk")).values_list("pk", "name"))
    findings = sorted(metrics.findings_by_unit(units, period), key=lambda r: -r["with_problems"])
    for row in findings:
        row["unit_name"] = names.get(row["unit_id"], "")
        row["checks"] = [(bit, Problem.LABELS[bit][0], row[col]) for bit, col in metrics.PROBLEM_COLUMNS]
    return render(request, "enforcement/overview.html", {
        "top": top, "year": year, "figures": figures, "findings": findings,
        "problem_labels": [(b, Problem.LABELS[b][0]) for b in Problem.ALL]})


def _cursor(value: str):
    try:
        day, pk = value.split("_", 1)
        return dt.date.fromisoformat(day), int(pk)
    except (ValueError, AttributeError):
        return None


def case_page(user, *, unit_id=None, kind="", problem=0, year=None, after=None, size=PAGE_SIZE):
    """One page of the case list, newest first, by keyset (event_on, id) — no OFFSET, no COUNT(*)."""
    qs = Case.objects.visible_to(user)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(event_on__gte=dt.date(year, 1, 1), event_on__lte=dt.date(year, 12, 31))
    if problem:
        qs = qs.extra(where=["(enforcement_case.problems & %s) <> 0"], params=[int(problem)])
    if after:
        qs = qs.filter(Q(event_on__lt=after[0]) | Q(event_on=after[0], id__lt=after[1]))
    rows = list(qs.select_related("unit").order_by("-event_on", "-id")[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    nxt = f"{rows[-1].event_on.isoformat()}_{rows[-1].pk}" if more and rows else ""
    return rows, nxt


@login_required
def case_list(request):
    unit_id = request.GET.get("unit", "")
    unit = None
    if unit_id:
        unit = scoping.get_visible_or_404(Unit, request.user, pk=unit_id)
    kind = request.GET.get("kind", "")
    kind = kind if kind in CaseKind.values else ""
    try:
        problem = int(request.GET.get("problem", "0"))
    except ValueError:
        problem = 0
    problem = problem if problem in Problem.ALL else 0
    year = None
    if request.GET.get("year"):
        year = _year(request)
    rows, nxt = case_page(request.user, unit_id=unit.pk if unit else None, kind=kind, problem=problem, year=year,
                          after=_cursor(request.GET.get("after", "")))
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "enforcement/case_list.html", {
        "rows": rows, "next": nxt, "unit": unit, "kind": kind, "problem": problem, "year": year or "",
        "kinds": CaseKind.choices, "problems": [(b, Problem.LABELS[b][0]) for b in Problem.ALL],
        "base_query": query.urlencode()})


@login_required
def case_detail(request, pk):
    case = scoping.get_visible_or_404(Case.objects.select_related("unit", "body"), request.user, pk=pk)
    certs = {c.number: c for c in Certificate.objects.filter(number__in=[case.officer1, case.officer2])
             .select_related("officer")}
    return render(request, "enforcement/case_detail.html", {
        "case": case, "problems": case.problem_details,
        "officers": [(n, certs.get(n)) for n in (case.officer1, case.officer2) if n]})


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------
def _changeable_unit_ids(user) -> list[int]:
    return [u.pk for u in scoping.visible_units(user) if scoping.can_change_unit(user, u)]


IMPORT_DIR = os.path.join(getattr(settings, "BASE_DIR", "."), "var", "enforcement-imports")
MAX_UPLOAD = 512 * 1024 * 1024


@login_required
def import_page(request):
    allowed = _changeable_unit_ids(request.user)
    if not allowed:
        raise PermissionDenied("您的角色只能查看，不能导入执法案件。")
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "请选择要导入的文件。"
        elif upload.size > MAX_UPLOAD:
            error = "文件超过 512 MB，请拆分后导入，或由管理员使用命令 fazhi enforcement import。"
        else:
            try:
                importer.file_format(upload.name, upload.name)
            except importer.ImportFailed as exc:
                error = str(exc)
        if not error:
            os.makedirs(IMPORT_DIR, exist_ok=True)
            path = os.path.join(IMPORT_DIR, f"{uuid.uuid4().hex}{os.path.splitext(upload.name)[1].lower()}")
            with open(path, "wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            home = scoping.home_units(request.user)
            unit = next((u for u in home if u.pk in allowed), None) or Unit.objects.get(pk=allowed[0])
            batch = ImportBatch.objects.create(unit=unit, created_by=request.user, file_name=upload.name[:255],
                                               file_sha256=importer.file_sha256(path),
                                               all_or_nothing=bool(request.POST.get("all_or_nothing")))
            run_in_background(batch, path, allowed, request.user)
            return redirect("enforcement:import_batch", pk=batch.pk)
    batches = ImportBatch.objects.visible_to(request.user)[:20]
    return render(request, "enforcement/import.html", {
        "batches": batches, "error": error, "columns": importer.COLUMNS}, status=400 if error else 200)


def run_in_background(batch, path, allowed, user):
    """Indirection so tests can run the same job inline (threads cannot see a test's transaction)."""
    return importer.start_background(batch, path, allowed_units=allowed, actor=user)


def _batch_context(batch):
    live = importer.LIVE_PROGRESS.get(batch.pk)
    stage, pct = live if live else (batch.stage or batch.get_status_display(), batch.progress)
    return {"batch": batch, "stage": stage, "pct": pct,
            "running": batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING),
            "rejections": batch.rejections.all()[:200]}


@login_required
def import_batch(request, pk):
    batch = scoping.get_visible_or_404(ImportBatch, request.user, pk=pk)
    return render(request, "enforcement/import_batch.html", _batch_context(batch))


@login_required
def import_progress(request, pk):
    batch = scoping.get_visible_or_404(ImportBatch, request.user, pk=pk)
    return render(request, "enforcement/_import_progress.html", _batch_context(batch))


@login_required
def import_rejections(request, pk):
    batch = scoping.get_visible_or_404(ImportBatch, request.user, pk=pk)
    response = HttpResponse(importer.rejections_xlsx(batch),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="rejections-{batch.pk}.xlsx"'
    return response


# ---------------------------------------------------------------------------
# Officers, opinions, reviews
# ---------------------------------------------------------------------------
@login_required
def officer_list(request):
    officers = (Officer.objects.visible_to(request.user).select_related("unit", "body")
                .prefetch_related("certificates").order_by("unit__path", "name")[:500])
    return render(request, "enforcement/officers.html", {"officers": officers, "today": clocks.today()})


@login_required
def opinion_list(request):
    opinions = Opinion.objects.visible_to(request.user).exclude(state="draft").select_related("unit") \
        .order_by("-issued_on", "-pk")[:500]
    return render(request, "enforcement/opinions.html", {"opinions": opinions})


OPINION_OPS = {"reply": "回复整改情况", "return": "退回重新整改", "close": "审核办结"}


@login_required
def opinion_detail(request, pk):
    op = scoping.get_visible_or_404(Opinion.objects.select_related("unit", "issued_by"), request.user, pk=pk)
    return _opinion_page(request, op)


def _opinion_page(request, op, error="", status=200):
    names = {t.name for t in allowed_transitions(op, request.user)}
    return render(request, "enforcement/opinion_detail.html", {
        "op": op, "ops": [(k, v) for k, v in OPINION_OPS.items() if k in names], "error": error,
        "clocks": clocks.clocks_of(op), "cases": op.cases.all()[:50], "today": clocks.today()}, status=status)


@login_required
@require_POST
def opinion_operation(request, pk, op):
    opinion = scoping.get_visible_or_404(Opinion, request.user, pk=pk)
    if op not in OPINION_OPS:
        raise Http404("未知的操作。")
    on = clocks.today()
    try:
        if request.POST.get("on"):
            on = dt.date.fromisoformat(request.POST["on"])
        version = request.POST.get("version")
        if op == "reply":
            services.reply_opinion(request.user, opinion, version=version, reply=request.POST.get("text", ""), on=on)
        elif op == "return":
            services.return_opinion(request.user, opinion, version=version, reason=request.POST.get("text", ""),
                                    on=on)
        else:
            services.close_opinion(request.user, opinion, version=version, on=on)
    except ValueError:
        return _opinion_page(request, opinion, "日期无效，应为 YYYY-MM-DD。", 400)
    except ProcedureError as exc:
        return _opinion_page(request, opinion, exc.message, exc.status)
    return redirect(opinion.get_absolute_url())


@login_required
def review_list(request):
    runs = SamplingRun.objects.visible_to(request.user).order_by("-pk")[:100]
    return render(request, "enforcement/reviews.html", {"runs": runs})


@login_required
def review_detail(request, pk):
    run = scoping.get_visible_or_404(SamplingRun, request.user, pk=pk)
    files = ReviewFile.objects.filter(run=run, unit__in=scoping.visible_unit_ids(request.user)) \
        .select_related("case", "unit", "evaluator").order_by("stratum", "pk")
    return render(request, "enforcement/review_detail.html", {"run": run, "files": files})


# ---------------------------------------------------------------------------
# Public disclosure (no login): masked party data only — nothing else is stored.
# ---------------------------------------------------------------------------
def public(request):
    q = request.GET.get("q", "").strip()[:60]
    decisions = Case.objects.filter(kind="penalty", published_on__isnull=False, withdrawn_on__isnull=True) \
        .select_related("unit", "body")
    if q:
        decisions = decisions.filter(Q(case_number__icontains=q) | Q(party_name__icontains=q)
                                     | Q(unit__name__icontains=q))
    rows, nxt = list(decisions.order_by("-published_on", "-id")[:50]), ""
    today = clocks.today()
    valid = Certificate.objects.valid_on(today).filter(kind=Certificate.Kind.ENFORCEMENT)
    officers = (Officer.objects.filter(active=True, certificates__in=valid).distinct()
                .select_related("unit", "body").prefetch_related(Prefetch("certificates", queryset=valid))
                .order_by("unit__path", "name")[:500])
    bodies = Body.objects.filter(active=True).select_related("unit").order_by("unit__path", "code")
    return render(request, "enforcement/public.html", {"rows": rows, "q": q, "officers": officers,
                                                        "bodies": bodies})
