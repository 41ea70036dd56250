"""Login throttling on every login path, token expiry and rotation, logout, password rules."""

import datetime

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orgs.models import LoginFailure
from orgs.security import (
    LoginLocked,
    ip_bucket,
    login_attempt_begin,
    login_attempt_succeeded,
    login_retry_after,
)
from orgs.services import user_change_password
from tests import factories as f

LOCKED = "登录失败次数过多，请一小时后再试"
AN_HOUR_LATER = datetime.timedelta(minutes=61)
HOME = "10.0.0.1"  # where the account's owner logs in
STRANGER = "10.66.0.1"


def api_login(username, password, ip=HOME):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def browser_login(username, password, ip=HOME, path="/accounts/login/"):
    client = Client()
    response = client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)
    return response, client


def fail(times, login, username="reviewer", ip=HOME):
    """`times` wrong passwords for `username` from `ip`."""
    for _ in range(times):
        response = login(username, "wrong-password", ip=ip)
        status = response.status_code if login is api_login else response[0].status_code
        assert status in (200, 400), status  # a refused password, not a lock yet


def is_locked_out_of_api(response):
    return response.status_code == 429 and response.json()["code"] == "login_locked"


def is_locked_out_of_browser(response, client):
    return (
        response.status_code == 200
        and LOCKED in response.content.decode()
        and "_auth_user_id" not in client.session
    )


def failed(username, ip, times=1):
    """Record `times` failed password checks (a check that never succeeds stays a failure)."""
    for _ in range(times):
        login_attempt_begin(username, ip)


# -- the rule ----------------------------------------------------------------------------------


def test_the_defaults(settings):
    assert settings.PLATFORM["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"] == 5
    assert settings.PLATFORM["LOGIN_FAILURES_PER_ADDRESS"] == 20
    assert settings.PLATFORM["LOGIN_FAILURES_PER_ACCOUNT"] == 50
    assert settings.PLATFORM["LOGIN_FAILURE_WINDOW"] == datetime.timedelta(hours=1)
    assert settings.PLATFORM["LOGIN_KNOWN_ADDRESS_TTL"] == datetime.timedelta(days=30)


def test_the_rule_locks_an_account_at_one_address_after_five_failures(db):
    failed("someone", "10.2.0.1", times=4)
    assert login_retry_after("someone", "10.2.0.1") is None
    failed("someone", "10.2.0.1")
    assert login_retry_after("someone", "10.2.0.1") is not None
    assert login_retry_after("SomeOne", "10.2.0.1") is not None  # one count whatever the case
    assert login_retry_after("someone", "10.2.0.2") is None  # the owner elsewhere is not locked
    assert login_retry_after("someone-else", "10.2.0.1") is None
    with pytest.raises(LoginLocked) as exc:
        login_attempt_begin("someone", "10.2.0.1")
    assert exc.value.code == "login_locked"
    assert datetime.timedelta(minutes=59) < exc.value.retry_after <= datetime.timedelta(hours=1)


def test_the_rule_locks_an_address_after_twenty_failures(db):
    for i in range(20):
        failed(f"user{i}", "10.3.0.1")
    assert login_retry_after("anyone", "10.3.0.1") is not None
    assert login_retry_after("anyone", "10.3.0.2") is None
    assert login_retry_after("anyone", None) is None


def test_the_rule_locks_an_account_for_strangers_after_fifty_failures(db):
    login_attempt_succeeded(login_attempt_begin("target", "10.4.0.200"))  # its owner's address
    for i in range(10):
        failed("target", f"10.4.0.{i}", times=5)
    assert login_retry_after("target", "10.4.9.9") is not None
    assert login_retry_after("target", None) is not None
    assert login_retry_after("target", "10.4.0.200") is None  # where it logged in before
    assert login_retry_after("other", "10.4.9.9") is None


def test_a_known_address_is_forgotten_after_thirty_days(db):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login_attempt_succeeded(login_attempt_begin("target", "10.4.0.200"))
    with time_machine.travel(start + datetime.timedelta(days=30, minutes=1), tick=False):
        for i in range(10):
            failed("target", f"10.4.0.{i}", times=5)
        assert login_retry_after("target", "10.4.0.200") is not None


