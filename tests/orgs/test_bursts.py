"""Bursts on real connections: the login and SMS limits count before they check or send.

Each request runs in its own thread with its own database connection, released at one barrier.
On PostgreSQL they truly overlap; SQLite serializes the writes, so there the tests show the
rule rather than the race.
"""

import datetime
import threading

import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from orgs.models import LoginFailure, SmsCode
from orgs.sms import sms_code_check, sms_code_issue
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

IP = "10.20.30.40"
BURST = 20


class CountingBackend(ModelBackend):
    """Django's ModelBackend, counting the passwords it is asked to check, from every thread."""

    checks = 0
    lock = threading.Lock()

    def authenticate(self, request, username=None, password=None, **kwargs):
        with CountingBackend.lock:
            CountingBackend.checks += 1
        return super().authenticate(request, username=username, password=password, **kwargs)


class CountingSmsBackend:
    """An SMS backend that keeps what it was asked to send, from every thread."""

    sent: list[dict] = []
    lock = threading.Lock()

    def send(self, *, phone, purpose, code):
        with CountingSmsBackend.lock:
            CountingSmsBackend.sent.append({"phone": phone, "purpose": purpose, "code": code})

    def send_text(self, *, phone, purpose, text):
        raise AssertionError("no notices here")


@pytest.fixture
def counting(settings):
    settings.AUTHENTICATION_BACKENDS = [
        "tests.orgs.test_bursts.CountingBackend",
        "orgs.backends.OrgRoleBackend",
    ]
    settings.SMS_BACKEND = "tests.orgs.test_bursts.CountingSmsBackend"
    CountingBackend.checks = 0
    CountingSmsBackend.sent = []
    return settings


@pytest.fixture
def login_limits(settings):
    """Small limits, so that a burst of 20 goes well past each of them."""
    settings.PLATFORM = {
        **settings.PLATFORM,
        "LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS": 5,
        "LOGIN_FAILURES_PER_ADDRESS": 8,
        "LOGIN_FAILURES_PER_ACCOUNT": 12,
    }
    return settings.PLATFORM


@pytest.fixture
def sms_limits(settings):
    """Set some SMS limits for one test (the others keep their defaults)."""

    def set_limits(**limits):
        settings.SMS_LIMITS = {**getattr(settings, "SMS_LIMITS", {}), **limits}

    return set_limits


def run_together(calls):
    """Run each call in its own thread and connection, all released at once; their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test reads it as an outcome
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def statuses(responses):
    return sorted(getattr(r, "status_code", repr(r)) for r in responses)


def api_login(username, password, ip=IP):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


# -- logins ------------------------------------------------------------------------------------


def test_a_burst_of_wrong_logins_for_one_account_checks_at_most_the_limit(
    reviewer, counting, login_limits
):
    responses = run_together([lambda: api_login("reviewer", "wrong-password")] * BURST)

    limit = login_limits["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"]
    assert CountingBackend.checks <= limit, statuses(responses)
    codes = statuses(responses)
    assert codes.count(400) == CountingBackend.checks
    assert codes.count(429) == BURST - CountingBackend.checks
    assert LoginFailure.objects.count() == CountingBackend.checks  # refused tries left no row


def test_a_burst_of_wrong_logins_from_one_address_checks_at_most_its_limit(
    db, counting, login_limits
):
    responses = run_together(
        [lambda i=i: api_login(f"guess{i}", "wrong-password") for i in range(BURST)]
    )

    assert CountingBackend.checks <= login_limits["LOGIN_FAILURES_PER_ADDRESS"], statuses(responses)
    assert statuses(responses).count(429) == BURST - CountingBackend.checks


def test_a_burst_of_wrong_old_passwords_is_counted_like_logins(reviewer, counting, login_limits):
    token = api_login("reviewer", f.PASSWORD).json()["token"]

    def change():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post(
            "/api/v1/auth/password/",
            {"old_password": "wrong-password", "new_password": "Another-pass-2026"},
            format="json",
            REMOTE_ADDR=IP,
        )

    responses = run_together([change] * BURST)

    codes = statuses(responses)
    limit = login_limits["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"]
    assert codes.count(400) <= limit, codes
    assert codes.count(429) == BURST - codes.count(400), codes
    assert LoginFailure.objects.count() == codes.count(400)


# -- SMS codes ---------------------------------------------------------------------------------


def ask_code(phone, ip=IP, purpose="demand_contact"):
    return APIClient().post(
        "/api/v1/sms/codes/", {"phone": phone, "purpose": purpose}, format="json", REMOTE_ADDR=ip
    )


def test_one_client_asking_codes_for_sixty_phones_at_once_gets_at_most_its_hourly_limit(
    db, counting, sms_limits
):
    per_hour = 20
    sms_limits(PER_CLIENT_PER_HOUR=per_hour)
    responses = run_together([lambda i=i: ask_code(f"1880000{i:04d}") for i in range(60)])

    codes = statuses(responses)
    granted = codes.count(202)
    assert granted <= per_hour and codes.count(429) == 60 - granted, codes
    assert len(CountingSmsBackend.sent) == SmsCode.objects.count() == granted
    # Requests refused in the burst left no trace: the client gets the rest of its hour.
    for i in range(per_hour - granted):
        assert ask_code(f"1890000{i:04d}").status_code == 202
    assert ask_code("18999999999").status_code == 429
    assert len(CountingSmsBackend.sent) == per_hour


def test_one_phone_asked_for_at_once_gets_one_code(db, counting):
    responses = run_together(
        [lambda i=i: ask_code("18826480174", ip=f"10.9.0.{i}") for i in range(BURST)]
    )

    codes = statuses(responses)
    assert codes.count(202) <= 1 and codes.count(429) >= BURST - 1, codes
    assert len(CountingSmsBackend.sent) <= 1


def test_the_platform_ceiling_holds_under_a_burst_from_many_clients(db, counting, sms_limits):
    sms_limits(ALL_PER_HOUR=5)

    responses = run_together(
        [lambda i=i: ask_code(f"1390000{i:04d}", ip=f"10.8.0.{i}") for i in range(BURST)]
    )

    codes = statuses(responses)
    assert codes.count(202) <= 5 and codes.count(429) == BURST - codes.count(202), codes
    assert len(CountingSmsBackend.sent) == codes.count(202)


def test_a_burst_of_wrong_codes_compares_at_most_the_phones_hourly_limit(db, counting, sms_limits):
    sms_limits(WRONG_CODES_PER_PHONE_PER_HOUR=4)
    phone = "18826480174"
    # One live code for each purpose: the per-code limit alone would allow 2 x 5 tries.
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=2)):
        sms_code_issue(phone=phone, purpose="demand_contact")
    sms_code_issue(phone=phone, purpose="initial_demand_contact")
    sent = {m["code"] for m in CountingSmsBackend.sent}
    wrong = next(c for c in ("000000", "111111", "222222") if c not in sent)
    purposes = ["demand_contact", "initial_demand_contact"] * (BURST // 2)

    run_together([lambda p=p: sms_code_check(phone=phone, purpose=p, code=wrong) for p in purposes])

    compared = sum(SmsCode.objects.values_list("attempts", flat=True))
    assert compared <= 4, compared
