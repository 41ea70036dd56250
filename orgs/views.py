"""Account views of the browser UI: throttled login and the initial-password change."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, password_validation, update_session_auth_hash
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .forms import add_domain_errors
from .security import RateLimited, client_ip, login_attempt_begin, login_attempt_succeeded
from .services import user_change_password


class ThrottledLoginFormMixin:
    """Counts a login before its password is checked; a locked one is refused unchecked."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a required field is missing: nothing was tried
        try:
            attempt = login_attempt_begin(username, client_ip(self.request))
        except RateLimited as exc:
            raise ValidationError(exc.detail, code="login_locked") from exc
        try:
            cleaned = super().clean()
        except ValidationError:
            # The attempt stays a failure unless the password was right and the account was
            # refused for another reason (inactive; not staff on the admin's page).
            if self.user_cache is not None:
                login_attempt_succeeded(attempt)
            raise
        login_attempt_succeeded(attempt)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginFormMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginFormMixin, AdminAuthenticationForm):
    """The admin's own login page counts against the same limits."""


class ServicePasswordChangeForm(PasswordChangeForm):
    """Leaves the old password to the service, which checks it under the login throttle.

    The new password's help is the validators' rules as one line of text: Django's is an HTML
    list, which Viewflow's form renderer shows escaped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )

    def clean_old_password(self):
        return self.cleaned_data["old_password"]


# Where a login goes without `next`: an operator's workspace, or the mobile site's 我的 page.
WORKSPACE_HOME = "/workspace/"
MOBILE_HOME = "/mine"


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm

    def get_success_url(self):
        return home_url(self.request.user, self.get_redirect_url())


def home_url(user, target: str = "") -> str:
    """Where an account goes after logging in or changing its password: `target` (a safe
    `next`) or its own home. Reviewers and administrators: `target`, else their workspace.
    Volunteer-org and individual accounts have no place in the operator UI (it would answer
    403): the mobile site, `target` when it is one of its pages, else 我的."""
    if user.works_in_workspace:
        return target or WORKSPACE_HOME
    path = urlsplit(target).path
    if path.startswith(WORKSPACE_HOME) or (path.startswith("/admin/") and not user.is_staff):
        target = ""
    return target or MOBILE_HOME


class InitialPasswordChangeView(PasswordChangeView):
    """Password change through the service, so the 000000 rule, the flag, the login throttle
    and the end of the API token live in one place. Done, it goes on to where the user was
    going (`next`, which the middleware keeps) or to their home, with a message."""

    form_class = ServicePasswordChangeForm

    def get_success_url(self):
        target = self.request.GET.get(REDIRECT_FIELD_NAME, "")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return home_url(self.request.user, target if safe else "")

    def form_valid(self, form):
        try:
            user = user_change_password(
                user=self.request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                ip=client_ip(self.request),
            )
        except (RateLimited, InvalidInput) as exc:
            add_domain_errors(form, exc, aliases={"new_password": "new_password1"})
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("密码已修改"))
        return HttpResponseRedirect(self.get_success_url())
