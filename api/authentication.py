"""Token and session authentication with the initial-password gate and token expiry.

The gate lives here rather than in a permission class so that no view can drop it by setting
its own `permission_classes`: an account that still has the initial password gets 403
`password_change_required` everywhere but on views marked `allow_initial_password`.

A token older than `settings.API_TOKEN_TTL` is refused with 401 `token_expired`; logging in
again (`POST /auth/token/`) replaces it with a new one.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_detail = _("请先修改初始密码")
    default_code = "password_change_required"


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("登录已过期，请重新登录")
    default_code = "token_expired"


def token_expired(token: Token) -> bool:
    return token.created <= timezone.now() - settings.API_TOKEN_TTL


def token_for(user) -> Token:
    """The user's token; an expired one is deleted and a new one made (a new key)."""
    token, _created = Token.objects.get_or_create(user=user)
    if token_expired(token):
        # By key, then get_or_create: two logins racing here end with one new token, no 500.
        Token.objects.filter(pk=token.pk).delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token


def _gate(request, result):
    if result is not None:
        user = result[0]
        view = (request.parser_context or {}).get("view")
        if user.must_change_password and not getattr(view, "allow_initial_password", False):
            raise PasswordChangeRequired()
    return result


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise TokenExpired()
        return user, token

    def authenticate(self, request):
        return _gate(request, super().authenticate(request))


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        return _gate(request, super().authenticate(request))
