"""Pages of 行政执法监督: thin views over scoping, the importer and the services."""
from __future__ import annotations

import datetime as dt
import os
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.core import audit, clocks, scoping
from fazhi.core.deadlines import DeadlineError
from fazhi.core.metrics import Period
from fazhi.core.models import Unit
from fazhi.core.procedure import ProcedureError, allowed_transitions

from . import importer, metrics, services, standards
from .models import (Body, Case, CaseKind, Certificate, Complaint, ImportBatch, Officer, Opinion, Problem,
                     ReviewFile, SamplingRun, ScoreSheet, StandardItem, StandardList)

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
    expiring = services.expiring_certificates(request.user, clocks.today())
    return render(request, "enforcement/overview.html", {
        "top": top, "year": year, "figures": figures, "findings": findings,
        "problem_labels": [(b, Problem.LABELS[b][0]) for b in Problem.ALL],
        "expiring": list(expiring[:10]), "expiring_count": expiring.count(), "today": clocks.today(),
        "warning_days": services.CERTIFICATE_WARNING_DAYS})


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
        # event_on <= day is the index condition (unit_id, event_on, id) starts from; the OR only sorts
        # out the rows of that one day (without it the scan walks, and reads, every newer row).
        qs = qs.filter(event_on__lte=after[0]).filter(Q(event_on__lt=after[0]) | Q(id__lt=after[1]))
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
        "officers": [(n, certs.get(n)) for n in (case.officer1, case.officer2) if n],
        "applied": _applied_items(request.user, case)})


def _applied_items(user, case) -> list[dict]:
    """The 清单 and 裁量基准 items the case applied: title, list and version, a link when the user sees the list."""
    slots = [("适用从轻/减轻/不予处罚清单事项", case.lenient_item, standards.LENIENT_KINDS),
             ("适用裁量基准事项", case.discretion_item, (StandardList.Kind.DISCRETION,))]
    codes = [code for _, code, _ in slots if code]
    found = {i.code: i for i in StandardItem.objects.filter(code__in=codes).select_related("standard__unit")} \
        if codes else {}
    out = []
    for label, code, kinds in slots:
        row = {"label": label, "code": code, "item": found.get(code), "visible": False, "notes": []}
        item = row["item"]
        if code and item is None:
            row["notes"].append("清单中没有该编码的事项")
        elif item is not None:
            lst = item.standard
            row["visible"] = standards.can_view(user, lst)
            if lst.kind not in kinds:
                row["notes"].append(f"该事项属于{lst.get_kind_display()}，与本栏不符")
            if not case.unit.path.startswith(lst.unit.path):
                row["notes"].append(f"该清单由{lst.unit.name}制定，不适用于{case.unit.name}")
            day = case.decided_on or case.event_on
            if day and (day < lst.effective_from or (lst.effective_to and day > lst.effective_to)):
                row["notes"].append(f"{'决定日期' if case.decided_on else '统计日期'} {day:%Y-%m-%d} 不在该版本的施行期内")
        out.append(row)
    return out


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
    # Files assigned to the user: an evaluator of another unit works on them without seeing the whole run.
    tasks = ReviewFile.objects.filter(evaluator=request.user).select_related("case", "unit", "run") \
        .order_by("score", "-pk")[:200]
    return render(request, "enforcement/reviews.html", {
        "runs": runs, "tasks": tasks, "can_organise": bool(services.coordinator_units(request.user))})


@login_required
def review_detail(request, pk):
    run = scoping.get_visible_or_404(SamplingRun.objects.select_related("sheet", "unit"), request.user, pk=pk)
    files = list(ReviewFile.objects.filter(run=run, unit__in=scoping.visible_unit_ids(request.user))
                 .select_related("case", "unit", "evaluator").order_by("stratum", "pk"))
    return render(request, "enforcement/review_detail.html", {
        "run": run, "files": files, "results": services.review_results(run, files),
        "kinds_label": "、".join(str(CaseKind(k).label) for k in run.kinds if k in CaseKind.values) or "全部类别"})


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


