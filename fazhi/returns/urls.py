from django.urls import path

from . import views

app_name = "returns"

urlpatterns = [
    path("", views.index, name="index"),
    path("overdue/", views.overdue, name="overdue"),
    path("forms/new/", views.form_new, name="form_new"),
    path("forms/<int:pk>/", views.form_detail, name="form"),
    path("forms/<int:pk>/op/<str:op>/", views.form_operation, name="form_operation"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/save/", views.save, name="save"),
    path("<int:pk>/template.xlsx", views.template, name="template"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/op/<str:op>/", views.operation, name="operation"),
]
