from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases import two_step_views
from cases import views as case_views
from cases.forms import SignInForm
from cases.two_step import two_step_exempt

urlpatterns = [
    path("health/", case_views.health, name="health"),
    path("sign-in/", auth_views.LoginView.as_view(authentication_form=SignInForm),
         name="login"),
    # Under sign-in/: part of signing in, so reachable before the second step is done.
    path("sign-in/two-step/", two_step_views.code, name="two-step-code"),
    path("sign-in/two-step/set-up/", two_step_views.set_up, name="two-step-set-up"),
    path("sign-in/two-step/recovery-codes/", two_step_views.recovery_codes,
         name="two-step-recovery-codes"),
    path("sign-out/", two_step_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
    path("", include("letters.urls")),
    path("", include("contracts.urls")),
    path("", include("orders.urls")),
    path("", include("conduct.urls")),
    path("", include("reporting.urls")),
]
