"""我的待办与期限 (/inbox/): the user's open deadlines across every matter type."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from .. import inbox


@login_required
def inbox_page(request):
    types = inbox.matter_types()
    wanted = request.GET.get("type", "")
    if wanted not in {key for key, _label in types}:
        wanted = ""  # an unknown type shows everything rather than an empty, puzzling page
    items = inbox.items_for(request.user, matter_type=wanted)
    return render(request, "core/inbox/inbox.html", {
        "items": items,
        "types": types,
        "selected_type": wanted,
        "overdue_count": sum(1 for i in items if i.overdue),
        "due_soon_count": sum(1 for i in items if i.due_soon),
    })


urlpatterns = [path("", inbox_page, name="inbox")]
