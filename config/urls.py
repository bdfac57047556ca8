from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases import views as case_views
from cases.forms import SignInForm

urlpatterns = [
    path("health/", case_views.health, name="health"),
    path("sign-in/", auth_views.LoginView.as_view(authentication_form=SignInForm),
         name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
    path("", include("letters.urls")),
    path("", include("contracts.urls")),
    path("", include("orders.urls")),
    path("", include("conduct.urls")),
    path("", include("reporting.urls")),
]
