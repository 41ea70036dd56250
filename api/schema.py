"""OpenAPI descriptions of our authentication classes (drf-spectacular extensions)."""

from drf_spectacular.authentication import SessionScheme, TokenScheme


class GatedTokenScheme(TokenScheme):
    target_class = "api.authentication.TokenAuthentication"


class GatedSessionScheme(SessionScheme):
    target_class = "api.authentication.SessionAuthentication"
