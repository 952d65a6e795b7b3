"""Pages of the sample module: how a real module's pages use scoping, services and the engine."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fazhi.core import clocks, scoping
from fazhi.core.deadlines import DeadlineError, parse_date
from fazhi.core.procedure import ProcedureError, allowed_transitions

from . import services
from .models import SampleMatter


@login_required
def matter_list(request):
    matters = scoping.scoped(SampleMatter, request.user).select_related("unit").order_by("-pk")
    return render(request, "sample/list.html", {"matters": matters, "procedure": SampleMatter.procedure})


def _detail(request, matter, *, error: str = "", status: int = 200):
    proc = matter.procedure
    rows = []
    for c in clocks.clocks_of(matter):
        rows.append({"clock": c, "left": clocks.remaining(c) if c.status != c.Status.STOPPED else None})
    return render(request, "sample/detail.html", {
        "matter": matter,
        "state_label": proc.state_label(matter.state),
        "transitions": allowed_transitions(matter, request.user),
        "can_change": scoping.can_change_unit(request.user, matter.unit),
        "clock_rows": rows,
        "error": error,
    }, status=status)


@login_required
def matter_detail(request, pk: int):
    return _detail(request, scoping.get_visible_or_404(SampleMatter, request.user, pk=pk))


@login_required
@require_POST
def matter_transition(request, pk: int, name: str):
    matter = scoping.get_visible_or_404(SampleMatter, request.user, pk=pk)
    try:
        on = parse_date(request.POST["on"]) if request.POST.get("on") else None
        services.act(matter, name, request.user, version=request.POST.get("version"), on=on,
                     reason=request.POST.get("reason", "").strip())
    except ProcedureError as exc:
        return _detail(request, _fresh(matter), error=exc.message, status=exc.status)
    except DeadlineError as exc:
        return _detail(request, _fresh(matter), error=str(exc), status=400)
    return redirect("sample:detail", pk=pk)


@login_required
@require_POST
def matter_edit(request, pk: int):
    matter = scoping.get_visible_or_404(SampleMatter, request.user, pk=pk)
    try:
        services.edit(matter, request.user, version=request.POST.get("version"),
                      title=request.POST.get("title", "").strip(),
                      has_materials=request.POST.get("has_materials") == "on")
    except ProcedureError as exc:
        return _detail(request, _fresh(matter), error=exc.message, status=exc.status)
    except ValidationError as exc:
        return _detail(request, _fresh(matter), error="；".join(exc.messages), status=400)
    return redirect("sample:detail", pk=pk)


def _fresh(matter):
    matter.refresh_from_db()
    return matter
