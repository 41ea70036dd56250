"""URL map: the mobile site, admin, accounts, the operator UI and the API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from config.media import media_urlpatterns
from config.mobile import CLIENT_ROUTE, mobile_app
from orgs.views import (
    InitialPasswordChangeView,
    ThrottledAdminAuthenticationForm,
    ThrottledLoginView,
)
from workspace.site import site

# The admin's login page is a way in too: it counts failed logins like the others.
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("", mobile_app, name="home"),
    # The admin's own password page would skip the service (the initial-password rule, the
    # end of the account's tokens, the login-failure count): everyone changes it on ours.
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="password_change", permanent=False),
    ),
    path("admin/", admin.site.urls),
    path(
        "accounts/password_change/",
        InitialPasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Viewflow's pages load it by this name: its scripts' words ("2 of 5 selected", months);
    # under i18n/, which the initial-password redirect leaves alone.
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", include("api.urls")),
    path("workspace/", site.urls),
    *media_urlpatterns(),
    # Last: every other path is a route of the mobile site (/demands/42 …), answered by its page.
    re_path(CLIENT_ROUTE, mobile_app, name="mobile"),
]
