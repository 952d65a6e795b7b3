"""Excel pages of 行政复议, included by urls.py under /reconsideration/excel/."""
from django.urls import path

from . import views_excel

urlpatterns = [
    path("export/", views_excel.export, name="excel_export"),
    path("template/", views_excel.template, name="excel_template"),
    path("import/", views_excel.import_page, name="excel_import"),
]
