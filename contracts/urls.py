from django.urls import path

from . import views

urlpatterns = [
    path("contracts/", views.contract_list, name="contract-list"),
    path("pupils/<int:pupil_id>/contracts/new/", views.contract_start, name="contract-start"),
    path("contracts/<int:contract_id>/", views.contract_detail, name="contract-detail"),
    path("contracts/<int:contract_id>/signed.pdf", views.contract_pdf, name="contract-pdf"),
    path(
        "contracts/<int:contract_id>/<str:action>/",
        views.contract_action,
        name="contract-action",
    ),
    path("eligible/behaviour-contract/", views.contract_eligible_list,
         name="contract-eligible-list"),
    path("eligible/behaviour-contract/invite/", views.invitations_new,
         name="contract-invitations-new"),
    path(
        "la/queue/<int:notification_id>/noted/",
        views.notification_acknowledge,
        name="notification-acknowledge",
    ),
]
