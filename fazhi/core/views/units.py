"""Unit pages: the tree of units the user may see, and one unit with its members.

Scope comes from fazhi.core.scoping only; a unit outside it answers 404 (its existence is
not disclosed).
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import path

from .. import scoping
from ..models import Membership, Role, Unit


def _tree(units: list[Unit]) -> list[tuple[Unit, int]]:
    """Pre-order walk (siblings by sort order, then code) with depth relative to the visible tops.

    A unit whose parent is not visible (an operator's own department) starts a new top.
    """
    by_id = {u.pk: u for u in units}
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        parent = u.parent_id if u.parent_id in by_id else None
        children.setdefault(parent, []).append(u)
    for kids in children.values():
        kids.sort(key=lambda u: (u.sort_order, u.code))
    out: list[tuple[Unit, int]] = []
    stack = [(u, 0) for u in reversed(children.get(None, []))]
    while stack:
        unit, depth = stack.pop()
        out.append((unit, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(unit.pk, [])))
    return out


@login_required
def unit_list(request):
    units = list(scoping.visible_units(request.user).filter(active=True))
    counts = dict(
        Membership.objects.filter(unit__in=units, user__is_active=True)
        .values_list("unit_id").annotate(n=Count("user", distinct=True)).order_by()
    )
    rows = [
        {"unit": u, "depth": min(d, 6), "members": counts.get(u.pk, 0)}
        for u, d in _tree(units)
    ]
    return render(request, "core/units/list.html", {"rows": rows})


_ROLE_ORDER = {r.value: i for i, r in enumerate(Role)}


@login_required
def unit_detail(request, code):
    unit = scoping.get_visible_or_404(Unit, request.user, code=code)
    visible_ids = set(scoping.visible_units(request.user).values_list("pk", flat=True))
    # Only the ancestors the user may see: an operator's breadcrumb starts at their own unit.
    ancestors = [a for a in unit.ancestors().exclude(pk=unit.pk) if a.pk in visible_ids]
    members = sorted(
        Membership.objects.filter(unit=unit, user__is_active=True).select_related("user"),
        key=lambda m: (_ROLE_ORDER.get(m.role, 99), str(m.user)),
    )
    children = unit.children.filter(active=True, pk__in=visible_ids).order_by("sort_order", "code")
    return render(request, "core/units/detail.html", {
        "unit": unit,
        "ancestors": ancestors,
        "members": members,
        "children": children,
        "roles_here": [Role(r).label for r in sorted(scoping.roles_at(request.user, unit),
                                                    key=lambda r: _ROLE_ORDER.get(r, 99))],
    })


urlpatterns = [
    path("", unit_list, name="units"),
    path("<str:code>/", unit_detail, name="unit_detail"),
]
