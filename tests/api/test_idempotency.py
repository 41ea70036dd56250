"""Idempotency-Key: one run per user and key, 409 while it runs, replays after, 24 h and no PII."""

import datetime
import json
import threading
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError, connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException
from rest_framework.test import APIClient

from api import idempotency
from api.models import IdempotencyRecord
from demands import services as demand_services
from demands.models import Demand, InitialDemand, Report

from .. import factories as f
from ..threads import run_together as threads_run_together

DRAFT = {"zone": "general", "title": "社区助老"}
MOBILE, MASKED = "18826480174", "188****0174"


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def post(client, path, body=None, key=None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(path, body if body is not None else {}, format="json", headers=headers)


def at(moment):
    return time_machine.travel(moment, tick=False)


T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
STUDENT = {
    "name": "赵小二",
    "gender": "male",
    "grade": "primary_3",
    "school": "李村小学",
    "city": "深圳市",
    "address": "深圳市李村小学",
    "courses": [{"course": "english", "score": 44}, {"course": "math", "score": 76}],
    "interests": ["painting"],
}


# -- at the same instant: real threads, real connections --------------------------------------------


def run_together(calls):
    """The calls at one instant (tests.threads); each must answer, none raise."""
    results = threads_run_together(calls, timeout=60)
    assert not any(isinstance(r, Exception) for r in results), results
    return results


def body(response):
    return response.json() if response.content else None


def assert_one_ran(responses, status):
    """One response ran the request; every other is a 409 in flight or a replay of it."""
    ran = [r for r in responses if r.status_code == status and "Idempotent-Replayed" not in r]
    assert len(ran) == 1, [(r.status_code, r.content) for r in responses]
    for response in responses:
        if response is ran[0]:
            continue
        if response.status_code == 409:
            assert response.json()["code"] == "idempotency_in_flight", response.content
        else:
            assert response.status_code == status, response.content
            assert response["Idempotent-Replayed"] == "true"
            # The same answer; PostgreSQL's jsonb keeps the keys in its own order.
            assert body(response) == body(ran[0])
    return ran[0]


def threads() -> int:
    """PostgreSQL takes them all; SQLite queues writers on its one write lock, so fewer."""
    return 8 if connection.vendor == "postgresql" else 4


def concurrent_drafts(reviewer):
    clients = [token_client(reviewer) for _ in range(threads())]
    responses = run_together(
        [lambda c=c: post(c, "/api/v1/demands/", DRAFT, key="draft-1") for c in clients]
    )
    first = assert_one_ran(responses, 201)
    assert list(Demand.objects.values_list("pk", flat=True)) == [first.json()["id"]]
    return responses


def concurrent_reports(demand):
    someone = f.UserFactory(username="someone")
    clients = [token_client(someone) for _ in range(threads())]
    path = f"/api/v1/demands/{demand.pk}/reports/"
    responses = run_together(
        [lambda c=c: post(c, path, {"reason": "联系不上"}, key="report-1") for c in clients]
    )
    assert_one_ran(responses, 201)
    assert Report.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_draft_create_one_on_postgresql(reviewer):
    if connection.vendor != "postgresql":
        pytest.skip("runs with DATABASE_URL=postgres://…")
    for _ in range(3):  # a few rounds: a race shows only sometimes
        Demand.objects.all().delete()
        IdempotencyRecord.objects.all().delete()
        concurrent_drafts(reviewer)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_report_store_one_on_postgresql(demand):
    if connection.vendor != "postgresql":
        pytest.skip("runs with DATABASE_URL=postgres://…")
    concurrent_reports(demand)


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_draft_create_one(reviewer):
    concurrent_drafts(reviewer)


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_report_store_one(demand):
    concurrent_reports(demand)


@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_first_runs_is_a_409_then_a_replay(reviewer, conforms):
    """The first request waits inside the view (outside any transaction) until released."""
    entered, release = threading.Event(), threading.Event()
    create = demand_services.demand_create

    def slow_create(**kwargs):
        if not entered.is_set():  # the first request only
            entered.set()
            assert release.wait(30)
        return create(**kwargs)

    first = {}

    def run_first():
        try:
            first["response"] = post(token_client(reviewer), "/api/v1/demands/", DRAFT, "k")
        finally:
            connections.close_all()

    with mock.patch.object(demand_services, "demand_create", slow_create):
        thread = threading.Thread(target=run_first)
        thread.start()
        assert entered.wait(30)
        retry = post(token_client(reviewer), "/api/v1/demands/", DRAFT, "k")
        release.set()
        thread.join(30)

    assert retry.status_code == 409, retry.content
    assert retry.json()["code"] == "idempotency_in_flight"
    assert "正在处理" in retry.json()["detail"]
    conforms(retry, "POST /api/v1/demands/")
    assert first["response"].status_code == 201
    replay = post(token_client(reviewer), "/api/v1/demands/", DRAFT, "k")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first["response"].json()["id"]
    assert Demand.objects.count() == 1


# -- failures release the key -----------------------------------------------------------------------


def test_an_exception_releases_the_key_so_a_retry_runs(client_for, reviewer):
    client = client_for(reviewer)
    with mock.patch.object(demand_services, "demand_create", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            post(client, "/api/v1/demands/", DRAFT, key="k")
    assert not IdempotencyRecord.objects.exists()
    retry = post(client, "/api/v1/demands/", DRAFT, key="k")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert Demand.objects.count() == 1


def test_a_5xx_answer_releases_the_key_so_a_retry_runs(client_for, reviewer):
    client = client_for(reviewer)
    with mock.patch.object(demand_services, "demand_create", side_effect=APIException("down")):
        assert post(client, "/api/v1/demands/", DRAFT, key="k").status_code == 500
    assert not IdempotencyRecord.objects.exists()
    assert post(client, "/api/v1/demands/", DRAFT, key="k").status_code == 201


def test_a_429_releases_the_key_so_a_retry_runs_once_allowed(
    client_for, reviewer, outbox, django_capture_on_commit_callbacks
):
    client = client_for(reviewer)
    body = {"phone": "13800138000", "purpose": "demand_contact"}
    with django_capture_on_commit_callbacks(execute=True):
        with at(T0):
            assert post(client, "/api/v1/sms/codes/", body, key="s1").status_code == 202
            assert post(client, "/api/v1/sms/codes/", body, key="s2").status_code == 429
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["s1"]
        with at(T0 + datetime.timedelta(minutes=2)):
            retry = post(client, "/api/v1/sms/codes/", body, key="s2")
    assert retry.status_code == 202 and "Idempotent-Replayed" not in retry
    assert len(outbox()) == 2


def test_a_key_left_in_flight_by_a_killed_worker_is_taken_over_after_a_while(client_for, reviewer):
    client = client_for(reviewer)
    with at(T0):
        # A worker killed mid-request: the key is recorded, the request never finished.
        with (
            mock.patch.object(idempotency, "_complete"),
            mock.patch.object(idempotency, "_release"),
        ):
            assert post(client, "/api/v1/demands/", DRAFT, key="k").status_code == 201
        assert IdempotencyRecord.objects.get().state == "in_flight"
        assert post(client, "/api/v1/demands/", DRAFT, key="k").status_code == 409
    with at(T0 + settings.IDEMPOTENCY_IN_FLIGHT_TIMEOUT + datetime.timedelta(seconds=1)):
        retry = post(client, "/api/v1/demands/", DRAFT, key="k")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert IdempotencyRecord.objects.get().state == "done"
    assert Demand.objects.count() == 2  # the killed request's draft was committed before


# -- who may send a key, and how long ---------------------------------------------------------------


def test_an_anonymous_key_is_refused_and_nothing_is_sent(client_for, outbox, conforms, db):
    body = {"phone": "13800138000", "purpose": "demand_contact"}
    response = post(client_for(None), "/api/v1/sms/codes/", body, key="shared-1")
    assert response.status_code == 400, response.content
    assert set(response.json()["fields"]) == {"Idempotency-Key"}
    assert "登录" in response.json()["fields"]["Idempotency-Key"]
    conforms(response, "POST /api/v1/sms/codes/")
    assert outbox() == [] and not IdempotencyRecord.objects.exists()
    # without the header an anonymous caller is served as before
    assert post(client_for(None), "/api/v1/sms/codes/", body).status_code == 202


def test_a_record_needs_a_user(reviewer):
    with pytest.raises(IntegrityError):
        IdempotencyRecord.objects.create(user=None, key="k", fingerprint="x" * 64)


def test_a_key_of_more_than_255_characters_is_refused(client_for, reviewer, conforms):
    client = client_for(reviewer)
    response = post(client, "/api/v1/demands/", DRAFT, key="k" * 256)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"Idempotency-Key"}
    assert "255" in response.json()["fields"]["Idempotency-Key"]
    conforms(response, "POST /api/v1/demands/")
    assert not Demand.objects.exists()
    # 255 characters are kept whole: a key differing only in its last one is another key
    long = "k" * 254
    assert post(client, "/api/v1/demands/", DRAFT, key=long + "a").status_code == 201
    assert post(client, "/api/v1/demands/", DRAFT, key=long + "b").status_code == 201
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == [
        long + "a",
        long + "b",
    ]


def test_keys_are_per_user(client_for, reviewer, league):
    colleague = f.reviewer_of(league, username="colleague")
    first = post(client_for(reviewer), "/api/v1/demands/", DRAFT, key="k")
    second = post(client_for(colleague), "/api/v1/demands/", DRAFT, key="k")
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert Demand.objects.count() == 2


def test_a_key_expires_after_24_hours(client_for, reviewer):
    client = client_for(reviewer)
    with at(T0):
        first = post(client, "/api/v1/demands/", DRAFT, key="k")
    with at(T0 + settings.IDEMPOTENCY_TTL - datetime.timedelta(minutes=1)):
        replay = post(client, "/api/v1/demands/", DRAFT, key="k")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    with at(T0 + settings.IDEMPOTENCY_TTL + datetime.timedelta(minutes=1)):
        again = post(client, "/api/v1/demands/", DRAFT, key="k")
        other_body = post(client, "/api/v1/demands/", {**DRAFT, "title": "另一个"}, key="k")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert again.json()["id"] != first.json()["id"]
    assert other_body.status_code == 422  # the key is taken again, by the new request
    assert Demand.objects.count() == 2


def test_old_records_are_pruned_by_the_periodic_task(client_for, reviewer):
    from api.tasks import idempotency_record_prune
    from config.celery import app

    client = client_for(reviewer)
    with at(T0):
        post(client, "/api/v1/demands/", DRAFT, key="old")
    with at(T0 + datetime.timedelta(hours=20)):
        post(client, "/api/v1/demands/", DRAFT, key="recent")
    with at(T0 + settings.IDEMPOTENCY_TTL + datetime.timedelta(minutes=1)):
        assert idempotency_record_prune.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["idempotency-record-prune"]
    assert entry["task"] == "api.tasks.idempotency_record_prune" and entry["task"] in app.tasks


# -- what is kept ---------------------------------------------------------------------------------


def test_no_student_record_or_unmasked_mobile_is_kept(
    client_for, reviewer, operator, league, sms_code
):
    reviewer_client = client_for(reviewer)
    draft = {**DRAFT, "contact_mobile": MOBILE, "sms_code": sms_code(MOBILE)}
    created = post(reviewer_client, "/api/v1/demands/", draft, key="d")
    assert created.status_code == 201 and created.json()["contact_mobile"] == MOBILE

    family = f.UserFactory(username="family")
    help_request = {
        "kind": "cloud_teaching",
        "league_org": league.pk,
        "title": "【乡村云支教】我需要补习英语",
        "contact_name": "赵雷",
        "contact_mobile": "18500000000",
        "sms_code": sms_code("18500000000", purpose="initial_demand_contact"),
        "student": STUDENT,
    }
    submitted = post(client_for(family), "/api/v1/initial-demands/", help_request, key="i")
    assert submitted.status_code == 201 and submitted.json()["student"]["name"] == STUDENT["name"]

    pending = f.claim(f.open_demand(reviewer), operator)
    approved = post(reviewer_client, f"/api/v1/claims/{pending.pk}/approve/", key="a")
    assert approved.json()["status"] == "approved"

    kept = json.dumps(
        list(IdempotencyRecord.objects.values("key", "fingerprint", "body")), ensure_ascii=False
    )
    for secret in (MOBILE, "18500000000", STUDENT["name"], STUDENT["school"], STUDENT["address"]):
        assert secret not in kept

    # a replay answers the first status and body, mobiles masked and the student left out
    replay = post(reviewer_client, "/api/v1/demands/", draft, key="d")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == {**created.json(), "contact_mobile": MASKED}
    again = post(client_for(family), "/api/v1/initial-demands/", help_request, key="i")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == {**submitted.json(), "contact_mobile": "185****0000", "student": None}
    assert InitialDemand.objects.count() == 1 and Demand.objects.count() == 2
    approved_again = post(reviewer_client, f"/api/v1/claims/{pending.pk}/approve/", key="a")
    assert approved_again["Idempotent-Replayed"] == "true"
    assert approved_again.json() == approved.json()
