"""The test suite's ROOT_URLCONF: the project's URLs plus the sample module's page and API.

This is how a real module plugs in: its router is added to the one NinjaAPI before the URLs are
built (ninja freezes the API when ``api.urls`` is first read, i.e. when fazhi.urls is imported),
and its pages are included beside the core's.
"""
from django.urls import include, path

from fazhi.api import api
from tests.sample.api import router as sample_router

# Runs once per process (a module is imported once), before fazhi.urls reads api.urls below.
api.add_router("/sample", sample_router)

from fazhi.urls import handler400, handler403, handler404, handler500  # noqa: E402,F401
from fazhi.urls import urlpatterns as project_urlpatterns  # noqa: E402

urlpatterns = [
    path("sample/", include("tests.sample.urls")),
    *project_urlpatterns,
]
