"""Webhook endpoints (create, change, delete, rotate the secret) and the deliveries to them.

An event that concerns a volunteer org (orgs/events.py) becomes, inside the transaction that
emitted it, one Delivery row per active endpoint of that org subscribed to its kind; the row
commits or rolls back with the change. After the commit the Celery task `webhook_deliver` makes
the first attempt (`delivery_attempt`). A failed attempt sets the next one after an
exponential backoff: with a broker the task retries itself then; without one (tasks inline)
nothing waits inside the web request and the periodic `webhook_redeliver_due` (and
`manage.py webhooks_redeliver`) sends the due ones. A sender takes a row with a
compare-and-set on `locked_until`, so two workers never send one delivery at once.
"""

import datetime
import json
import logging
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orgs import events
from orgs.audit import audit
from orgs.errors import InvalidInput, StateConflict
from orgs.models import User, VolunteerOrg
from orgs.validation import clean_text

from .guard import UnsafeURL, url_check
from .models import EVENT_KINDS, PING, Delivery, DeliveryStatus, Endpoint, new_secret
from .signing import signature_header

logger = logging.getLogger(__name__)

USER_AGENT = "izhiyuan-webhooks/1.0"
ERROR_MAX = 500
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
SWEEP_BATCH = 100


def max_endpoints() -> int:
    return settings.WEBHOOK_MAX_ENDPOINTS_PER_ORG


# -- endpoints -----------------------------------------------------------------------------------


def _clean(*, url=None, events_=None, description=None) -> dict:
    """The fields given, checked; InvalidInput names each bad one."""
    data, errors = {}, {}
    if url is not None:
        try:
            url_check(url)
            data["url"] = url
        except UnsafeURL as exc:
            errors["url"] = str(exc)
    if events_ is not None:
        unknown = [kind for kind in events_ if kind not in EVENT_KINDS]
        if unknown or not events_:
            errors["events"] = _("请从以下事件中选择：%(kinds)s") % {
                "kinds": ", ".join(EVENT_KINDS)
            }
        else:
            data["events"] = [kind for kind in EVENT_KINDS if kind in events_]  # ordered, once
    if description is not None:
        try:
            data["description"] = clean_text(description, field="description", max_length=200)
        except InvalidInput as exc:
            errors |= exc.fields
    if errors:
        raise InvalidInput(_("Webhook 设置有误"), fields=errors)
    return data


@transaction.atomic
def endpoint_create(
    *,
    org: VolunteerOrg,
    actor: User,
    url: str,
    events: list[str] | None = None,
    description: str = "",
    is_active: bool = True,
) -> Endpoint:
    """A new endpoint of `org` with a fresh secret; at most WEBHOOK_MAX_ENDPOINTS_PER_ORG."""
    data = _clean(url=url, events_=events, description=description)
    # Locking the org makes two concurrent creations count one after the other.
    VolunteerOrg.objects.select_for_update().filter(pk=org.pk).first()
    if Endpoint.objects.filter(volunteer_org=org).count() >= max_endpoints():
        message = _("每个组织最多设置%(n)d个接收地址") % {"n": max_endpoints()}
        raise InvalidInput(message, code="too_many_endpoints", fields={"url": message})
    endpoint = Endpoint.objects.create(
        volunteer_org=org, created_by=actor, is_active=is_active, **data
    )
    _audit(endpoint, "webhook_create", actor, from_state="")
    return endpoint


def _state(endpoint: Endpoint) -> str:
    return "active" if endpoint.is_active else "inactive"


def _audit(endpoint: Endpoint, action: str, actor, *, from_state: str, reason: str = "") -> None:
    """Who registered, changed, re-keyed or deleted an endpoint, and where it pointed."""
    audit(
        endpoint,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=_state(endpoint),
        reason=reason or endpoint.url,
    )


