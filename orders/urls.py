from django.urls import path

from . import views

urlpatterns = [
    path("orders/", views.order_list, name="order-list"),
    path("pupils/<int:pupil_id>/orders/new/", views.order_start, name="order-start"),
    path("orders/from-contract/<int:contract_id>/", views.order_open_from_contract,
         name="order-open-from-contract"),
    path("orders/<int:case_id>/", views.order_detail, name="order-detail"),
    path("orders/<int:case_id>/<str:action>/", views.order_action, name="order-action"),
    path("packs/<int:pack_id>/", views.pack_detail, name="order-pack"),
    path("packs/<int:pack_id>/pack.pdf", views.pack_download, name="order-pack-download"),
    path("la/queue/", views.la_queue, name="la-queue"),
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/new/", views.programme_edit, name="programme-add"),
    path("programmes/<int:programme_id>/", views.programme_edit, name="programme-edit"),
]