# ---------------------------------------------------------------------------
# File review (案卷评查): sampling, assignment, scoring, results
# ---------------------------------------------------------------------------
def _date(value: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ProcedureError(f"{label}无效，应为 YYYY-MM-DD。", "bad_input") from None


def _int(value: str, label: str) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        raise ProcedureError(f"{label}应为整数。", "bad_input") from None


@login_required
def review_new(request):
    units = services.coordinator_units(request.user)
    if not units:
        raise PermissionDenied("只有司法行政部门的法治协调员可以组织案卷评查抽样。")
    sheets = list(ScoreSheet.objects.order_by("code", "-version"))
    year = clocks.today().year - 1
    form = {"unit": str(units[0].pk), "title": f"{year}年度行政执法案卷评查", "start": f"{year}-01-01",
            "end": f"{year}-12-31", "kinds": ["penalty"], "per_stratum": "5", "seed": "",
            "sheet": str(sheets[0].pk) if sheets else ""}
    error, status = "", 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("unit", "title", "start", "end", "per_stratum", "seed",
                                                              "sheet")}
        form["kinds"] = [k for k in request.POST.getlist("kinds") if k in CaseKind.values]
        try:
            unit = next((u for u in units if str(u.pk) == form["unit"]), None)
            if unit is None:
                raise ProcedureError("请选择组织评查的单位。", "bad_input")
            if not form["title"]:
                raise ProcedureError("请填写评查名称。", "bad_input")
            if len(form["seed"]) > 64:
                raise ProcedureError("随机种子不能超过 64 个字符。", "bad_input")
            start, end = _date(form["start"], "案件起始日期"), _date(form["end"], "案件截止日期")
            per_stratum = _int(form["per_stratum"], "每层抽取数")
            if form["sheet"]:
                sheet = ScoreSheet.objects.filter(pk=form["sheet"]).first() if form["sheet"].isdigit() else None
                if sheet is None:
                    raise ProcedureError("评分表不存在。", "bad_input")
            else:
                sheet = services.ensure_default_sheet()
            run = services.create_sampling(request.user, unit=unit, title=form["title"][:200], start=start, end=end,
                                           kinds=form["kinds"], per_stratum=per_stratum, sheet=sheet,
                                           seed=form["seed"] or None)
        except ProcedureError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect(run.get_absolute_url())
    return render(request, "enforcement/review_new.html", {
        "units": units, "sheets": sheets, "kinds": CaseKind.choices, "form": form, "error": error}, status=status)


@login_required
def review_redraw(request, pk):
    """Re-draw with the logged seed from today's data: the same population gives the same sample (双随机)."""
    run = scoping.get_visible_or_404(SamplingRun.objects.select_related("unit"), request.user, pk=pk)
    same_population, ids = services.redraw(run)
    logged = sorted(run.files.values_list("case_id", flat=True))
    visible = set(Case.objects.filter(pk__in=set(ids) | set(logged), unit__in=scoping.visible_unit_ids(request.user))
                  .values_list("pk", flat=True))
    cases = {c.pk: c for c in Case.objects.filter(pk__in=visible).select_related("unit")}
    return render(request, "enforcement/review_redraw.html", {
        "run": run, "same_population": same_population, "same_sample": ids == logged,
        "drawn": [cases[i] for i in ids if i in cases], "logged_count": len(logged), "drawn_count": len(ids),
        "missing": [cases[i] for i in logged if i not in set(ids) and i in cases],
        "added": [cases[i] for i in ids if i not in set(logged) and i in cases]})


def _review_file_or_404(user, pk):
    """A sampled file: visible by unit, or assigned to the user (an evaluator works outside their own unit)."""
    qs = ReviewFile.objects.select_related("run__sheet", "run__unit", "case__body", "unit", "evaluator")
    obj = qs.filter(pk=pk).filter(Q(unit__in=scoping.visible_unit_ids(user)) | Q(evaluator=user)).first() \
        if str(pk).isdigit() else None
    if obj is None:
        raise Http404("未找到该案卷，或您无权查看。")
    return obj


def _review_file_page(request, f, error="", status=200, posted=None):
    is_coordinator = bool(scoping.roles_at(request.user, f.run.unit) & {"coordinator", "admin"})
    items = list(f.run.sheet.items.all())
    posted = posted or {}
    rows = []
    for item in items:
        rows.append({"item": item,
                     "deduction": posted.get(f"d_{item.code}", f.deductions.get(item.code, "") if f.deductions else ""),
                     "vetoed": item.code in (posted.get("vetoed") if posted else (f.vetoed or []))})
    return render(request, "enforcement/review_file.html", {
        "f": f, "case": f.case, "rows": rows, "error": error, "is_coordinator": is_coordinator,
        "is_evaluator": f.evaluator_id == request.user.pk,
        "candidates": services.evaluator_candidates(f.run) if is_coordinator else [],
        "thresholds": f.run.sheet.thresholds, "fail_grade": f.run.sheet.fail_grade,
        "comment": posted.get("comment", f.comment), "today": clocks.today()}, status=status)


