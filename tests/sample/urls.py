from django.urls import path

from . import views

app_name = "sample"

urlpatterns = [
    path("", views.matter_list, name="list"),
    path("<int:pk>/", views.matter_detail, name="detail"),
    path("<int:pk>/edit/", views.matter_edit, name="edit"),
    path("<int:pk>/transition/<str:name>/", views.matter_transition, name="transition"),
]
