"""URLs of the 行政复议文书 pages, included under ``<int:pk>/documents/`` by urls.py."""
from django.urls import path

from . import views_documents

urlpatterns = [
    path("", views_documents.documents, name="documents"),
]
