"""Sends a browser user who still has the initial password to the password change page."""

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    # The API answers 403 `password_change_required` itself (token users are only known there).
    EXEMPT_PREFIXES = ("/api/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("password_change"), reverse("logout")}
            # path_info, not path: the exempt prefixes hold under a deployment's script prefix.
            exempt = request.path_info.startswith(self.EXEMPT_PREFIXES)
            if request.path not in allowed and not exempt:
                # where the user was going: the change page returns there once it is done
                query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
                return redirect(f"{reverse('password_change')}?{query}")
        return self.get_response(request)


class WorkspaceLoginMiddleware:
    """Sends an anonymous visitor of the operator UI to the login page (Viewflow answers 403)."""

    PREFIX = "/workspace/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(self.PREFIX) and not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
