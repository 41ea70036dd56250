"""Sends the Content-Security-Policy of settings.SECURE_CSP (Django 5.2 has no CSP of its own).

SECURE_CSP has the shape of Django 6.0's setting of the same name (directive → sources), so
upgrading means swapping this middleware for django.middleware.csp.ContentSecurityPolicyMiddleware.
"""

from django.conf import settings


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(
        " ".join([directive, *sources])
        for directive, sources in policy.items()
        if sources is not None
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "SECURE_CSP", None)
        # A view that sets its own policy keeps it.
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_header(policy)
        return response
