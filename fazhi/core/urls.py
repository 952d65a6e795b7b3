from django.urls import include, path

app_name = "core"

urlpatterns = [
    path("", include("fazhi.core.views.shell")),
    path("", include("fazhi.core.views.auth")),
    path("inbox/", include("fazhi.core.views.inbox")),
    path("deadline/", include("fazhi.core.views.deadline")),
    path("calendar/", include("fazhi.core.views.calendar")),
    path("units/", include("fazhi.core.views.units")),
    path("attachments/", include("fazhi.core.views.attachments")),
    path("metrics/", include("fazhi.core.views.metrics")),
    path("audit/", include("fazhi.core.views.audit")),
]
