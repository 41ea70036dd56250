"""Deliveries to a real receiver: signature, retries with backoff, and no delivery on rollback."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from orgs import events
from scoring import services as scoring_services
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus
from webhooks.signing import signature_verify
from webhooks.tasks import webhook_redeliver_due
from workflows import services as claim_services

from .. import factories as f


def approve(demand, operator, reviewer, capture):
    claim = f.claim(demand, operator)
    with capture(execute=True):
        return claim_services.claim_approve(claim=claim, actor=reviewer)


def test_an_approval_is_posted_signed_to_the_receiver(
    demand, operator, reviewer, endpoint, receiver, django_capture_on_commit_callbacks
):
    claim = approve(demand, operator, reviewer, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    headers = {k.lower(): v for k, v in sent.headers.items()}
    assert headers["content-type"] == "application/json"
    assert headers["x-webhook-event"] == "claim.approved"
    assert headers["user-agent"].startswith("izhiyuan-webhooks")
    timestamp = int(headers["x-webhook-timestamp"])
    assert headers["x-signature"].startswith(f"t={timestamp},v1=")
    assert signature_verify(secret=endpoint.secret, header=headers["x-signature"], body=sent.body)
    assert not signature_verify(secret="wrong", header=headers["x-signature"], body=sent.body)
    assert not signature_verify(
        secret=endpoint.secret, header=headers["x-signature"], body=sent.body + b" "
    )

    payload = json.loads(sent.body)
    delivery = Delivery.objects.get()
    assert payload["id"] == str(delivery.event_id) == headers["x-webhook-id"]
    assert payload["type"] == "claim.approved"
    data = payload["data"]["claim"]
    assert data["id"] == claim.pk
    assert data["status"] == "approved"
    assert data["demand"] == {"id": demand.pk, "title": demand.title}
    assert data["decided_at"]
    assert "activity_due_at" in data and data["lapsed_at"] is None  # set by the deadlines
    assert "13800138000" not in sent.body.decode() and "contact" not in sent.body.decode()

    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1 and delivery.last_status_code == 200
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None


def test_a_stale_or_forged_signature_does_not_verify(endpoint):
    from webhooks.signing import signature_header

    body = b'{"a":1}'
    header = signature_header(secret=endpoint.secret, timestamp=1_000_000, body=body)
    assert signature_verify(secret=endpoint.secret, header=header, body=body, now=1_000_100)
    assert not signature_verify(secret=endpoint.secret, header=header, body=body, now=1_000_301)
    assert not signature_verify(secret=endpoint.secret, header="v1=abc", body=body)
    assert not signature_verify(secret=endpoint.secret, header="garbage", body=body)


def test_a_500_is_retried_after_the_backoff(
    demand, operator, reviewer, endpoint, receiver, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    receiver.statuses = [500, 200]
    approve(demand, operator, reviewer, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.attempts == 1 and delivery.last_status_code == 500
    assert "500" in delivery.last_error
    due = delivery.next_attempt_at
    assert due - timezone.now() > datetime.timedelta(seconds=55)
    assert len(receiver.requests) == 1

    assert services.webhook_redeliver_due() == []  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    with time_machine.travel(due + datetime.timedelta(seconds=1), tick=False):
        assert webhook_redeliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 2 and delivery.last_status_code == 200
    assert delivery.last_error == ""
    first, second = receiver.requests
    assert first.body == second.body  # the same event, signed anew
    assert first.headers["X-Webhook-Id"] == second.headers["X-Webhook-Id"]


def test_the_backoff_doubles_until_the_delivery_failed(
    demand, operator, reviewer, endpoint, receiver, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    receiver.statuses = [503]
    approve(demand, operator, reviewer, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    waits = []
    attempted_at = timezone.now()
    while delivery.status == DeliveryStatus.RETRYING:
        waits.append(round((delivery.next_attempt_at - attempted_at).total_seconds()))
        attempted_at = delivery.next_attempt_at
        with time_machine.travel(attempted_at, tick=False):
            call_command("webhooks_redeliver", stdout=io.StringIO())
        delivery.refresh_from_db()
    assert waits == [10, 20, 40]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 4 and delivery.next_attempt_at is None
    assert len(receiver.requests) == 4


def test_a_redirect_is_not_followed(
    demand, operator, reviewer, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [302, 200]
    receiver.redirect_to = receiver.url + "/moved"
    approve(demand, operator, reviewer, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code == 302
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_an_unreachable_receiver_is_a_failed_attempt(
    demand, operator, reviewer, vorg, django_capture_on_commit_callbacks
):
    services.endpoint_create(org=vorg, actor=operator, url="http://127.0.0.1:9/closed")
    approve(demand, operator, reviewer, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code is None and delivery.last_error


def test_no_delivery_for_a_rolled_back_transition(
    demand, operator, reviewer, endpoint, receiver, django_capture_on_commit_callbacks
):
    claim = f.claim(demand, operator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            claim_services.claim_approve(claim=claim, actor=reviewer)
            assert Delivery.objects.count() == 1  # written in the transaction …
            raise RuntimeError("something after the approval failed")
    assert Delivery.objects.count() == 0  # … and gone with it
    assert callbacks == []
    assert receiver.requests == []


def test_only_subscribed_active_endpoints_of_the_claimer_get_it(
    demand, operator, reviewer, vorg, vorg2, operator2, receiver, django_capture_on_commit_callbacks
):
    wanted = services.endpoint_create(org=vorg, actor=operator, url=receiver.url)
    services.endpoint_create(
        org=vorg, actor=operator, url=receiver.url + "/rejections", events=["claim.rejected"]
    )
    services.endpoint_create(org=vorg, actor=operator, url=receiver.url, is_active=False)
    other = services.endpoint_create(org=vorg2, actor=operator2, url=receiver.url + "/other")
    competing = f.claim(demand, operator2)
    approve(demand, operator, reviewer, django_capture_on_commit_callbacks)
    # vorg: its approval on `wanted`; vorg2: its system rejection on `other`.
    by_endpoint = {d.endpoint_id: d.kind for d in Delivery.objects.all()}
    assert by_endpoint == {wanted.pk: "claim.approved", other.pk: "claim.rejected"}
    rejected = json.loads(next(r.body for r in receiver.requests if r.path == "/hook/other"))
    assert rejected["data"]["claim"]["id"] == competing.pk
    assert rejected["data"]["claim"]["reason"]


def test_a_rejection_and_a_cancellation_are_delivered(
    demand, operator, reviewer, endpoint, receiver, django_capture_on_commit_callbacks
):
    claim = f.claim(demand, operator)
    with django_capture_on_commit_callbacks(execute=True):
        claim_services.claim_reject(claim=claim, actor=reviewer, reason="人数不够")
    body = json.loads(receiver.requests[-1].body)
    assert body["type"] == "claim.rejected"
    assert body["data"]["claim"]["reason"] == "人数不够"


def test_rating_and_points_are_delivered_blind_until_both_rated(
    demand, operator, reviewer, endpoint, receiver, django_capture_on_commit_callbacks
):
    claim = f.claim(demand, operator)
    claim = claim_services.claim_approve(claim=claim, actor=reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scoring_services.rating_submit(claim=claim, actor=reviewer, stars=5, comment="很好")
    (first,) = receiver.requests
    rating = json.loads(first.body)
    assert rating["type"] == "rating.received"
    assert rating["data"]["rating"] == {
        "id": rating["data"]["rating"]["id"],
        "side": "league",
        "stars": None,
        "comment": None,
        "visible": False,
    }
    # The org rates the league org: not an event for the org's webhooks, but points are. The
    # rater's request speaks English; the payload speaks the platform's language.
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        scoring_services.rating_submit(claim=claim, actor=operator, stars=4)
    kinds = [json.loads(r.body)["type"] for r in receiver.requests]
    assert kinds == ["rating.received", "points.paid"]
    points = json.loads(receiver.requests[-1].body)["data"]["points"]
    assert points["points"] == 10 and "获得5星评价" in points["reason_text"]


def test_the_listener_ignores_other_kinds(endpoint):
    event = events.Event(kind=events.CLAIM_RECEIVED, objects={})
    assert services.webhook_event_received(event) == []


def test_an_attempt_taken_by_another_worker_is_not_sent_twice(endpoint, receiver):
    delivery = services.webhook_test_send.__wrapped__(endpoint=endpoint, actor=None)
    Delivery.objects.filter(pk=delivery.pk).update(
        locked_until=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert services.delivery_attempt(delivery) is None
    assert services.webhook_redeliver_due() == []
    assert receiver.requests == []
    # A worker that died while sending: after its lease the sweep sends it.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=False):
        assert len(services.webhook_redeliver_due()) == 1
    assert len(receiver.requests) == 1


def test_an_inactive_endpoints_queued_delivery_fails_without_a_request(
    demand, operator, reviewer, endpoint, receiver
):
    claim = f.claim(demand, operator)
    claim_services.claim_approve(claim=claim, actor=reviewer)  # callbacks not run: still queued
    endpoint.is_active = False
    endpoint.save()
    (delivery,) = services.webhook_redeliver_due()
    assert delivery.status == DeliveryStatus.FAILED and receiver.requests == []


def test_the_test_event_and_the_redelivery(endpoint, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.webhook_test_send(endpoint=endpoint, actor=None)
    delivery.refresh_from_db()
    assert delivery.kind == "ping" and delivery.status == DeliveryStatus.SUCCEEDED
    assert json.loads(receiver.requests[0].body)["type"] == "ping"
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(delivery=delivery, actor=None)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    assert len(receiver.requests) == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_a_delivery_once(receiver, monkeypatch):
    from ..threads import run_together

    vorg = f.VolunteerOrgFactory()
    operator = f.operator_of(vorg, username="operator")
    endpoint = services.endpoint_create(org=vorg, actor=operator, url=receiver.url)
    monkeypatch.setattr(services, "_queue", lambda delivery: None)  # the workers send it
    delivery = services.webhook_test_send(endpoint=endpoint, actor=operator)
    results = run_together(
        [lambda: services.delivery_attempt(Delivery(pk=delivery.pk)) for _ in range(4)]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len([r for r in results if r is not None]) == 1
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1


def test_a_delivery_whose_endpoint_was_deleted_is_skipped(endpoint, receiver):
    delivery = services.webhook_test_send.__wrapped__(endpoint=endpoint, actor=None)
    endpoint.delete()
    assert services.delivery_attempt(delivery) is None
    assert receiver.requests == []


def test_a_cancellation_and_a_lapse_are_delivered(
    demand, operator, reviewer, province, endpoint, receiver, django_capture_on_commit_callbacks
):
    from orgs.choices import Role
    from orgs.models import Membership

    admin = f.UserFactory(username="admin")
    Membership.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, league_org=province)
    claim = f.claim(demand, operator)
    with django_capture_on_commit_callbacks(execute=True):
        claim_services.claim_process_cancel(claim=claim, actor=admin, reason="重复认领")
    cancelled = json.loads(receiver.requests[-1].body)
    assert cancelled["type"] == "claim.cancelled"
    assert cancelled["data"]["claim"]["reason"] == "重复认领"

    # claim.lapsed is emitted by the deadlines' service; the listener needs only the claim.
    other = f.claim(f.open_demand(reviewer), operator)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.emit(events.CLAIM_LAPSED, claim=other)
    lapsed = json.loads(receiver.requests[-1].body)
    assert lapsed["type"] == "claim.lapsed" and lapsed["data"]["claim"]["id"] == other.pk
