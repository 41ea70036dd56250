"""Idempotency-Key on POST: one run per user and key; a retry gets its answer, or 409 meanwhile.

As the IETF draft "The Idempotency-Key HTTP Header Field" has it:

- The key is recorded (in flight) in its own short transaction *before* the request runs. The
  unique row per user and key is the lock: a concurrent duplicate cannot insert it, and gets a
  409 `idempotency_in_flight` while the first runs, and the first's answer once it is done
  (`Idempotent-Replayed: true`). The same key with another method, path or body is a 422.
- An answer of 5xx or 429, or an exception, releases the key: the request failed or did not
  run, so a retry runs again. A key in flight for longer than IDEMPOTENCY_IN_FLIGHT_TIMEOUT was
  left by a killed worker and the next request with it takes it over; a key older than
  IDEMPOTENCY_TTL (24 h) counts as never used, and `idempotency_record_prune` deletes it.
- Only logged-in callers may send a key: an anonymous key would be shared by every client.
- Of an answer, its status and body are kept, but not what must not be: a success body is kept
  with every mobile masked as others see it (188****0174) and any student record left out
  (`student: null`); a replay answers that. Error bodies (code, message, field messages) are
  kept as they are.
"""

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from orgs.privacy import mask_mobile

from .exception_handlers import error_body
from .models import IdempotencyRecord, IdempotencyState

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = IdempotencyRecord._meta.get_field("key").max_length
# Names under which a body carries a mobile, and a minor's record (InitialDemandDetailSerializer).
MOBILE_FIELDS = frozenset({"contact_mobile", "contact_phone", "mobile", "phone"})
STUDENT_FIELDS = frozenset({"student"})
# Answers that say the request failed or did not run: not kept, so that a retry runs.
RETRYABLE = frozenset({status.HTTP_429_TOO_MANY_REQUESTS})


class _Answered(Exception):
    """The answer to a duplicate (a replay, a 409 or a 422), given instead of running it."""

    def __init__(self, response):
        self.response = response


@dataclass(frozen=True)
class _Held:
    """The record this request holds: its row, as long as no one took it over since."""

    pk: int
    taken_at: datetime.datetime

    def rows(self):
        return IdempotencyRecord.objects.filter(
            pk=self.pk, created_at=self.taken_at, state=IdempotencyState.IN_FLIGHT
        )


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _redact(data):
    """A success body as it may be kept: mobiles masked, student records left out."""
    if isinstance(data, dict):
        out = {}
        for name, value in data.items():
            if name in STUDENT_FIELDS:
                out[name] = None
            elif name in MOBILE_FIELDS and isinstance(value, str) and value:
                out[name] = mask_mobile(value)
            else:
                out[name] = _redact(value)
        return out
    if isinstance(data, list):
        return [_redact(item) for item in data]
    return data


def _is_free(record: IdempotencyRecord, now) -> bool:
    """Expired, or left in flight by a worker that was killed: as if the key were new."""
    age = now - record.created_at
    if age >= settings.IDEMPOTENCY_TTL:
        return True
    return (
        record.state == IdempotencyState.IN_FLIGHT and age >= settings.IDEMPOTENCY_IN_FLIGHT_TIMEOUT
    )


def _take(*, user, key: str, fingerprint: str) -> _Held:
    """Record the key for this request before it runs; raise _Answered for a duplicate."""
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():  # committed before the request runs: others see it
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint, created_at=now
                )
            return _Held(record.pk, now)
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            continue  # released by a failed first request (or pruned) meanwhile: take it
        if _is_free(record, now):
            # Only one of several requests that found it free takes it over.
            taken = IdempotencyRecord.objects.filter(
                pk=record.pk, created_at=record.created_at, state=record.state
            ).update(
                fingerprint=fingerprint,
                state=IdempotencyState.IN_FLIGHT,
                status=None,
                body=None,
                created_at=now,
            )
            if taken:
                return _Held(record.pk, now)
            continue
        if record.fingerprint != fingerprint:
            raise _Answered(
                Response(
                    error_body("idempotency_key_reused", _("该 Idempotency-Key 已用于另一个请求")),
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            )
        if record.state == IdempotencyState.DONE:
            replay = Response(record.body, status=record.status)
            replay["Idempotent-Replayed"] = "true"
            raise _Answered(replay)
        break
    raise _Answered(
        Response(
            error_body(
                "idempotency_in_flight",
                _("使用该 Idempotency-Key 的请求正在处理，请稍后重试"),
            ),
            status=status.HTTP_409_CONFLICT,
        )
    )


def _complete(held: _Held, response) -> None:
    """Keep the answer for the retries to come."""
    code = response.status_code
    body = _redact(response.data) if code < 400 else response.data
    try:
        held.rows().update(state=IdempotencyState.DONE, status=code, body=body)
    except DatabaseError:
        # The answer stands; a retry gets 409 until the key counts as abandoned.
        logger.exception("idempotency record %s: the answer could not be kept", held.pk)


def _release(held: _Held) -> None:
    """Free the key of a request that failed, so that a retry runs."""
    try:
        held.rows().delete()
    except DatabaseError:
        logger.exception("idempotency record %s could not be released", held.pk)


def idempotency_record_prune() -> int:
    """Delete the records older than IDEMPOTENCY_TTL (whose keys count as new); how many."""
    cutoff = timezone.now() - settings.IDEMPOTENCY_TTL
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class IdempotentMixin:
    """For API views whose POSTs may be retried by clients on a flaky network."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated and permitted first
        self._idempotency = None
        key = request.headers.get(HEADER)
        if request.method != "POST" or not key:
            return
        if not request.user.is_authenticated:
            raise ValidationError({HEADER: _("未登录时不能使用 Idempotency-Key")})
        if len(key) > KEY_MAX_LENGTH:
            raise ValidationError(
                {HEADER: _("Idempotency-Key 不能超过%(n)d个字符") % {"n": KEY_MAX_LENGTH}}
            )
        self._idempotency = _take(user=request.user, key=key, fingerprint=_fingerprint(request))

    def handle_exception(self, exc):
        if isinstance(exc, _Answered):
            return exc.response
        try:
            return super().handle_exception(exc)
        except BaseException:
            # Not answered by the exception handler: a 500, and finalize_response never runs.
            held, self._idempotency = getattr(self, "_idempotency", None), None
            if held is not None:
                _release(held)
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        held, self._idempotency = getattr(self, "_idempotency", None), None
        if held is not None:
            if response.status_code >= 500 or response.status_code in RETRYABLE:
                _release(held)
            else:
                _complete(held, response)
        return response
