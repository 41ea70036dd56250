"""Idempotency-Key on POST: a retry with the same key and body replays the first response.

The same key with another body is a 422. Responses of 5xx are not kept, so a retry runs again.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from .exception_handlers import error_body
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


class _Replay(Exception):
    def __init__(self, response):
        self.response = response


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


class IdempotentMixin:
    """For API views whose POSTs may be retried by clients on a flaky network."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency = None
        key = request.headers.get(HEADER)
        if request.method != "POST" or not key:
            return
        user = request.user if request.user.is_authenticated else None
        fingerprint = _fingerprint(request)
        record = IdempotencyRecord.objects.filter(user=user, key=key[:200]).first()
        if record is None:
            self._idempotency = (user, key[:200], fingerprint)
            return
        if record.fingerprint != fingerprint:
            raise _Replay(
                Response(
                    error_body("idempotency_key_reused", _("该 Idempotency-Key 已用于另一个请求")),
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            )
        replay = Response(record.body, status=record.status)
        replay["Idempotent-Replayed"] = "true"
        raise _Replay(replay)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        pending = getattr(self, "_idempotency", None)
        if pending and response.status_code < 500:
            user, key, fingerprint = pending
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        user=user,
                        key=key,
                        fingerprint=fingerprint,
                        status=response.status_code,
                        body=response.data,
                    )
            except IntegrityError:
                pass  # a concurrent retry stored its (equal) response first
        return response