def test_ipv6_addresses_are_counted_by_their_64_network(db):
    for i in range(1, 6):
        failed("someone", f"2001:db8:0:1::{i}")
    assert login_retry_after("someone", "2001:db8:0:1:ffff::9") is not None
    assert login_retry_after("someone", "2001:db8:0:2::1") is None
    assert ip_bucket("2001:db8:0:1:ffff::9") == "2001:db8:0:1::"
    assert ip_bucket("::ffff:10.5.0.1") == "10.5.0.1"  # an IPv4 client seen through IPv6
    assert ip_bucket("10.5.0.1") == "10.5.0.1"
    assert ip_bucket(None) is None


def test_failures_expire_after_an_hour_and_old_ones_are_forgotten(db):
    failed("someone", "10.2.0.1", times=5)
    assert login_retry_after("someone", "10.2.0.1") is not None
    with time_machine.travel(timezone.now() + AN_HOUR_LATER):
        assert login_retry_after("someone", "10.2.0.1") is None
        failed("someone", "10.2.0.1")
        assert LoginFailure.objects.count() == 1  # the expired ones were deleted


def test_a_check_that_succeeds_is_not_a_failure(db):
    attempt = login_attempt_begin("someone", "10.2.0.1")
    assert LoginFailure.objects.count() == 1  # counted while the password is being checked
    login_attempt_succeeded(attempt)
    assert LoginFailure.objects.count() == 0


# -- the API login -----------------------------------------------------------------------------


def test_api_locks_an_account_at_one_address_after_five_failures(reviewer):
    fail(5, api_login, ip=STRANGER)
    locked = api_login("reviewer", f.PASSWORD, ip=STRANGER)  # right password, same address
    assert is_locked_out_of_api(locked)
    assert locked.json()["detail"] == LOCKED
    assert 0 < int(locked["Retry-After"]) <= 3600
    assert not Token.objects.filter(user=reviewer).exists()
    # The stranger did not lock the owner out: from the owner's address the login works.
    assert api_login("reviewer", f.PASSWORD, ip=HOME).status_code == 200

    with time_machine.travel(timezone.now() + AN_HOUR_LATER):
        assert api_login("reviewer", f.PASSWORD, ip=STRANGER).status_code == 200


def test_api_locks_an_address_after_twenty_failures(reviewer):
    for i in range(20):
        assert api_login(f"guess{i}", "wrong", ip="10.5.5.5").status_code == 400
    assert is_locked_out_of_api(api_login("reviewer", f.PASSWORD, ip="10.5.5.5"))
    assert api_login("reviewer", f.PASSWORD, ip="10.5.5.6").status_code == 200
    with time_machine.travel(timezone.now() + AN_HOUR_LATER):
        assert api_login("reviewer", f.PASSWORD, ip="10.5.5.5").status_code == 200


def test_api_locks_an_account_for_strangers_after_fifty_failures_from_many_addresses(reviewer):
    assert api_login("reviewer", f.PASSWORD, ip=HOME).status_code == 200
    for i in range(10):
        fail(5, api_login, ip=f"10.7.{i}.1")
    assert is_locked_out_of_api(api_login("reviewer", f.PASSWORD, ip="10.8.0.1"))
    assert api_login("reviewer", f.PASSWORD, ip=HOME).status_code == 200


def test_a_success_does_not_reset_the_count(reviewer):
    fail(4, api_login)
    assert api_login("reviewer", f.PASSWORD).status_code == 200
    fail(1, api_login)
    assert is_locked_out_of_api(api_login("reviewer", f.PASSWORD))


