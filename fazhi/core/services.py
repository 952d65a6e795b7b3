"""Generic services for unit-owned records: create and field edits with optimistic concurrency.

State changes of a matter go through ``fazhi.core.procedure.perform``; plain field edits (a title,
a description, a flag) go through ``do_update``. Both check scope (out of scope = 404), refuse
read-only roles, refuse a stale version, validate, save and audit in one transaction.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from . import audit, scoping
from .procedure import ProcedureError, RoleDenied, StaleVersion

# Fields a generic edit never touches: identity, ownership, the procedure's own state, bookkeeping.
PROTECTED_FIELDS = {"id", "pk", "unit", "unit_id", "state", "version", "created_at", "updated_at"}


class FieldRefused(ProcedureError):
    code = "bad_field"
    status = 400


def _check_fields(model, fields: dict) -> None:
    names = {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}
    for key in fields:
        if key in PROTECTED_FIELDS:
            raise FieldRefused(f"字段“{key}”不能在此修改（状态须通过办理操作变更，单位与版本由系统维护）。")
        if key not in names:
            raise FieldRefused(f"未知字段：{key}")


def _label(model) -> str:
    proc = getattr(model, "procedure", None)
    return getattr(proc, "label", None) or str(model._meta.verbose_name)


def _field_values(obj, keys) -> dict:
    return {k: getattr(obj, k) for k in keys}


def do_update(obj, user, *, version, fields: dict, action: str = "update"):
    """Set ``fields`` on ``obj`` as ``user``, provided nobody changed it since ``version``.

    Returns the saved object (a fresh instance). Raises Http404 (out of scope), RoleDenied
    (read-only role), StaleVersion (someone else saved first), FieldRefused, or Django's
    ValidationError; on any of them nothing is written.
    """
    model = type(obj)
    if not any(f.name == "version" for f in model._meta.concrete_fields):
        raise TypeError(f"{model._meta.label} 没有 version 字段，不能使用 do_update。")
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ProcedureError("缺少或无法识别版本号，请刷新页面后重试。", "bad_version") from None
    _check_fields(model, fields)
    with transaction.atomic():
        current = model._default_manager.select_for_update().filter(pk=obj.pk).first()
        if current is None or not scoping.can_view_unit(user, current.unit):
            raise Http404("未找到该记录，或您无权查看。")
        if not scoping.can_change_unit(user, current.unit):
            raise RoleDenied("您的角色只能查看，不能修改。")
        label = _label(model)
        if current.version != version:
            raise StaleVersion(
                f"该{label}已被他人修改（您看到的是第 {version} 版，当前为第 {current.version} 版）。"
                "为避免覆盖他人的修改，本次修改未保存，请刷新页面后重试。"
            )
        before = _field_values(current, fields)
        for key, value in fields.items():
            setattr(current, key, value)
        changed = {k: v for k, v in fields.items() if audit.diff({k: before[k]}, {k: v})}
        if not changed:
            return current  # nothing to save: no new version, no audit noise
        unchanged = [f.name for f in model._meta.concrete_fields if f.name not in changed and f.attname not in changed]
        current.full_clean(exclude=unchanged)
        # The row lock above already serialises writers; the version filter is a second guard.
        updated = model._default_manager.filter(pk=current.pk, version=version).update(
            version=F("version") + 1,
            **({"updated_at": timezone.now()} if any(f.name == "updated_at" for f in model._meta.concrete_fields) else {}),
            **{k: getattr(current, k) for k in changed},
        )
        if updated != 1:
            raise StaleVersion(f"该{label}刚被他人修改，本次修改未保存，请刷新页面后重试。")
        current.refresh_from_db()
        audit.record(action, actor=user, obj=current,
                     changes={**audit.diff({k: before[k] for k in changed}, _field_values(current, changed)),
                              "version": [version, current.version]})
        return current


def do_create(model, user, *, unit, fields: dict):
    """Create a ``model`` record of ``unit`` as ``user``; a matter starts in its procedure's first state.

    Raises Http404 when the unit is outside the user's scope, RoleDenied for a read-only role,
    FieldRefused or ValidationError for bad fields; nothing is written then.
    """
    _check_fields(model, fields)
    if not scoping.can_view_unit(user, unit):
        raise Http404("未找到该单位，或您无权查看。")
    if not scoping.can_change_unit(user, unit):
        raise RoleDenied("您的角色只能查看，不能新建。")
    with transaction.atomic():
        obj = model(unit=unit, **fields)
        proc = getattr(model, "procedure", None)
        if proc is not None and hasattr(obj, "state"):
            obj.state = proc.initial
        obj.full_clean()
        obj.save()
        recorded = {"unit": [None, unit.pk], **{k: [None, v] for k, v in _field_values(obj, fields).items()}}
        if proc is not None:
            recorded["state"] = [None, obj.state]
        audit.record("create", actor=user, obj=obj, changes=recorded)
        return obj
