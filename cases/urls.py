from django.urls import path

from . import subject_access_views, two_step_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("pupils/", views.pupil_search, name="pupil-search"),
    path("pupils/new/", views.pupil_add, name="pupil-add"),
    path("pupils/<int:pupil_id>/", views.pupil_detail, name="pupil-detail"),
    path(
        "pupils/<int:pupil_id>/eligibility/", views.pupil_eligibility, name="pupil-eligibility"
    ),
    path("pupils/<int:pupil_id>/move/", views.pupil_move, name="pupil-move"),
    path("pupils/<int:pupil_id>/left/", views.pupil_leave, name="pupil-leave"),
    path("pupils/<int:pupil_id>/parents/new/", views.parent_add, name="parent-add"),
    path("pupils/<int:pupil_id>/exclusions/new/", views.exclusion_add, name="exclusion-add"),
    path(
        "pupils/<int:pupil_id>/exclusions/<int:exclusion_id>/process-ended/",
        views.exclusion_process_ended,
        name="exclusion-process-ended",
    ),
    path(
        "pupils/<int:pupil_id>/exclusions/<int:exclusion_id>/in-error/",
        views.exclusion_in_error,
        name="exclusion-in-error",
    ),
    path(
        "pupils/<int:pupil_id>/agencies/new/",
        views.agency_involvement_add,
        name="agency-involvement-add",
    ),
    path("pupils/<int:pupil_id>/meetings/new/", views.meeting_add, name="meeting-add"),
    path("pupils/<int:pupil_id>/documents/new/", views.document_add, name="document-add"),
    path(
        "pupils/<int:pupil_id>/documents/<int:document_id>/",
        views.document_download,
        name="document-download",
    ),
    path("data-protection/", views.data_protection, name="data-protection"),
    path("data-protection/access-log/", views.access_log, name="access-log"),
    path("data-protection/retention/", views.retention, name="retention"),
    path("data-protection/retention/<int:disposal_id>/", views.disposal_review,
         name="disposal-review"),
    path("pupils/<int:pupil_id>/subject-access/", subject_access_views.subject_access_request,
         name="subject-access-request"),
    path("pupils/<int:pupil_id>/subject-access/<int:export_id>/",
         subject_access_views.subject_access_download, name="subject-access-download"),
    path("data-protection/<int:la_id>/sign-in/", two_step_views.staff_sign_in,
         name="staff-sign-in"),
    path("data-protection/<int:la_id>/sign-in/school-staff/",
         two_step_views.school_staff_rule, name="two-step-school-staff"),
    path("data-protection/<int:la_id>/sign-in/staff/<int:user_id>/reset/",
         two_step_views.reset, name="two-step-reset"),
]