def test_a_locked_attempt_is_not_counted_so_the_lock_ends_an_hour_after_the_failures(reviewer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(5, api_login)
    with time_machine.travel(start + datetime.timedelta(minutes=50), tick=False):
        for _ in range(10):
            assert is_locked_out_of_api(api_login("reviewer", "wrong-again"))
    with time_machine.travel(start + AN_HOUR_LATER, tick=False):
        assert api_login("reviewer", f.PASSWORD).status_code == 200


def test_a_request_without_a_password_is_not_a_failure(reviewer):
    for _ in range(12):
        assert APIClient().post("/api/v1/auth/token/", {"username": "reviewer"}).status_code == 400
    assert LoginFailure.objects.count() == 0


# -- the browser login pages -------------------------------------------------------------------


def test_browser_login_locks_an_account_at_one_address_after_five_failures(reviewer):
    fail(5, browser_login, ip=STRANGER)
    response, client = browser_login("reviewer", f.PASSWORD, ip=STRANGER)
    assert is_locked_out_of_browser(response, client)
    response, client = browser_login("reviewer", f.PASSWORD, ip=HOME)
    assert response.status_code == 302 and "_auth_user_id" in client.session
    with time_machine.travel(timezone.now() + AN_HOUR_LATER):
        response, client = browser_login("reviewer", f.PASSWORD, ip=STRANGER)
        assert response.status_code == 302 and "_auth_user_id" in client.session


def test_browser_login_locks_an_address_after_twenty_failures(reviewer):
    for i in range(20):
        response, _ = browser_login(f"guess{i}", "wrong", ip="10.6.6.6")
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    response, client = browser_login("reviewer", f.PASSWORD, ip="10.6.6.6")
    assert is_locked_out_of_browser(response, client)
    assert browser_login("reviewer", f.PASSWORD, ip="10.6.6.7")[0].status_code == 302


def test_both_paths_share_one_count(reviewer):
    fail(3, api_login)
    fail(2, browser_login)
    assert is_locked_out_of_api(api_login("reviewer", f.PASSWORD))
    assert is_locked_out_of_browser(*browser_login("reviewer", f.PASSWORD))


def test_the_admin_login_page_is_throttled_too(db):
    f.UserFactory(username="admin_gd", is_staff=True)
    fail(5, browser_login, username="admin_gd")
    response, client = browser_login("admin_gd", f.PASSWORD, path="/admin/login/")
    assert is_locked_out_of_browser(response, client)


def test_the_admin_login_page_counts_its_failures(db):
    f.UserFactory(username="admin_gd", is_staff=True)
    for _ in range(5):
        browser_login("admin_gd", "wrong", path="/admin/login/")
    assert is_locked_out_of_api(api_login("admin_gd", f.PASSWORD))


# -- the old password of a password change -----------------------------------------------------


def change_password(token, old, new="Another-pass-2026", ip=HOME):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.post(
        "/api/v1/auth/password/",
        {"old_password": old, "new_password": new},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_a_wrong_old_password_counts_as_a_failed_login(reviewer):
    token = api_login("reviewer", f.PASSWORD).json()["token"]
    for _ in range(5):
        response = change_password(token, "wrong-password")
        assert response.status_code == 400 and set(response.json()["fields"]) == {"old_password"}
    # Locked like a login: not even the right old password is checked now.
    locked = change_password(token, f.PASSWORD)
    assert is_locked_out_of_api(locked) and 0 < int(locked["Retry-After"]) <= 3600
    assert reviewer.__class__.objects.get(pk=reviewer.pk).check_password(f.PASSWORD)
    # The same count as the logins: the login from that address is locked too.
    assert is_locked_out_of_api(api_login("reviewer", f.PASSWORD))
    assert api_login("reviewer", f.PASSWORD, ip=STRANGER).status_code == 200
    with time_machine.travel(timezone.now() + AN_HOUR_LATER):
        assert change_password(token, f.PASSWORD).status_code == 200


def test_login_failures_lock_the_password_change_too(reviewer):
    token = api_login("reviewer", f.PASSWORD).json()["token"]
    fail(5, api_login)
    assert is_locked_out_of_api(change_password(token, f.PASSWORD))


def test_the_browser_password_change_counts_a_wrong_old_password(reviewer):
    client = Client()
    client.force_login(reviewer)
    for _ in range(5):
        response = client.post(
            "/accounts/password_change/",
            {
                "old_password": "wrong-password",
                "new_password1": "Another-pass-2026",
                "new_password2": "Another-pass-2026",
            },
            REMOTE_ADDR=HOME,
        )
        assert response.status_code == 200 and "old_password" in response.context["form"].errors
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": f.PASSWORD,
            "new_password1": "Another-pass-2026",
            "new_password2": "Another-pass-2026",
        },
        REMOTE_ADDR=HOME,
    )
    assert response.status_code == 200 and LOCKED in response.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.check_password(f.PASSWORD)


# -- API tokens --------------------------------------------------------------------------------


