from django.urls import path

from . import views

urlpatterns = [
    path("pupils/<int:pupil_id>/letters/new/", views.letter_kinds, name="letter-kinds"),
    path("pupils/<int:pupil_id>/letters/new/<str:kind>/", views.letter_new, name="letter-new"),
    path(
        "pupils/<int:pupil_id>/letters/<int:letter_id>/",
        views.letter_download,
        name="letter-download",
    ),
    path("letters/wording/", views.template_list, name="letter-template-list"),
    path(
        "letters/wording/<str:owner_type>/<int:owner_id>/<str:kind>/<str:language>/",
        views.template_edit,
        name="letter-template-edit",
    ),
    path("letters/batches/<int:batch_id>/", views.batch_detail, name="letter-batch-detail"),
]
