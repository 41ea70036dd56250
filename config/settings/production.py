"""Production: every secret and host from the environment, debug off, HTTPS only.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL (there is no default for any
of them here: a missing one stops the process at start). Optional: DJANGO_CSRF_TRUSTED_ORIGINS,
DJANGO_SECURE_PROXY_SSL_HEADER (behind a TLS-terminating proxy, e.g.
`HTTP_X_FORWARDED_PROTO,https`), DJANGO_SECURE_SSL_REDIRECT, ALLOW_DEMO_DATA.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import STORAGES, database, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": database(env.db("DATABASE_URL"))}

# Static files with content-hashed names (collectstatic writes the manifest): WhiteNoise tells
# browsers and proxies to keep them for a year, and a new release changes the names.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "config.storage.ManifestStaticFilesStorage"},
}

# No demo accounts with printed passwords unless a demo site asks for them.
ALLOW_DEMO_DATA = env.bool("ALLOW_DEMO_DATA", default=False)

# HTTPS only: redirect plain HTTP, tell browsers to stay on HTTPS for a year (subdomains too,
# and ready for the browsers' preload list), and never send the cookies over plain HTTP.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Only trust a proxy's "this was HTTPS" header when the deployment says which header it sets
# (and the proxy strips it from clients); otherwise any client could claim HTTPS.
_proxy_ssl_header = env.list("DJANGO_SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "DJANGO_SECURE_PROXY_SSL_HEADER is 'HEADER,value', e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)

# Django's defaults already, stated here so that a change shows in review.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
