"""我的待办与期限 (/inbox/): the user's open deadlines across every matter type, a page at a time."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.http import urlencode

from .. import inbox


@login_required
def inbox_page(request):
    types = inbox.matter_types()
    wanted = request.GET.get("type", "")
    if wanted not in {key for key, _label in types}:
        wanted = ""  # an unknown type shows everything rather than an empty, puzzling page
    try:
        number = int(request.GET.get("page", 1))
    except (TypeError, ValueError):
        number = 1  # a mangled page number shows the first page, as the audit log does
    page = inbox.page_for(request.user, matter_type=wanted, page=number, clamp=True)
    return render(request, "core/inbox/inbox.html", {
        "page": page,
        "items": page.items,
        "types": types,
        "selected_type": wanted,
        "query": urlencode({"type": wanted}) if wanted else "",  # pagination links keep the filter
        "overdue_count": page.overdue_count,
        "due_soon_count": page.due_soon_count,
        "reminders": inbox.reminders_for(request.user),
    })


urlpatterns = [path("", inbox_page, name="inbox")]
