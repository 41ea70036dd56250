"""Token and session authentication with the initial-password gate.

The gate lives here rather than in a permission class so that no view can drop it by setting
its own `permission_classes`: an account that still has the initial password gets 403
`password_change_required` everywhere but on views marked `allow_initial_password`.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_detail = _("请先修改初始密码")
    default_code = "password_change_required"


def _gate(request, result):
    if result is not None:
        user = result[0]
        view = (request.parser_context or {}).get("view")
        if user.must_change_password and not getattr(view, "allow_initial_password", False):
            raise PasswordChangeRequired()
    return result


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        return _gate(request, super().authenticate(request))


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        return _gate(request, super().authenticate(request))
