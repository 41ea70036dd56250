"""The Celery side: inline the task tries once; with a broker it retries after the backoff;
a committed approval through the API reaches the receiver; the sweep is scheduled."""

import datetime

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from webhooks import services, tasks
from webhooks.models import Delivery, DeliveryStatus

from .. import factories as f


def test_inline_the_task_tries_once_and_leaves_the_retry_to_the_sweep(endpoint, receiver):
    receiver.statuses = [500]
    delivery = services.webhook_test_send.__wrapped__(endpoint=endpoint, actor=None)
    tasks.webhook_deliver.delay(delivery.pk)  # eager: no broker in the tests
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert len(receiver.requests) == 1


def test_with_a_broker_the_task_retries_itself_when_the_backoff_is_over(
    endpoint, receiver, monkeypatch
):
    receiver.statuses = [500]
    delivery = services.webhook_test_send.__wrapped__(endpoint=endpoint, actor=None)
    retried = {}

    def retry(countdown=None, **kwargs):
        retried["countdown"] = countdown
        return Retry()

    monkeypatch.setattr(tasks.webhook_deliver, "retry", retry)
    tasks.webhook_deliver.push_request(is_eager=False)
    try:
        with pytest.raises(Retry):
            tasks.webhook_deliver.run(delivery.pk)
    finally:
        tasks.webhook_deliver.pop_request()
    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert retried["countdown"] == pytest.approx(wait, abs=2)
    assert 55 < retried["countdown"] <= 60


def test_a_task_for_a_delivery_not_due_or_gone_does_nothing(endpoint, receiver):
    delivery = services.webhook_test_send.__wrapped__(endpoint=endpoint, actor=None)
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    tasks.webhook_deliver.delay(delivery.pk)
    tasks.webhook_deliver.delay(delivery.pk + 1000)
    assert receiver.requests == []


def test_the_sweep_runs_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["webhook-redeliver-due"]
    assert entry["task"] == "webhooks.tasks.webhook_redeliver_due"
    assert entry["schedule"].minute == set(range(60))


@pytest.mark.django_db(transaction=True)
def test_a_committed_approval_through_the_api_reaches_the_receiver(receiver):
    league = f.LeagueOrgFactory(city=f.city("深圳市"))
    reviewer = f.reviewer_of(league, username="reviewer")
    vorg = f.VolunteerOrgFactory()
    operator = f.operator_of(vorg, username="operator")
    endpoint = services.endpoint_create(org=vorg, actor=operator, url=receiver.url)
    claim = f.claim(f.open_demand(reviewer), operator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reviewer).key}")
    response = client.post(f"/api/v1/claims/{claim.pk}/approve/")
    assert response.status_code == 200, response.content
    # Committed, then sent inline before the answer: the delivery is logged as succeeded.
    (sent,) = receiver.requests
    assert sent.headers["X-Webhook-Event"] == "claim.approved"
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