def test_a_token_expires_after_the_ttl_and_login_rotates_it(reviewer, settings):
    settings.API_TOKEN_TTL = datetime.timedelta(hours=2)
    first = api_login("reviewer", f.PASSWORD).json()["token"]
    assert api_login("reviewer", f.PASSWORD).json()["token"] == first  # still valid: the same
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.get("/api/v1/me/").status_code == 200

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2, seconds=1)):
        expired = client.get("/api/v1/me/")
        assert expired.status_code == 401
        assert expired.json()["code"] == "token_expired"
        assert expired.has_header("WWW-Authenticate")

        second = api_login("reviewer", f.PASSWORD).json()["token"]
        assert second != first
        assert not Token.objects.filter(key=first).exists()
        client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
        assert client.get("/api/v1/me/").status_code == 200


def test_the_default_ttl_is_seven_days(reviewer, settings):
    assert settings.API_TOKEN_TTL == datetime.timedelta(days=7)
    token = api_login("reviewer", f.PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6, hours=23)):
        assert client.get("/api/v1/me/").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        assert client.get("/api/v1/me/").json()["code"] == "token_expired"


def test_an_expired_token_keeps_the_initial_password_gate_behind_it(db):
    user = f.UserFactory(username="league_import", must_change_password=True)
    token = api_login("league_import", f.PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["code"] == "password_change_required"
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        assert client.get("/api/v1/me/").json()["code"] == "token_expired"
        fresh = api_login("league_import", f.PASSWORD).json()
        assert fresh["must_change_password"] is True
        client.credentials(HTTP_AUTHORIZATION=f"Token {fresh['token']}")
        assert client.get("/api/v1/me/").json()["code"] == "password_change_required"
    assert user.must_change_password


def test_logout_deletes_the_token(reviewer):
    token = api_login("reviewer", f.PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert not Token.objects.filter(user=reviewer).exists()
    after = client.get("/api/v1/me/")
    assert after.status_code == 401 and after.json()["code"] == "authentication_failed"
    assert client.post("/api/v1/auth/logout/").status_code == 401
    # Logging in again gives a new token.
    assert api_login("reviewer", f.PASSWORD).json()["token"] != token


def test_logout_needs_a_login(db):
    response = APIClient().post("/api/v1/auth/logout/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_an_account_with_the_initial_password_may_log_out(db):
    f.UserFactory(username="league_import", must_change_password=True)
    token = api_login("league_import", f.PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/logout/").status_code == 204


def test_logout_with_a_session_ends_the_session(reviewer):
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(reviewer)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_a_password_change_replaces_the_api_token(reviewer):
    old = api_login("reviewer", f.PASSWORD).json()["token"]
    response = change_password(old, f.PASSWORD)
    assert response.status_code == 200
    new = response.json()["token"]
    assert new != old and response.json()["must_change_password"] is False
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert client.get("/api/v1/me/").status_code == 401  # every device with it logs in again
    client.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert client.get("/api/v1/me/").status_code == 200


def test_the_service_deletes_the_tokens_so_every_path_does(reviewer):
    Token.objects.create(user=reviewer)
    user_change_password(user=reviewer, old_password=f.PASSWORD, new_password="Another-pass-2026")
    assert not Token.objects.filter(user=reviewer).exists()


def test_a_refused_password_change_keeps_the_token(reviewer):
    token = api_login("reviewer", f.PASSWORD).json()["token"]
    assert change_password(token, f.PASSWORD, new="short").status_code == 400
    assert change_password(token, "wrong-password").status_code == 400
    assert Token.objects.filter(key=token).exists()


def test_a_browser_password_change_ends_the_api_token(reviewer):
    token = api_login("reviewer", f.PASSWORD).json()["token"]
    client = Client()
    client.force_login(reviewer)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": f.PASSWORD,
            "new_password1": "Another-pass-2026",
            "new_password2": "Another-pass-2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/accounts/password_change/").status_code == 200  # still signed in here
    assert not Token.objects.filter(key=token).exists()


def test_a_password_change_over_a_session_keeps_that_session(reviewer):
    client = APIClient()
    client.force_login(reviewer)
    response = client.post(
        "/api/v1/auth/password/",
        {"old_password": f.PASSWORD, "new_password": "Another-pass-2026"},
        format="json",
    )
    assert response.status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


# -- passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["000000", "Ab1!xyz", "12345678", "password"])
def test_the_validators_refuse_weak_passwords_and_the_initial_one(db, password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_minimum_length_is_eight(settings):
    validators = {v["NAME"].rsplit(".", 1)[1]: v for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert validators["MinimumLengthValidator"]["OPTIONS"] == {"min_length": 8}
    validate_password("Gd-2026x")  # eight characters are enough
