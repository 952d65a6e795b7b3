"""The one place that decides who sees and may change what.

- ``visible_unit_ids(user)``: the units whose records the user may read.
- ``roles_at(user, unit)``: the roles the user holds that reach that unit.
- ``QuerySet.visible_to(user)`` on every unit-owned model (see ``ScopedQuerySet``).
- ``get_visible_or_404``: detail lookups; out-of-scope objects answer 404, never 403,
  so a record's existence is not disclosed.
- django-rules predicates (``rules.py``) build object permissions on ``roles_at``.

Reach of a membership (DESIGN.md "Who uses it"):
- coordinator, auditor, admin: the whole government the unit belongs to (its subtree);
- operator, leader, advisor: their own unit and the units below it.
"""
from __future__ import annotations

from django.db import models
from django.http import Http404

from .models import Membership, Role, Unit

GOVERNMENT_WIDE_ROLES = {Role.COORDINATOR, Role.AUDITOR, Role.ADMIN}
READ_ONLY_ROLES = {Role.AUDITOR}
_CACHE_ATTR = "_fazhi_scope_cache"


def _reach(user) -> list[tuple[str, str]]:
    """(unit path prefix, role) for each membership of the user, cached on the user object."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    reach: list[tuple[str, str]] = []
    if user is not None and user.is_authenticated and user.is_active:
        for m in Membership.objects.filter(user=user, unit__active=True).select_related("unit"):
            base = m.unit.government() if m.role in GOVERNMENT_WIDE_ROLES else m.unit
            reach.append((base.path, m.role))
    setattr(user, _CACHE_ATTR, reach)
    return reach


def reach(user) -> list[tuple[str, str]]:
    """(unit path prefix, role) pairs: where each of the user's roles reaches (for SQL filters)."""
    return list(_reach(user))


def clear_cache(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def visible_units(user) -> models.QuerySet:
    reach = _reach(user)
    if not reach:
        return Unit.objects.none()
    q = models.Q()
    for path, _role in reach:
        q |= models.Q(path__startswith=path)
    return Unit.objects.filter(q)


def visible_unit_ids(user) -> models.QuerySet:
    return visible_units(user).values("pk")


def roles_at(user, unit: Unit | None) -> set[str]:
    """Roles of ``user`` that reach ``unit`` (empty if the unit is outside their scope)."""
    if unit is None:
        return set()
    return {role for path, role in _reach(user) if unit.path.startswith(path)}


def can_view_unit(user, unit: Unit | None) -> bool:
    return bool(roles_at(user, unit))


def can_change_unit(user, unit: Unit | None) -> bool:
    return bool(roles_at(user, unit) - READ_ONLY_ROLES)


def home_units(user) -> list[Unit]:
    """Units the user is a member of (for the unit switcher)."""
    if not user.is_authenticated:
        return []
    return list(Unit.objects.filter(memberships__user=user).distinct().order_by("path"))


class ScopedQuerySet(models.QuerySet):
    """Mixin for the queryset of every model with a ``unit`` foreign key."""

    unit_field = "unit"

    def visible_to(self, user):
        return self.filter(**{f"{self.unit_field}__in": visible_unit_ids(user)})


def scoped(queryset_or_model, user):
    qs = queryset_or_model._default_manager.all() if isinstance(queryset_or_model, type) else queryset_or_model
    if hasattr(qs, "visible_to"):
        return qs.visible_to(user)
    if qs.model is Unit:
        return qs.filter(pk__in=visible_unit_ids(user))
    return qs.filter(unit__in=visible_unit_ids(user))


def get_visible_or_404(queryset_or_model, user, **lookup):
    try:
        return scoped(queryset_or_model, user).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("未找到该记录，或您无权查看。")
