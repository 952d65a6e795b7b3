from django.urls import path

from . import views

app_name = "enforcement"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_batch, name="import_batch"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:pk>/rejections.xlsx", views.import_rejections, name="import_rejections"),
    path("officers/", views.officer_list, name="officers"),
    path("opinions/", views.opinion_list, name="opinions"),
    path("opinions/<int:pk>/", views.opinion_detail, name="opinion"),
    path("opinions/<int:pk>/op/<str:op>/", views.opinion_operation, name="opinion_op"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/new/", views.review_new, name="review_new"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/redraw/", views.review_redraw, name="review_redraw"),
    path("reviews/files/<int:pk>/", views.review_file, name="review_file"),
    path("reviews/files/<int:pk>/assign/", views.review_file_assign, name="review_file_assign"),
    path("reviews/files/<int:pk>/score/", views.review_file_score, name="review_file_score"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/op/<str:op>/", views.complaint_operation, name="complaint_op"),
    path("certificates/expiring/", views.certificates_expiring, name="certificates_expiring"),
    path("public/", views.public, name="public"),
    path("standards/", views.standard_lists, name="standards"),
    path("standards/new/", views.standard_new, name="standard_new"),
    path("standards/<int:pk>/", views.standard_detail, name="standard"),
    path("standards/<int:pk>/items/new/", views.standard_item_add, name="standard_item_add"),
    path("standards/<int:pk>/items/<int:item_pk>/edit/", views.standard_item_edit, name="standard_item_edit"),
    path("standards/<int:pk>/new-version/", views.standard_new_version, name="standard_new_version"),
    path("standards/<int:pk>/retire/", views.standard_retire, name="standard_retire"),
    path("standards/<int:pk>/items.xlsx", views.standard_export, name="standard_export"),
    path("standards/<int:pk>/upload/", views.standard_upload, name="standard_upload"),
]
