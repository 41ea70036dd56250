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
from orgs.security import login_allowed, login_failed
from tests import factories as f

LOCKED = "登录失败次数过多，请一小时后再试"
AN_HOUR_LATER = datetime.timedelta(minutes=61)


def api_login(username, password, ip="10.0.0.1"):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def browser_login(username, password, ip="10.0.0.1", path="/accounts/login/"):
    client = Client()
    response = client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)
    return response, client


def fail(times, login, username="reviewer", ip=None):
    """`times` wrong passwords; each from its own IP unless one is given."""
    for i in range(times):
        response = login(username, "wrong-password", ip=ip or f"10.1.0.{i + 1}")
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


# -- the rule ----------------------------------------------------------------------------------


def test_the_rule_counts_failures_per_username_and_per_ip(db):
    for i in range(9):
        login_failed("someone", f"10.2.0.{i}")
    assert login_allowed("someone", "10.9.9.9")
    login_failed("someone", "10.2.0.99")
    assert not login_allowed("someone", "10.9.9.9")
    assert not login_allowed("SomeOne", None)  # one count whatever the case
    assert login_allowed("someone-else", "10.2.0.1")

    for i in range(10):
        login_failed(f"user{i}", "10.3.0.1")
    assert not login_allowed("anyone", "10.3.0.1")
    assert login_allowed("anyone", "10.3.0.2")
    assert login_allowed("anyone", None)


def test_failures_expire_after_an_hour_and_old_ones_are_forgotten(db):
    for _ in range(10):
        login_failed("someone", "10.2.0.1")
    assert not login_allowed("someone", None)
    with time_machine.travel(timezone.now() + AN_HOUR_LATER):
        assert login_allowed("someone", None)
        assert login_allowed("other", "10.2.0.1")
        login_failed("someone", "10.2.0.1")
        assert LoginFailure.objects.count() == 1  # the expired ones were deleted


# -- the API login -----------------------------------------------------------------------------


def test_api_locks_an_account_after_ten_failures(reviewer):
    fail(10, api_login)
    locked = api_login("reviewer", f.PASSWORD, ip="10.9.9.9")  # right password, new IP
    assert is_locked_out_of_api(locked)
    assert locked.json()["detail"] == LOCKED
    assert 0 < int(locked["Retry-After"]) <= 3600
    assert not Token.objects.filter(user=reviewer).exists()
    # Another account is not affected.
    f.UserFactory(username="someone")
    assert api_login("someone", f.PASSWORD, ip="10.9.9.9").status_code == 200

    with time_machine.travel(timezone.now() + AN_HOUR_LATER):
        assert api_login("reviewer", f.PASSWORD).status_code == 200


def test_api_locks_an_ip_after_ten_failures(reviewer):
    for i in range(10):
        assert api_login(f"guess{i}", "wrong", ip="10.5.5.5").status_code == 400
    assert is_locked_out_of_api(api_login("reviewer", f.PASSWORD, ip="10.5.5.5"))
    assert api_login("reviewer", f.PASSWORD, ip="10.5.5.6").status_code == 200
    with time_machine.travel(timezone.now() + AN_HOUR_LATER):
        assert api_login("reviewer", f.PASSWORD, ip="10.5.5.5").status_code == 200


def test_a_success_does_not_reset_the_count(reviewer):
    fail(9, api_login)
    assert api_login("reviewer", f.PASSWORD).status_code == 200
    fail(1, api_login)
    assert is_locked_out_of_api(api_login("reviewer", f.PASSWORD))


def test_a_locked_attempt_is_not_counted_so_the_lock_ends_an_hour_after_the_failures(reviewer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(10, api_login)
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


def test_browser_login_locks_an_account_after_ten_failures(reviewer):
    fail(10, browser_login)
    response, client = browser_login("reviewer", f.PASSWORD, ip="10.9.9.9")
    assert is_locked_out_of_browser(response, client)
    with time_machine.travel(timezone.now() + AN_HOUR_LATER):
        response, client = browser_login("reviewer", f.PASSWORD)
        assert response.status_code == 302 and "_auth_user_id" in client.session


def test_browser_login_locks_an_ip_after_ten_failures(reviewer):
    for i in range(10):
        response, _ = browser_login(f"guess{i}", "wrong", ip="10.6.6.6")
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    response, client = browser_login("reviewer", f.PASSWORD, ip="10.6.6.6")
    assert is_locked_out_of_browser(response, client)
    assert browser_login("reviewer", f.PASSWORD, ip="10.6.6.7")[0].status_code == 302


def test_both_paths_share_one_count(reviewer):
    fail(5, api_login)
    fail(5, browser_login)
    assert is_locked_out_of_api(api_login("reviewer", f.PASSWORD))
    assert is_locked_out_of_browser(*browser_login("reviewer", f.PASSWORD))


def test_the_admin_login_page_is_throttled_too(db):
    f.UserFactory(username="admin_gd", is_staff=True)
    fail(10, browser_login, username="admin_gd")
    response, client = browser_login("admin_gd", f.PASSWORD, path="/admin/login/")
    assert is_locked_out_of_browser(response, client)


def test_the_admin_login_page_counts_its_failures(db):
    f.UserFactory(username="admin_gd", is_staff=True)
    for i in range(10):
        browser_login("admin_gd", "wrong", ip=f"10.7.0.{i}", path="/admin/login/")
    assert is_locked_out_of_api(api_login("admin_gd", f.PASSWORD))


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


# -- passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["000000", "Ab1!xyz", "12345678", "password"])
def test_the_validators_refuse_weak_passwords_and_the_initial_one(db, password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_minimum_length_is_eight(settings):
    validators = {v["NAME"].rsplit(".", 1)[1]: v for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert validators["MinimumLengthValidator"]["OPTIONS"] == {"min_length": 8}
    validate_password("Gd-2026x")  # eight characters are enough
