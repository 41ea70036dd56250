"""Uploaded files (org photos, activity covers) at MEDIA_URL, by this process.

One server (`make run`, `make serve` on one host) has nobody else to serve them; behind nginx
the proxy answers /media/ itself (docs/deployment.md) and this view is never reached. Only
images are served: the upload fields are Pillow-checked ImageFields, and a file of another
type found under MEDIA_ROOT (put there by hand) is not given to a browser from our origin.
"""

import mimetypes

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.urls import re_path
from django.views.static import serve


def media(request, path):
    content_type, _encoding = mimetypes.guess_type(path)
    if not (content_type or "").startswith("image/") or content_type == "image/svg+xml":
        raise Http404
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation:  # a path that leaves MEDIA_ROOT
        raise Http404 from None
    response["Cache-Control"] = "public, max-age=3600"
    return response


def media_urlpatterns():
    prefix = settings.MEDIA_URL.lstrip("/")
    return [re_path(rf"^{prefix}(?P<path>.+)$", media, name="media")]
