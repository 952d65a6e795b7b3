"""/api/units: the units the caller may see (same scoping as the pages)."""
from __future__ import annotations

from ninja import Router, Schema

from .. import scoping
from ..models import Unit

router = Router(tags=["单位"])


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    level: str
    parent: str | None
    depth: int


class UnitDetailOut(UnitOut):
    children: list[str]
    roles: list[str]
    can_change: bool


def tree_order(units) -> list[Unit]:
    """Depth-first, siblings by sort order then code (the path alone orders ids as text)."""
    units = list(units)
    by_pk = {u.pk: u for u in units}

    def key(u: Unit):
        ids = [int(p) for p in u.path.strip("/").split("/") if p]
        return [(by_pk[i].sort_order, by_pk[i].code) for i in ids if i in by_pk]

    return sorted(units, key=key)


def _out(unit: Unit, parent_code: str | None) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "kind_label": unit.get_kind_display(),
        "level": unit.level,
        "parent": parent_code,
        "depth": unit.depth,
    }


@router.get("", response=list[UnitOut], summary="可查看的单位",
            description="按单位树顺序列出当前用户权限范围内的有效单位；parent 为上级单位代码，depth 为层级深度（顶级为 0）。")
def list_units(request):
    units = scoping.visible_units(request.user).filter(active=True).select_related("parent")
    return [_out(u, u.parent.code if u.parent_id else None) for u in tree_order(units)]


@router.get("/{code}", response=UnitDetailOut, summary="单位详情",
            description="权限范围外或不存在的单位答复 404。")
def get_unit(request, code: str):
    unit = scoping.get_visible_or_404(Unit.objects.select_related("parent"), request.user, code=code)
    children = list(unit.children.filter(active=True).order_by("sort_order", "code").values_list("code", flat=True))
    return {
        **_out(unit, unit.parent.code if unit.parent_id else None),
        "children": children,
        "roles": sorted(scoping.roles_at(request.user, unit)),
        "can_change": scoping.can_change_unit(request.user, unit),
    }