@transaction.atomic
def endpoint_update(*, endpoint: Endpoint, actor: User, data: dict) -> Endpoint:
    """Change the url, events, description or is_active (the url is checked again)."""
    changes = _clean(
        url=data.get("url"), events_=data.get("events"), description=data.get("description")
    )
    if "is_active" in data:
        changes["is_active"] = bool(data["is_active"])
    before = _state(endpoint)
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=[*changes, "updated_at"])
    fields = ",".join(sorted(changes))
    _audit(endpoint, "webhook_update", actor, from_state=before, reason=f"{fields} {endpoint.url}")
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor: User) -> None:
    """Delete the endpoint and its delivery log; what is still queued is not sent."""
    _audit(endpoint, "webhook_delete", actor, from_state=_state(endpoint))
    endpoint.delete()


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: Endpoint, actor: User) -> Endpoint:
    """A new secret at once: deliveries from now on are signed with it."""
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    _audit(endpoint, "webhook_rotate_secret", actor, from_state=_state(endpoint))
    return endpoint


# -- deliveries ------------------------------------------------------------------------------------


def _queue(delivery: Delivery) -> None:
    """Send after the commit; a failure to queue (a broker down) leaves it to the sweep."""
    from .tasks import webhook_deliver

    def send():
        try:
            webhook_deliver.delay(delivery.pk)
        except Exception:  # the row is due: the periodic sweep sends it
            logger.exception("webhook delivery %s not queued", delivery.pk)

    transaction.on_commit(send, robust=True)


def _delivery_create(endpoint: Endpoint, kind: str, data: dict) -> Delivery:
    now = timezone.now()
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), "type": kind, "created_at": now.isoformat(), "data": data}
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event_id=event_id,
        kind=kind,
        payload=payload,
        next_attempt_at=now,
    )
    _queue(delivery)
    return delivery


def _iso(value):
    return value.isoformat() if value else None


def _claim_data(claim) -> dict:
    """A claim as a webhook tells it: its state and its demand's title, never a contact."""
    return {
        "id": claim.pk,
        "status": claim.status,
        "reason": claim.reason,
        "demand": {"id": claim.demand_id, "title": claim.demand.title},
        "decided_at": _iso(claim.decided_at),
        "activity_due_at": _iso(claim.activity_due_at),
        "lapsed_at": _iso(claim.lapsed_at),
    }


def _subject(event: events.Event) -> tuple[int | None, callable]:
    """The volunteer org an event concerns (None: none) and how to build its data."""
    if event.kind == events.RATING_RECEIVED:
        from scoring.models import Side

        rating, claim = event.rating, event.claim
        if rating.side != Side.LEAGUE:  # the league org was rated: not a volunteer org's event
            return None, None

        def rating_data():
            # Blind rating (docs/decisions.md): the stars and comment are told once the org has
            # rated too, as the API shows them; before that only that a rating came.
            visible = claim.ratings.count() >= 2
            return {
                "claim": _claim_data(claim),
                "rating": {
                    "id": rating.pk,
                    "side": rating.side,
                    "stars": rating.stars if visible else None,
                    "comment": rating.comment if visible else None,
                    "visible": visible,
                },
            }

        return claim.org_id, rating_data
    if event.kind == events.POINTS_PAID:
        entry, claim = event.entry, event.claim
        if entry.volunteer_org_id is None:
            return None, None
        return entry.volunteer_org_id, lambda: {
            "claim": _claim_data(claim),
            "points": {
                "id": entry.pk,
                "points": entry.points,
                "reason_text": entry.reason_text,
            },
        }
    claim = event.claim
    return claim.org_id, lambda: {"claim": _claim_data(claim)}


def webhook_event_received(event: events.Event) -> list[Delivery]:
    """The listener (WebhooksConfig.ready): a delivery per endpoint subscribed to the event."""
    if event.kind not in EVENT_KINDS:
        return []
    org_id, build = _subject(event)
    if org_id is None:
        return []
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(volunteer_org_id=org_id, is_active=True)
        if event.kind in endpoint.events
    ]
    if not endpoints:
        return []
    # In the platform's language, whichever language the request that caused it spoke.
    with translation.override(settings.LANGUAGE_CODE):
        data = build()
    return [_delivery_create(endpoint, event.kind, data) for endpoint in endpoints]


