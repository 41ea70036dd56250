"""Where the browser login (/accounts/login/) goes: each account to its own place."""

import pytest

from orgs.choices import Role
from orgs.models import Membership

from .. import factories as f

LOGIN = "/accounts/login/"


def login(client, user, next_url=None):
    url = LOGIN if next_url is None else f"{LOGIN}?next={next_url}"
    response = client.post(url, {"username": user.username, "password": f.PASSWORD})
    assert response.status_code == 302, response.content
    return response["Location"]


@pytest.fixture
def admin(province):
    user = f.UserFactory(username="admin")
    Membership.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, league_org=province)
    return user


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_an_operator_without_next_lands_in_the_workspace(client, request, who):
    assert login(client, request.getfixturevalue(who)) == "/workspace/"


def test_an_operator_goes_where_it_was_going(client, reviewer):
    assert login(client, reviewer, "/workspace/claim/queue/") == "/workspace/claim/queue/"


@pytest.mark.parametrize("next_url", [None, "/workspace/", "/workspace/claim/queue/", "/admin/"])
def test_a_volunteer_org_goes_to_the_mobile_site(client, operator, next_url):
    assert login(client, operator, next_url) == "/mine"


def test_an_individual_goes_to_the_mobile_page_it_asked_for(client, db):
    assert login(client, f.UserFactory(), "/mine/help") == "/mine/help"


def test_an_unsafe_next_is_ignored(client, reviewer):
    assert login(client, reviewer, "https://evil.example/") == "/workspace/"


def change_initial_password(client, user, next_url=None):
    user.set_password("000000")
    user.must_change_password = True
    user.save()
    client.force_login(user)
    url = "/accounts/password_change/" + ("" if next_url is None else f"?next={next_url}")
    new = "Another-pass-456"
    data = {"old_password": "000000", "new_password1": new, "new_password2": new}
    response = client.post(url, data)
    assert response.status_code == 302, response.content
    return response["Location"]


def test_the_forced_change_keeps_the_destination_and_returns_to_it(client, reviewer):
    reviewer.must_change_password = True
    reviewer.save()
    client.force_login(reviewer)
    gate = client.get("/workspace/claim/queue/")
    assert gate["Location"] == "/accounts/password_change/?next=%2Fworkspace%2Fclaim%2Fqueue%2F"
    assert change_initial_password(client, reviewer, "/workspace/claim/queue/") == (
        "/workspace/claim/queue/"
    )


@pytest.mark.parametrize("who,home", [("reviewer", "/workspace/"), ("operator", "/mine")])
def test_after_the_change_without_next_each_account_goes_home(client, request, who, home):
    assert change_initial_password(client, request.getfixturevalue(who)) == home


def test_after_the_change_an_unsafe_next_is_ignored(client, reviewer):
    assert change_initial_password(client, reviewer, "https://evil.example/") == "/workspace/"
