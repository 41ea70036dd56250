"""The mobile site (mobile/, Vue + Vant, built by Vite): its index.html at / and at every client route.

Vite writes the app to mobile/dist/ (`make mobile`). Its assets are static files under
STATIC_URL/mobile/ (settings.STATICFILES_DIRS; WhiteNoise serves them); index.html is answered
here, so that a shared link such as /demands/42 opens the app, which then routes itself. The
view sets the CSRF cookie: the app reads it and sends it back as X-CSRFToken with the session
cookie on unsafe API calls.
"""

import re

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

# The paths Django answers itself; the client's routes are everything else.
SERVER_PREFIXES = ("api", "workspace", "admin", "accounts", "static", "media", "i18n")
CLIENT_ROUTE = rf"^(?!(?:{'|'.join(SERVER_PREFIXES)})(?:/|$)).*$"

# Vite writes the assets' URLs with its `base` (mobile/vite.config.ts): /static/mobile/….
_ASSET = re.compile(r'(?P<attr>\b(?:src|href))="/static/(?P<path>mobile/[^"]+)"')


def _index_html() -> str | None:
    try:
        html = (settings.MOBILE_DIST / "index.html").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    # Through the static storage: the STATIC_URL of this deployment, and the manifest's name
    # where production's storage has one.
    return _ASSET.sub(lambda m: f'{m["attr"]}="{static(m["path"])}"', html)


@require_safe
@never_cache  # a new build changes the names of the assets it loads
@ensure_csrf_cookie
def mobile_app(request, **kwargs):
    html = _index_html()
    if html is None:
        return render(request, "mobile_not_built.html", status=503)
    return HttpResponse(html)