@login_required
def review_file(request, pk):
    return _review_file_page(request, _review_file_or_404(request.user, pk))


@login_required
@require_POST
def review_file_assign(request, pk):
    f = _review_file_or_404(request.user, pk)
    from django.contrib.auth import get_user_model

    try:
        evaluator_id = request.POST.get("evaluator", "")
        evaluator = get_user_model().objects.filter(
            pk=evaluator_id, pk__in=services.evaluator_candidates(f.run).values("pk")).first() \
            if evaluator_id.isdigit() else None
        if evaluator is None:
            raise ProcedureError("请选择本级政府的评查人员。", "bad_input")
        services.assign_evaluator_at_version(request.user, f, evaluator, version=request.POST.get("version"))
    except ProcedureError as exc:
        return _review_file_page(request, f, exc.message, exc.status)
    return redirect("enforcement:review_file", pk=f.pk)


@login_required
@require_POST
def review_file_score(request, pk):
    from decimal import Decimal, InvalidOperation

    f = _review_file_or_404(request.user, pk)
    vetoed = request.POST.getlist("veto")
    posted = {k: v for k, v in request.POST.items()}
    posted["vetoed"] = vetoed
    try:
        deductions = {}
        for item in f.run.sheet.items.all():
            raw = request.POST.get(f"d_{item.code}", "").strip()
            if raw:
                try:
                    value = Decimal(raw)
                except InvalidOperation:
                    raise ProcedureError(f"评查项 {item.code} 的扣分应为数字。", "bad_input") from None
                if not value.is_finite():
                    raise ProcedureError(f"评查项 {item.code} 的扣分应为数字。", "bad_input")
                deductions[item.code] = value
        on = _date(request.POST["on"], "评查日期") if request.POST.get("on") else clocks.today()
        if request.POST.get("exemplary") and request.POST.get("poor"):
            raise ProcedureError("同一案卷不能既是优秀案卷又是典型差案。", "bad_input")
        services.record_score(request.user, f, version=request.POST.get("version"), deductions=deductions,
                              vetoed=vetoed, comment=request.POST.get("comment", "").strip(), on=on,
                              exemplary=bool(request.POST.get("exemplary")), poor=bool(request.POST.get("poor")))
    except ProcedureError as exc:
        # record_score signals a stale version with a plain ProcedureError: answer it as the engine's 409.
        status = 409 if exc.code == "stale_version" else exc.status
        return _review_file_page(request, f, exc.message, status, posted)
    return redirect("enforcement:review_file", pk=f.pk)


# ---------------------------------------------------------------------------
# Complaints about enforcement (执法投诉): the same procedure engine as opinions
# ---------------------------------------------------------------------------
COMPLAINT_OPS = {"reply": "答复投诉人", "close": "审核办结"}


@login_required
def complaint_list(request):
    state = request.GET.get("state", "")
    qs = Complaint.objects.visible_to(request.user).select_related("unit")
    if state in Complaint.procedure.states:
        qs = qs.filter(state=state)
    return render(request, "enforcement/complaints.html", {
        "complaints": qs.order_by("-received_on", "-pk")[:500], "state": state,
        "states": list(Complaint.procedure.states.items()),
        "can_register": bool(_changeable_unit_ids(request.user))})


def _chosen_unit(units, pk_text: str, missing: str):
    """The unit picked in a form's select, from the units the user may choose; else a Chinese error."""
    unit = next((u for u in units if str(u.pk) == pk_text), None)
    if unit is None:
        raise ProcedureError(missing, "bad_input")
    return unit


@login_required
def complaint_new(request):
    allowed = _changeable_unit_ids(request.user)
    if not allowed:
        raise PermissionDenied("您的角色只能查看，不能登记执法投诉。")
    units = list(Unit.objects.filter(pk__in=allowed).order_by("path"))
    home = scoping.home_units(request.user)
    default = next((u for u in home if u.pk in allowed), units[0])
    form = {"unit": str(default.pk), "complainant": "", "subject": "", "received_on": clocks.today().isoformat()}
    error, status = "", 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            unit = _chosen_unit(units, form["unit"], "请选择被投诉单位。")
            if not form["complainant"]:
                raise ProcedureError("请填写投诉人。", "bad_input")
            if not form["subject"]:
                raise ProcedureError("请填写投诉事项。", "bad_input")
            if len(form["subject"]) > 300:
                raise ProcedureError("投诉事项不能超过 300 字，详细情况请另附材料。", "bad_input")
            received = _date(form["received_on"], "收到日期")
            if received > clocks.today():
                raise ProcedureError("收到日期不能晚于今天。", "bad_input")
            c = services.register_complaint(request.user, unit=unit, complainant=form["complainant"][:50],
                                            subject=form["subject"], received_on=received)
        except ProcedureError as exc:
            error, status = exc.message, exc.status
        except DeadlineError as exc:
            error, status = str(exc), 422
        else:
            return redirect(c.get_absolute_url())
    return render(request, "enforcement/complaint_new.html", {"units": units, "form": form, "error": error},
                  status=status)


