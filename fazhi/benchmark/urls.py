from django.urls import path

from . import views

app_name = "benchmark"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("compare/", views.compare_page, name="compare"),
    path("compare.xlsx", views.compare_xlsx, name="compare_xlsx"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/population/", views.report_population, name="population"),
]
