"""/api/v1/me/webhooks/: my org's endpoints, their secret, the test event and the log."""

import json

import pytest

from webhooks import services
from webhooks.models import Delivery, Endpoint
from webhooks.signing import signature_verify

from .. import factories as f

URL = "/api/v1/me/webhooks/"


@pytest.fixture
def me(api, operator):
    return api.as_user(operator)


def test_register_list_change_and_delete(me, receiver):
    created = me.post(URL, {"url": receiver.url, "description": "调度系统"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    endpoint = Endpoint.objects.get()
    assert body["secret"] == endpoint.secret and len(endpoint.secret) >= 40
    assert body["events"] == [
        "claim.approved",
        "claim.rejected",
        "claim.lapsed",
        "claim.cancelled",
        "rating.received",
        "points.paid",
    ]
    assert endpoint.created_by.username == "operator"

    listed = me.get(URL).json()
    assert [e["id"] for e in listed] == [endpoint.pk]
    assert listed[0]["secret"] == "********" + endpoint.secret[-4:]
    assert endpoint.secret not in json.dumps(listed)
    detail = me.get(f"{URL}{endpoint.pk}/").json()
    assert detail["secret"] == listed[0]["secret"]

    changed = me.patch(
        f"{URL}{endpoint.pk}/", {"events": ["points.paid"], "is_active": False}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["events"] == ["points.paid"] and not changed.json()["is_active"]
    assert me.delete(f"{URL}{endpoint.pk}/").status_code == 204
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://example.org/x", "events": []}, "events"),
        ({"url": "https://example.org/x", "events": ["claim.received"]}, "events"),
        ({"url": "https://example.org/x", "events": "claim.approved"}, "events"),
        ({"url": "https://example.org/x", "description": "x" * 201}, "description"),
        ({"url": "https://example.org/x", "description": "a\u202eb"}, "description"),
        ({"url": "https://example.org/x", "is_active": "maybe"}, "is_active"),
        ({"url": "https://" + "a" * 500 + ".org/"}, "url"),
    ],
)
def test_bad_input_is_a_400_on_its_field(me, body, field):
    response = me.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert any(name.split(".")[0] == field for name in response.json()["fields"])


def test_a_private_address_is_refused_unless_allowed(me, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.WEBHOOKS_ALLOW_HTTP = False
    for url in ("https://127.0.0.1/x", "https://10.0.0.1/x", "https://localhost/x"):
        response = me.post(URL, {"url": url}, format="json")
        assert response.status_code == 400, url
        assert response.json()["fields"]["url"]
    response = me.post(URL, {"url": "http://93.184.215.14/x"}, format="json")
    assert response.status_code == 400 and "https" in response.json()["fields"]["url"]
    assert not Endpoint.objects.exists()


def test_a_changed_url_is_checked_again(me, vorg, operator, settings):
    endpoint = services.endpoint_create(org=vorg, actor=operator, url="https://93.184.215.14/x")
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = me.patch(f"{URL}{endpoint.pk}/", {"url": "https://192.168.0.1/"}, format="json")
    assert response.status_code == 400 and "url" in response.json()["fields"]


def test_at_most_five_endpoints_per_org(me, settings):
    for i in range(5):
        assert me.post(URL, {"url": f"https://93.184.215.14/{i}"}, format="json").status_code == 201
    response = me.post(URL, {"url": "https://93.184.215.14/6"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_endpoints"


def test_rotate_secret_shows_the_new_one_once_and_signs_with_it(
    me, vorg, operator, receiver, django_capture_on_commit_callbacks
):
    endpoint = services.endpoint_create(org=vorg, actor=operator, url=receiver.url)
    old = endpoint.secret
    response = me.post(f"{URL}{endpoint.pk}/rotate-secret/")
    assert response.status_code == 200
    new = response.json()["secret"]
    assert new != old and new == Endpoint.objects.get().secret
    with django_capture_on_commit_callbacks(execute=True):
        response = me.post(f"{URL}{endpoint.pk}/test/")
    assert response.status_code == 202, response.content
    sent = receiver.requests[-1]
    assert signature_verify(secret=new, header=sent.headers["X-Signature"], body=sent.body)
    assert not signature_verify(secret=old, header=sent.headers["X-Signature"], body=sent.body)


def test_the_test_event_and_the_delivery_log(
    me, vorg, operator, receiver, django_capture_on_commit_callbacks
):
    endpoint = services.endpoint_create(org=vorg, actor=operator, url=receiver.url)
    receiver.statuses = [500, 200]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = me.post(f"{URL}{endpoint.pk}/test/")
        assert response.status_code == 202
    first, second = Delivery.objects.order_by("pk")
    # The answer shows the delivery as the request left it: here the test's transaction holds
    # the attempt back until the request is over (in production it commits first, and the
    # inline attempt's outcome is in the answer).
    assert response.json()["id"] == second.pk and response.json()["kind"] == "ping"
    assert second.status == "succeeded"
    assert json.loads(receiver.requests[0].body)["type"] == "ping"

    log = me.get(f"{URL}{endpoint.pk}/deliveries/").json()
    assert log["count"] == 2
    assert [d["id"] for d in log["results"]] == [second.pk, first.pk]  # newest first
    failed = log["results"][1]
    assert failed["status"] == "retrying" and failed["attempts"] == 1
    assert failed["last_status_code"] == 500 and failed["next_attempt_at"]
    assert failed["payload"]["type"] == "ping"

    # A delivery still being retried is not redelivered by hand; a finished one is.
    redeliver = f"{URL}{endpoint.pk}/deliveries/{first.pk}/redeliver/"
    assert me.post(redeliver).status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        response = me.post(f"{URL}{endpoint.pk}/deliveries/{second.pk}/redeliver/")
    assert response.status_code == 202
    assert len(receiver.requests) == 3
    second.refresh_from_db()
    assert second.status == "succeeded" and second.attempts == 1


def test_another_orgs_endpoint_is_a_404(api, vorg2, operator2, operator, receiver):
    theirs = services.endpoint_create(org=vorg2, actor=operator2, url=receiver.url)
    delivery = services.webhook_test_send(endpoint=theirs, actor=operator2)
    me = api.as_user(operator)
    base = f"{URL}{theirs.pk}/"
    assert me.get(base).status_code == 404
    assert me.patch(base, {"description": "x"}, format="json").status_code == 404
    assert me.delete(base).status_code == 404
    assert me.post(base + "rotate-secret/").status_code == 404
    assert me.post(base + "test/").status_code == 404
    assert me.get(base + "deliveries/").status_code == 404
    assert me.post(f"{base}deliveries/{delivery.pk}/redeliver/").status_code == 404
    assert me.get(URL).json() == []
    assert Endpoint.objects.get().secret == theirs.secret
    # Another endpoint's delivery under my endpoint's path: a 404 too.
    mine = services.endpoint_create(org=operator.volunteer_org, actor=operator, url=receiver.url)
    assert me.post(f"{URL}{mine.pk}/deliveries/{delivery.pk}/redeliver/").status_code == 404


def test_only_volunteer_org_operators(api, reviewer, province):
    assert api.get(URL).status_code == 401
    assert api.post(URL, {"url": "https://93.184.215.14/"}, format="json").status_code == 401
    assert api.as_user(reviewer).get(URL).status_code == 403
    assert api.as_user(f.UserFactory()).post(URL, {}, format="json").status_code == 403


def test_every_change_of_an_endpoint_is_audited(me, operator):
    from orgs.models import AuditRecord

    created = me.post(URL, {"url": "https://93.184.215.14/a"}, format="json").json()
    path = f"{URL}{created['id']}/"
    me.patch(path, {"is_active": False, "url": "https://93.184.215.14/b"}, format="json")
    me.post(path + "rotate-secret/")
    me.delete(path)
    records = list(
        AuditRecord.objects.order_by("id").values_list(
            "action", "actor", "from_state", "to_state", "reason"
        )
    )
    assert records == [
        ("webhook_create", operator.pk, "", "active", "https://93.184.215.14/a"),
        (
            "webhook_update",
            operator.pk,
            "active",
            "inactive",
            "is_active,url https://93.184.215.14/b",
        ),
        ("webhook_rotate_secret", operator.pk, "inactive", "inactive", "https://93.184.215.14/b"),
        ("webhook_delete", operator.pk, "inactive", "inactive", "https://93.184.215.14/b"),
    ]
    assert created["secret"] not in str(records)
