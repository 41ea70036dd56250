"""user_reset_password: an administrator resets an account to a one-time password, never its own
or a more powerful one, and never learns one that could be sent to the owner."""

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orgs.choices import Role
from orgs.errors import NotAllowed
from orgs.models import AuditRecord, Membership, User
from orgs.services import user_change_password, user_reset_password

from .. import factories as f


@pytest.fixture
def admin_gd(province):
    user = f.UserFactory(username="admin_gd", is_staff=True)
    Membership.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, league_org=province)
    return user


@pytest.fixture
def root(db):
    return f.UserFactory(username="root", is_staff=True, is_superuser=True)


def test_a_reset_gives_a_one_time_password_that_must_be_changed(admin_gd, reviewer):
    reset = user_reset_password(user=reviewer, actor=admin_gd)

    password = reset.one_time_password
    assert not reset.sent_by_sms and len(password) >= 12
    assert password != settings.PLATFORM["INITIAL_PASSWORD"]
    reviewer.refresh_from_db()
    assert reviewer.check_password(password) and reviewer.must_change_password
    user_change_password(user=reviewer, old_password=password, new_password="Pearl-River-2024")
    reviewer.refresh_from_db()
    assert not reviewer.must_change_password


def test_two_resets_give_two_passwords(admin_gd, reviewer):
    first = user_reset_password(user=reviewer, actor=admin_gd).one_time_password
    second = user_reset_password(user=reviewer, actor=admin_gd).one_time_password
    assert first != second


def test_a_reset_sends_the_password_to_the_owner_after_commit_only(
    admin_gd, reviewer, outbox, django_capture_on_commit_callbacks
):
    reviewer.mobile = "13900000001"
    reviewer.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reset = user_reset_password(user=reviewer, actor=admin_gd)
    assert reset.one_time_password is None and reset.sent_by_sms
    assert outbox() == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    [sms] = outbox()
    assert sms["phone"] == "13900000001" and reviewer.username in sms["text"]


def test_a_reset_ends_the_accounts_tokens_and_sessions(admin_gd, reviewer):
    token = Token.objects.create(user=reviewer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    browser = Client()
    browser.force_login(reviewer)
    assert api.get("/api/v1/me/").status_code == 200
    assert browser.get("/api/v1/me/").status_code == 200

    user_reset_password(user=reviewer, actor=admin_gd)

    assert not Token.objects.filter(user=reviewer).exists()
    assert api.get("/api/v1/me/").status_code == 401
    assert browser.get("/api/v1/me/").status_code in (401, 403)  # the session ended
    assert "_auth_user_id" not in browser.session


def test_a_reset_is_audited(admin_gd, reviewer):
    user_reset_password(user=reviewer, actor=admin_gd)
    record = AuditRecord.objects.get(action="password_reset")
    assert (record.actor, record.target) == (admin_gd, reviewer)
    assert record.to_state == "must_change_password"


@pytest.mark.parametrize(
    ("target", "actor"),
    [
        pytest.param("admin_gd", "admin_gd", id="oneself"),
        pytest.param("root", "root", id="a superuser itself"),
        pytest.param("root", "admin_gd", id="a superuser, by a provincial admin"),
        pytest.param("colleague", "admin_gd", id="another admin, by a provincial admin"),
        pytest.param("operator", "reviewer", id="anyone, by a non-administrator"),
    ],
)
def test_who_may_not_reset(request, province, target, actor):
    if target == "colleague":
        colleague = f.UserFactory(username="colleague", is_staff=True)
        Membership.objects.create(user=colleague, role=Role.PROVINCIAL_ADMIN, league_org=province)
    target_user = request.getfixturevalue(target) if target != "colleague" else colleague
    with pytest.raises(NotAllowed):
        user_reset_password(user=target_user, actor=request.getfixturevalue(actor))
    target_user.refresh_from_db()
    assert target_user.check_password(f.PASSWORD) and not target_user.must_change_password
    assert not AuditRecord.objects.filter(action="password_reset").exists()


def test_a_superuser_resets_an_administrators_account(root, admin_gd):
    reset = user_reset_password(user=admin_gd, actor=root)
    assert User.objects.get(pk=admin_gd.pk).check_password(reset.one_time_password)


def test_adding_an_account_without_a_mobile_shows_its_password_once(client, admin_gd, outbox):
    client.force_login(admin_gd)
    response = client.post(
        "/admin/orgs/user/add/",
        {
            "username": "newcomer",
            "display_name": "新同事",
            "mobile": "",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    password = response.context["one_time_password"]
    assert password in response.content.decode()
    user = User.objects.get(username="newcomer")
    assert user.check_password(password) and user.must_change_password
    assert outbox() == []
