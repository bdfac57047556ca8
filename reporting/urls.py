from django.urls import path

from . import views

urlpatterns = [
    path("returns/", views.return_list, name="return-list"),
    path("returns/take/", views.return_take, name="return-take"),
    path("returns/export.<str:fmt>", views.return_export, name="return-export"),
    path("returns/series.<str:fmt>", views.return_series, name="return-series"),
    path("returns/schools/<int:school_id>/<str:term_key>/", views.return_detail,
         name="return-detail"),
    path("returns/schools/<int:school_id>/<str:term_key>/submit/", views.return_submit,
         name="return-submit"),
    path("returns/annual/<int:year>.pdf", views.return_annual, name="return-annual"),
    path("reminders/", views.reminder_list, name="reminder-list"),
]