def _complaint_page(request, c, error="", status=200):
    names = {t.name for t in allowed_transitions(c, request.user)}
    return render(request, "enforcement/complaint_detail.html", {
        "c": c, "ops": [(k, v) for k, v in COMPLAINT_OPS.items() if k in names], "error": error,
        "clocks": clocks.clocks_of(c), "today": clocks.today()}, status=status)


@login_required
def complaint_detail(request, pk):
    return _complaint_page(request, scoping.get_visible_or_404(Complaint.objects.select_related("unit"),
                                                               request.user, pk=pk))


@login_required
@require_POST
def complaint_operation(request, pk, op):
    c = scoping.get_visible_or_404(Complaint.objects.select_related("unit"), request.user, pk=pk)
    if op not in COMPLAINT_OPS:
        raise Http404("未知的操作。")
    try:
        on = _date(request.POST["on"], "日期") if request.POST.get("on") else clocks.today()
        version = request.POST.get("version")
        if op == "reply":
            services.reply_complaint(request.user, c, version=version, reply=request.POST.get("text", ""), on=on)
        else:
            services.close_complaint(request.user, c, version=version, on=on)
    except ProcedureError as exc:
        return _complaint_page(request, c, exc.message, exc.status)
    return redirect(c.get_absolute_url())


# ---------------------------------------------------------------------------
# 证件到期提醒
# ---------------------------------------------------------------------------
@login_required
def certificates_expiring(request):
    """Certificates expiring within the warning window, or expired but still marked valid; ``?on=`` as-of date."""
    today = clocks.today()
    on, error = today, ""
    if request.GET.get("on"):
        try:
            on = dt.date.fromisoformat(request.GET["on"])
        except ValueError:
            error = "日期无效，应为 YYYY-MM-DD，已按今天显示。"
    rows = list(services.expiring_certificates(request.user, on)[:1000])
    for c in rows:
        c.days_left = (c.valid_to - on).days
    return render(request, "enforcement/certificates_expiring.html", {
        "rows": rows, "on": on, "error": error, "days": services.CERTIFICATE_WARNING_DAYS,
        "expired": sum(1 for c in rows if c.valid_to < on)})