@transaction.atomic
def webhook_test_send(*, endpoint: Endpoint, actor: User) -> Delivery:
    """Queue a `ping` event for the endpoint, logged like any delivery (even if inactive)."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _("这是一条测试事件")
    data = {"endpoint": {"id": endpoint.pk, "url": endpoint.url}, "message": message}
    return _delivery_create(endpoint, PING, data)


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery, actor: User) -> Delivery:
    """Send a finished delivery (succeeded or failed) again: the same event id, fresh attempts."""
    taken = Delivery.objects.filter(
        pk=delivery.pk, status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]
    ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
    if not taken:
        raise StateConflict(_("该投递仍在发送中，不能重新发送"), code="delivery_in_progress")
    delivery.refresh_from_db()
    _queue(delivery)
    return delivery


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other (a failure): following it would skip the guard."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxy from the environment: the guard checked where the request goes, not a proxy.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _post(delivery: Delivery) -> tuple[int | None, str]:
    """POST the delivery's payload; (status code or None, error text or "")."""
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(timezone.now().timestamp())
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Webhook-Id": str(delivery.event_id),
            "X-Webhook-Event": delivery.kind,
            "X-Webhook-Timestamp": str(timestamp),
            "X-Signature": signature_header(secret=endpoint.secret, timestamp=timestamp, body=body),
        },
    )
    try:
        url_check(endpoint.url)
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(1024)
            return response.status, ""
    except UnsafeURL as exc:
        return None, str(exc)
    except urllib.error.HTTPError as exc:  # an answer that is not 2xx (3xx included)
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"


def delivery_attempt(delivery: Delivery) -> Delivery | None:
    """One attempt to send the delivery, if it is due and nobody is sending it; None if not.

    Call it outside a transaction: the row is taken (compare-and-set) and its outcome saved
    each in its own statement, and no transaction stays open during the request. Its errors
    are logged in the platform's language, whoever's request it runs after.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _attempt(delivery)


def _attempt(delivery: Delivery) -> Delivery | None:
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 30)
    taken = (
        Delivery.objects.filter(pk=delivery.pk, status__in=OPEN_STATUSES)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=lease)
    )
    if not taken:
        return None
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery.pk).first()
    if delivery is None:  # its endpoint was deleted meanwhile
        return None
    if not delivery.endpoint.is_active and delivery.kind != PING:
        code, error = None, _("接收地址已停用")
        attempts_left = False
    else:
        code, error = _post(delivery)
        attempts_left = True
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = code
    delivery.locked_until = None
    if code is not None and 200 <= code < 300:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.last_error = ""
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    else:
        delivery.last_error = (error or _("发送失败"))[:ERROR_MAX]
        if attempts_left and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.RETRYING
            delivery.next_attempt_at = now + _backoff(delivery.attempts)
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
    fields = (
        "attempts",
        "last_status_code",
        "last_error",
        "status",
        "delivered_at",
        "next_attempt_at",
        "locked_until",
    )
    # An update, not save(): the endpoint (and so this row) may have been deleted meanwhile.
    Delivery.objects.filter(pk=delivery.pk).update(**{f: getattr(delivery, f) for f in fields})
    logger.info(
        "webhook %s %s to endpoint %s: %s (attempt %d)",
        delivery.kind,
        delivery.event_id,
        delivery.endpoint_id,
        delivery.status,
        delivery.attempts,
    )
    return delivery


def delivery_due_list(*, now=None, limit: int = SWEEP_BATCH) -> list[int]:
    """Ids of the deliveries whose next attempt is due and that nobody is sending."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def webhook_redeliver_due(*, limit: int = SWEEP_BATCH) -> list[Delivery]:
    """Attempt every due delivery (up to `limit`), one after the other; those attempted."""
    attempted = []
    for pk in delivery_due_list(limit=limit):
        try:
            delivery = delivery_attempt(Delivery(pk=pk))
        except Exception:  # one broken row does not stop the others; its lease runs out
            logger.exception("webhook delivery %s: attempt failed", pk)
            continue
        if delivery is not None:
            attempted.append(delivery)
    return attempted
