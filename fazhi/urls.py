from django.contrib import admin
from django.urls import include, path

from .api import api

handler400 = "fazhi.core.views.errors.bad_request"
handler403 = "fazhi.core.views.errors.permission_denied"
handler404 = "fazhi.core.views.errors.page_not_found"
handler500 = "fazhi.core.views.errors.server_error"

urlpatterns = [
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
    path("litigation/", include("fazhi.litigation.urls")),
    path("enforcement/", include("fazhi.enforcement.urls")),
    path("reconsideration/", include("fazhi.reconsideration.urls")),
    path("returns/", include("fazhi.returns.urls")),
    path("reports/", include("fazhi.reports.urls")),
    path("public/reconsideration/", include("fazhi.reconsideration.public_urls")),
    path("benchmark/", include("fazhi.benchmark.urls")),
    path("", include("fazhi.core.urls")),
]
