"""Public (no account) pages of 行政复议, mounted at /public/reconsideration/ by fazhi/urls.py."""
from django.urls import path

from . import demo_history, public  # noqa: F401

# demo_history registers its `fazhi demo load` loader on import. Until apps.ready (or demo.py)
# imports it, this URLconf does: `fazhi demo load` runs the system checks, which load the URLs.

app_name = "reconsideration_public"

urlpatterns = [
    path("apply/", public.apply, name="apply"),
    path("status/", public.status, name="status"),
]
