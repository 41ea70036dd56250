"""Anonymous answers of the demand list and detail: a short shared cache and conditional GET.

For a caller with no login, a JSON answer of 200 is kept in the `default` cache for
API_ANON_CACHE_SECONDS under the demands' public version (demands/cache.py), the language and
the full path; a change to a demand moves the version on, so the next request renders afresh.
Each kept answer carries an ETag (a hash of its bytes) and a Last-Modified (when it was
rendered): `If-None-Match` / `If-Modified-Since` get a 304. Logged-in callers' answers carry
their own marks (liked, favorited, the contact mobile they may see): never kept, `private`.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from demands.cache import public_version

# Every answer of these views depends on who asks and in which language.
VARY = ("Accept-Language", "Authorization", "Cookie")


def _key(request, version: str) -> str:
    asked = f"{request.accepted_media_type}\n{request.get_full_path()}"
    return f"api:anon:{version}:{get_language()}:{hashlib.sha256(asked.encode()).hexdigest()}"


def _headers(response, etag: str, rendered_at: float) -> None:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(rendered_at)
    patch_cache_control(response, public=True, max_age=settings.API_ANON_CACHE_SECONDS)
    patch_vary_headers(response, VARY)


def anonymous_cached(view, request, render):
    """The answer of `render()` (a DRF Response), kept and served for anonymous JSON callers."""
    if request.user.is_authenticated or request.accepted_renderer.format != "json":
        response = render()
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, VARY)
        return response
    key = _key(request, public_version())
    kept = cache.get(key)
    if kept is None:
        response = render()
        if response.status_code != 200:
            patch_vary_headers(response, VARY)
            return response
        # Rendered here rather than after the view, to keep the bytes.
        response.accepted_renderer = request.accepted_renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = view.get_renderer_context()
        body = response.render().content
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        kept = (body, response["Content-Type"], etag, time.time())
        cache.set(key, kept, settings.API_ANON_CACHE_SECONDS)
    body, content_type, etag, rendered_at = kept
    response = HttpResponse(body, content_type=content_type)
    _headers(response, etag, rendered_at)
    return get_conditional_response(
        request, etag=etag, last_modified=int(rendered_at), response=response
    )
