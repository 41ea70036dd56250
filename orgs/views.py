"""Account views of the browser UI: throttled login and the initial-password change."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from .errors import InvalidInput
from .forms import add_domain_errors
from .security import LOCKED_MESSAGE, client_ip, login_allowed, login_failed
from .services import user_change_password


class ThrottledLoginFormMixin:
    """Refuses a locked username or IP before the password is checked; counts wrong passwords."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a required field is missing: nothing was tried
        ip = client_ip(self.request)
        if not login_allowed(username, ip):
            raise ValidationError(LOCKED_MESSAGE, code="login_locked")
        try:
            return super().clean()
        except ValidationError:
            if self.user_cache is None:  # the password was wrong, not the account refused
                login_failed(username, ip)
            raise


class ThrottledAuthenticationForm(ThrottledLoginFormMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginFormMixin, AdminAuthenticationForm):
    """The admin's own login page counts against the same limits."""


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm


class InitialPasswordChangeView(PasswordChangeView):
    """Password change through the service, so the 000000 rule and the flag live in one place."""

    def form_valid(self, form):
        try:
            user = user_change_password(
                user=self.request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except InvalidInput as exc:
            add_domain_errors(form, exc, aliases={"new_password": "new_password1"})
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())
