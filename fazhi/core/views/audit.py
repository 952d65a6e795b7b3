"""Audit log page (审计日志) for coordinators, auditors and administrators, and the chain check.

Scope: records of the units the user may see; records without a unit (logins, system events)
are shown to these government-wide roles as well. Only auditors and administrators may run the
chain verification from the page (the same check as `fazhi audit verify`).
"""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from .. import audit, scoping
from ..models import AuditRecord, Membership, Role

LOG_ROLES = {Role.COORDINATOR, Role.AUDITOR, Role.ADMIN}
VERIFY_ROLES = {Role.AUDITOR, Role.ADMIN}


def _roles(user) -> set[str]:
    return set(Membership.objects.filter(user=user, unit__active=True).values_list("role", flat=True))


def _parse_date(text: str, label: str, errors: list[str]) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(f"{label}“{text}”无效，应为存在的日期，格式 YYYY-MM-DD。")
        return None


def visible_records(user):
    return AuditRecord.objects.filter(Q(unit__in=scoping.visible_unit_ids(user)) | Q(unit__isnull=True))


def _changes(rec: AuditRecord) -> list[dict]:
    out = []
    for key, value in (rec.changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            out.append({"field": key, "before": value[0], "after": value[1], "pair": True})
        else:
            out.append({"field": key, "value": value, "pair": False})
    return out


@login_required
@require_GET
def audit_log(request):
    roles = _roles(request.user)
    if not roles & LOG_ROLES:
        raise PermissionDenied("审计日志仅对法治协调员、监督员和系统管理员开放。")
    qs = visible_records(request.user).select_related("unit")
    f = {k: request.GET.get(k, "").strip() for k in ("object", "actor", "action", "unit", "date_from", "date_to")}
    errors: list[str] = []
    if f["object"]:
        otype, sep, oid = f["object"].partition(":")
        if sep and otype and oid:
            qs = qs.filter(object_type=otype.lower(), object_id=oid)
        else:
            qs = qs.filter(Q(object_repr__icontains=f["object"]) | Q(object_type__icontains=f["object"]))
    if f["actor"]:
        qs = qs.filter(Q(actor_name__icontains=f["actor"]) | Q(actor__username=f["actor"]))
    if f["action"]:
        codes = [code for code, label in audit.ACTION_LABELS.items() if f["action"] in label]
        qs = qs.filter(Q(action__icontains=f["action"]) | Q(action__in=codes))
    if f["unit"]:
        qs = qs.filter(unit__code=f["unit"])
    date_from = _parse_date(f["date_from"], "起始日期", errors)
    date_to = _parse_date(f["date_to"], "截止日期", errors)
    if date_from and date_to and date_from > date_to:
        errors.append("起始日期不能晚于截止日期。")
    elif not errors:
        if date_from:
            qs = qs.filter(at__date__gte=date_from)
        if date_to:
            qs = qs.filter(at__date__lte=date_to)
    if errors:
        qs = qs.none()
    page = Paginator(qs.order_by("-seq"), 50).get_page(request.GET.get("page"))
    rows = [{"rec": r, "action_label": audit.action_label(r.action), "changes": _changes(r)} for r in page.object_list]
    query = request.GET.copy()  # pagination links keep the filters
    query.pop("page", None)
    return render(request, "core/audit/log.html", {
        "page": page, "rows": rows, "filters": f, "errors": errors, "query": query.urlencode(),
        "units": scoping.visible_units(request.user).order_by("path"),
        "can_verify": bool(roles & VERIFY_ROLES),
    }, status=400 if errors else 200)


@login_required
@require_POST
def audit_verify(request):
    if not _roles(request.user) & VERIFY_ROLES:
        raise PermissionDenied("只有监督员和系统管理员可以校验审计链。")
    result = audit.verify_chain()
    missing = audit.missing_triggers()
    audit.record("audit.verify", actor=request.user, object_type="core.auditrecord",
                 object_repr="审计链", changes={"结果": "通过" if result.ok and not missing else "未通过",
                                             "已校验": result.checked, **({"断点": result.broken_seq}
                                                                        if result.broken_seq else {})})
    if not result.ok:
        messages.error(request, f"审计链已被破坏：{result.message}")
    elif missing:
        messages.error(request, f"{result.message}但防篡改触发器缺失或被停用：{'、'.join(missing)}。")
    else:
        messages.success(request, f"{result.message}链头：第 {result.head_seq} 号，摘要 {result.head_hash}。")
    return redirect(reverse("core:audit_log"))


urlpatterns = [
    path("", audit_log, name="audit_log"),
    path("verify/", audit_verify, name="audit_verify"),
]
