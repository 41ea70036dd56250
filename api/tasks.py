"""Celery tasks of the API, queued by celery beat (CELERY_BEAT_SCHEDULE); each calls a function."""

from celery import shared_task

from . import idempotency


@shared_task
def idempotency_record_prune() -> int:
    """Delete the Idempotency-Key records older than IDEMPOTENCY_TTL, with the answers they keep."""
    return idempotency.idempotency_record_prune()
