from django.urls import path

from . import views

urlpatterns = [
    path("pupils/<int:pupil_id>/conduct/incidents/new/", views.incident_new,
         name="conduct-incident-new"),
    path("conduct/<int:record_id>/", views.record_detail, name="conduct-record"),
    path("conduct/<int:record_id>/who-opened/", views.access_log, name="conduct-access-log"),
    path("conduct/<int:record_id>/letters/<int:letter_id>/", views.letter_download,
         name="conduct-letter-download"),
    path("conduct/<int:record_id>/evidence/<int:evidence_id>/", views.evidence_download,
         name="conduct-evidence-download"),
    path("conduct/<int:record_id>/<str:action>/", views.record_action, name="conduct-action"),
]
