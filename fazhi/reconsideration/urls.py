from django.urls import include, path

from . import views

app_name = "reconsideration"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("metrics/formula/", views.metrics_formula, name="metrics_formula"),
    path("excel/", include("fazhi.reconsideration.excel_urls")),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<str:name>/", views.case_act, name="act"),
    path("<int:pk>/reply/", views.case_reply, name="reply"),
    path("<int:pk>/opinion/", views.case_opinion, name="opinion"),
    path("<int:pk>/documents/", include("fazhi.reconsideration.documents_urls")),
    path("opinion/<int:pk>/reply/", views.opinion_reply, name="opinion_reply"),
]