# ---------------------------------------------------------------------------
# 从轻/减轻/不予处罚清单 and 裁量基准 (versioned lists; services in standards.py)
# ---------------------------------------------------------------------------
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def standard_lists(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in StandardList.Kind.values else ""
    qs = standards.visible_lists(request.user).select_related("unit").annotate(n_items=Count("items"))
    if kind:
        qs = qs.filter(kind=kind)
    today = clocks.today()
    lists = list(qs.order_by("unit__path", "kind", "-version")[:500])
    for lst in lists:
        lst.status = standards.status_label(lst, today)
    return render(request, "enforcement/standards.html", {
        "lists": lists, "kind": kind, "kinds": StandardList.Kind.choices,
        "can_create": bool(standards.editable_units(request.user))})


@login_required
def standard_new(request):
    units = standards.editable_units(request.user)
    if not units:
        raise PermissionDenied("只有法治协调员或法制工作人员可以制定清单和裁量基准。")
    form = {"unit": str(units[0].pk), "kind": StandardList.Kind.NO_PENALTY, "title": "",
            "effective_from": clocks.today().isoformat()}
    error, status = "", 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            unit = _chosen_unit(units, form["unit"], "请选择制定单位。")
            lst = standards.do_create_list(request.user, unit=unit, kind=form["kind"], title=form["title"],
                                           effective_from=_date(form["effective_from"], "施行日期"))
        except ProcedureError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("enforcement:standard", pk=lst.pk)
    return render(request, "enforcement/standards_new.html", {
        "units": units, "kinds": StandardList.Kind.choices, "form": form, "error": error}, status=status)


def _standard_page(request, lst, *, error="", status=200, form=None, upload=None):
    """The list's page: items with the cases that applied each (one grouped COUNT), and the editor's forms."""
    items = list(lst.items.order_by("pk"))
    counts = standards.usage_counts(lst, Case.objects.visible_to(request.user))
    editable = standards.can_edit(request.user, lst)
    frozen = lst.effective_to is not None
    used = standards.used_codes([i.code for i in items]) if editable and not frozen else {}
    for item in items:
        item.cases = counts.get(item.code, 0)
        item.locked = item.code in used
    versions = list(StandardList.objects.filter(unit_id=lst.unit_id, kind=lst.kind).order_by("-version"))
    latest = versions[0] if versions else lst
    today = clocks.today()
    for v in versions:
        v.status = standards.status_label(v, today)
    return render(request, "enforcement/standards_detail.html", {
        "lst": lst, "items": items, "status_label": standards.status_label(lst, today),
        "editable": editable, "frozen": frozen, "is_latest": latest.pk == lst.pk,
        "versions": versions if len(versions) > 1 else [], "error": error, "form": form or {},
        "upload": upload, "headers": standards.HEADERS, "case_field": standards.case_field(lst.kind),
        "today": today}, status=status)


@login_required
def standard_detail(request, pk):
    return _standard_page(request, standards.get_list_or_404(request.user, pk))


@login_required
@require_POST
def standard_item_add(request, pk):
    lst = standards.get_list_or_404(request.user, pk)
    form = {k: request.POST.get(k, "") for k in ("code", "title", "basis", "measure")}
    try:
        standards.do_add_item(request.user, lst, **form)
    except ProcedureError as exc:
        return _standard_page(request, lst, error=exc.message, status=exc.status, form=form)
    return redirect("enforcement:standard", pk=lst.pk)


@login_required
def standard_item_edit(request, pk, item_pk):
    lst = standards.get_list_or_404(request.user, pk)
    item = StandardItem.objects.filter(standard=lst, pk=item_pk).first()
    if item is None:
        raise Http404("未找到该事项。")
    if not standards.can_edit(request.user, lst):
        raise PermissionDenied(f"只有制定单位（{lst.unit.name}）的法治协调员或法制工作人员可以修改该清单。")
    form = {"title": item.title, "basis": item.basis, "measure": item.measure, "seen": standards.fingerprint(item)}
    error, status = "", 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        try:
            standards.do_update_item(request.user, item, **form)
        except ProcedureError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("enforcement:standard", pk=lst.pk)
    used = standards.used_codes([item.code]).get(item.code, 0)
    return render(request, "enforcement/standards_item.html", {
        "lst": lst, "item": item, "form": form, "error": error, "used": used,
        "frozen": lst.effective_to is not None}, status=status)


@login_required
@require_POST
def standard_new_version(request, pk):
    lst = standards.get_list_or_404(request.user, pk)
    form = {"new_title": request.POST.get("title", ""), "new_from": request.POST.get("effective_from", "")}
    try:
        new = standards.do_new_version(request.user, lst, title=form["new_title"],
                                       effective_from=_date(form["new_from"], "新版本的施行日期"))
    except ProcedureError as exc:
        return _standard_page(request, lst, error=exc.message, status=exc.status, form=form)
    return redirect("enforcement:standard", pk=new.pk)


@login_required
@require_POST
def standard_retire(request, pk):
    lst = standards.get_list_or_404(request.user, pk)
    form = {"retire_on": request.POST.get("effective_to", "")}
    try:
        standards.do_retire_list(request.user, lst, effective_to=_date(form["retire_on"], "失效日期"))
    except ProcedureError as exc:
        return _standard_page(request, lst, error=exc.message, status=exc.status, form=form)
    return redirect("enforcement:standard", pk=lst.pk)


@login_required
def standard_export(request, pk):
    lst = standards.get_list_or_404(request.user, pk)
    response = HttpResponse(standards.export_items(lst), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="standard-{lst.pk}-v{lst.version}.xlsx"'
    return response


@login_required
@require_POST
def standard_upload(request, pk):
    lst = standards.get_list_or_404(request.user, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ProcedureError("请选择要上传的 Excel 文件。", "bad_input")
        if upload.size > standards.MAX_BYTES:
            raise ProcedureError(f"文件过大（超过 {standards.MAX_BYTES // 1024 // 1024} MB）。", "bad_input")
        result = standards.do_upload_items(request.user, lst, upload.read())
    except ProcedureError as exc:
        return _standard_page(request, lst, error=exc.message, status=exc.status)
    return _standard_page(request, lst, upload=result, status=200 if result.ok else 422)
