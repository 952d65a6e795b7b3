from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("preview/", views.preview, name="preview"),
    path("preview.docx", views.preview_docx, name="preview_docx"),
    path("new/", views.report_new, name="new"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("templates/<int:pk>/sections/new/", views.template_section_new, name="template_section_new"),
    path("templates/<int:pk>/sections/<int:sid>/", views.template_section, name="template_section"),
    path("templates/<int:pk>/sections/<int:sid>/delete/", views.template_section_delete,
         name="template_section_delete"),
    path("templates/<int:pk>/sections/<int:sid>/move/<str:direction>/", views.template_section_move,
         name="template_section_move"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/report.docx", views.report_docx, name="docx"),
    path("<int:pk>/op/<str:op>/", views.report_operation, name="operation"),
    path("<int:pk>/sections/<int:sid>/", views.section_edit, name="section"),
    path("contributions/<int:pk>/", views.contribution, name="contribution"),
    path("contributions/<int:pk>/op/<str:op>/", views.contribution_operation, name="contribution_operation"),
    path("public/", views.public_index, name="public"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
    path("public/<int:pk>/report.docx", views.public_docx, name="public_docx"),
]
