from django.urls import path

from . import views

app_name = "litigation"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/op/<str:op>/", views.case_operation, name="operation"),
]
