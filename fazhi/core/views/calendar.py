"""Working-day calendar pages (/calendar/): loaded years, one year's days, upload for administrators."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from .. import calendar_io, calendar_services
from ..calendar_io import HOLIDAY, WORKDAY, CalendarFileError
from ..models import CalendarYear

MIN_YEAR, MAX_YEAR = 1900, 2200


def _index_context(request, **extra) -> dict:
    return {
        "years": calendar_services.years(),
        "can_manage": calendar_services.can_manage_calendar(request.user),
        "max_kb": calendar_io.MAX_FILE_BYTES // 1024,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    if request.method == "POST":
        return _upload(request)
    return render(request, "core/calendar/index.html", _index_context(request))


def _upload(request):
    # Only administrators change the calendar every deadline depends on.
    if not calendar_services.can_manage_calendar(request.user):
        raise PermissionDenied("只有系统管理员可以载入节假日安排。")
    upload = request.FILES.get("file")
    if upload is None:
        errors = ["请选择要载入的节假日安排文件（文本或 CSV）。"]
    elif upload.size > calendar_io.MAX_FILE_BYTES:
        errors = [f"文件过大：日历文件不应超过 {calendar_io.MAX_FILE_BYTES // 1024} KB。"]
    else:
        try:
            result = calendar_services.load_file(upload.read(), upload.name, actor=request.user)
        except CalendarFileError as exc:
            errors = [str(e) for e in exc.errors] + [exc.summary]
        else:
            messages.success(request, result.summary())
            return redirect("core:calendar-year", year=result.year)
    return render(request, "core/calendar/index.html",
                  _index_context(request, errors=errors, filename=getattr(upload, "name", "")), status=400)


@login_required
@require_http_methods(["GET"])
def year_detail(request, year: int):
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("年份超出范围。")
    entry = CalendarYear.objects.filter(year=year).first()
    rows = calendar_services.year_rows(year)
    if request.GET.get("format") == "txt" and entry is not None:
        response = HttpResponse(calendar_io.to_text(year, rows, entry.source), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="calendar-{year}.txt"'
        return response
    holidays = [
        {"first": first, "last": last, "name": name, "days": (last - first).days + 1}
        for first, last, name in calendar_io.ranges(
            [(d, calendar_io.festival_name(n)) for d, k, n in rows if k == HOLIDAY])
    ]
    workdays = [
        {"date": d, "weekday": calendar_io.weekday_name(d), "name": calendar_io.festival_name(n)}
        for d, k, n in rows if k == WORKDAY
    ]
    return render(request, "core/calendar/year.html", {
        "year": year, "entry": entry, "holidays": holidays, "workdays": workdays,
        "holiday_count": sum(h["days"] for h in holidays), "prev_year": year - 1, "next_year": year + 1,
    })


urlpatterns = [
    path("", index, name="calendar"),
    path("<int:year>/", year_detail, name="calendar-year"),
]
