"""Account views of the browser UI."""

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpResponseRedirect

from .errors import InvalidInput
from .services import user_change_password


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
            for name, message in exc.fields.items():
                form.add_error("new_password1" if name == "new_password" else name, message)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())
