"""Public (no account) pages of 行政复议, mounted at /public/reconsideration/ by fazhi/urls.py."""
from django.urls import path

from . import public

app_name = "reconsideration_public"

urlpatterns = [
    path("apply/", public.apply, name="apply"),
    path("status/", public.status, name="status"),
]
