"""Celery tasks of webhooks: one delivery's attempt, and the periodic sweep of due retries."""

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Delivery, DeliveryStatus


@shared_task(bind=True, max_retries=None)
def webhook_deliver(self, delivery_id: int) -> None:
    """Attempt a delivery; with a broker, retry it when its backoff is over.

    Inline (no broker) it tries once and never waits: the web request that queued it is still
    running. The retries are then `webhook_redeliver_due`'s, every minute.
    """
    delivery = services.delivery_attempt(Delivery(pk=delivery_id))
    if delivery is None or delivery.status != DeliveryStatus.RETRYING or self.request.is_eager:
        return
    countdown = max(0, (delivery.next_attempt_at - timezone.now()).total_seconds())
    raise self.retry(countdown=countdown)


@shared_task
def webhook_redeliver_due() -> int:
    """Send the deliveries whose retry is due (as `manage.py webhooks_redeliver`)."""
    return len(services.webhook_redeliver_due())
