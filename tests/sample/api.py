"""API of the sample module, mounted at /api/sample (tests/sample/root_urls.py)."""
from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from fazhi.core import scoping
from fazhi.core.procedure import allowed_transitions

from . import services
from .models import SampleMatter

router = Router(tags=["样例事项（仅测试）"])


class MatterOut(Schema):
    id: int
    title: str
    unit: str
    state: str
    state_label: str
    version: int
    transitions: list[str]


class TransitionIn(Schema):
    version: int
    reason: str = ""
    on: dt.date | None = None


def _out(matter: SampleMatter, user) -> dict:
    return {"id": matter.pk, "title": matter.title, "unit": matter.unit.code, "state": matter.state,
            "state_label": matter.procedure.state_label(matter.state), "version": matter.version,
            "transitions": [t.name for t in allowed_transitions(matter, user)]}


@router.get("", response=list[MatterOut], summary="样例事项列表")
def list_matters(request):
    qs = scoping.scoped(SampleMatter, request.user).select_related("unit").order_by("-pk")
    return [_out(m, request.user) for m in qs]


@router.get("/{int:pk}", response=MatterOut, summary="样例事项详情")
def get_matter(request, pk: int):
    return _out(scoping.get_visible_or_404(SampleMatter, request.user, pk=pk), request.user)


@router.post("/{int:pk}/transition/{name}", response=MatterOut, summary="办理样例事项")
def transition(request, pk: int, name: str, payload: TransitionIn):
    matter = scoping.get_visible_or_404(SampleMatter, request.user, pk=pk)
    done = services.act(matter, name, request.user, version=payload.version, on=payload.on, reason=payload.reason)
    return _out(done, request.user)


class EditIn(Schema):
    version: int
    title: str
    has_materials: bool = False


@router.put("/{int:pk}", response=MatterOut, summary="修改样例事项")
def edit_matter(request, pk: int, payload: EditIn):
    matter = scoping.get_visible_or_404(SampleMatter, request.user, pk=pk)
    done = services.edit(matter, request.user, version=payload.version, title=payload.title,
                         has_materials=payload.has_materials)
    return _out(done, request.user)
