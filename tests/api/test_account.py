"""Account endpoints: token, the initial-password gate, SMS codes, me, my org, points, favorites."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from demands import services as demand_services
from orgs.models import User
from scoring.services import rating_submit
from workflows import services as claim_services

from .. import factories as f


@pytest.fixture
def imported(db):
    user = User(username="league_import", must_change_password=True)
    user.set_password(settings.PLATFORM["INITIAL_PASSWORD"])
    user.save()
    return user


def test_token_login(client_for, reviewer):
    response = client_for(None).post(
        "/api/v1/auth/token/", {"username": "reviewer", "password": f.PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["must_change_password"] is False
    token = response.json()["token"]
    me = client_for(None).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200 and me.json()["username"] == "reviewer"


@pytest.mark.parametrize(
    "body", [{"username": "reviewer", "password": "wrong"}, {"username": "reviewer"}]
)
def test_token_refused(client_for, reviewer, body):
    response = client_for(None).post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "password" in response.json()["fields"]


def test_initial_password_must_change_before_anything_else(client_for, imported):
    login = client_for(None).post(
        "/api/v1/auth/token/", {"username": "league_import", "password": "000000"}, format="json"
    )
    assert login.json()["must_change_password"] is True
    client = client_for(imported)
    for path in ("/api/v1/me/", "/api/v1/demands/", "/api/v1/me/points/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "password_change_required"
    assert (
        client.post(f"/api/v1/demands/{999}/favorite/").json()["code"] == "password_change_required"
    )

    weak = client.post(
        "/api/v1/auth/password/",
        {"old_password": "000000", "new_password": "000000"},
        format="json",
    )
    assert weak.status_code == 400 and "new_password" in weak.json()["fields"]
    changed = client.post(
        "/api/v1/auth/password/",
        {"old_password": "000000", "new_password": "Guangdong-2026"},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["must_change_password"] is False
    assert client.get("/api/v1/me/").status_code == 401  # the change ended the old token
    client.credentials(HTTP_AUTHORIZATION=f"Token {changed.json()['token']}")
    assert client.get("/api/v1/me/").status_code == 200


def test_password_change_needs_the_old_password(client_for, reviewer):
    response = client_for(reviewer).post(
        "/api/v1/auth/password/",
        {"old_password": "nope", "new_password": "Another-pass-99"},
        format="json",
    )
    assert response.status_code == 400 and set(response.json()["fields"]) == {"old_password"}
    assert client_for(None).post("/api/v1/auth/password/", {}, format="json").status_code == 401


# -- SMS codes -----------------------------------------------------------------------------------


def test_sms_code_goes_to_the_outbox(sms_code, outbox):
    code = sms_code("18826480174")
    assert len(code) == 6
    assert outbox()[-1]["phone"] == "18826480174"


def test_sms_code_rate_limit_and_validation(client_for, sms_code):
    sms_code("18826480174")
    again = client_for(None).post(
        "/api/v1/sms/codes/", {"phone": "18826480174", "purpose": "demand_contact"}, format="json"
    )
    assert again.status_code == 429 and again.json()["code"] == "throttled"
    assert again.json()["detail"] == "验证码发送过于频繁，请一分钟后再试"
    assert 0 < int(again["Retry-After"]) <= 60
    bad = client_for(None).post(
        "/api/v1/sms/codes/", {"phone": "12", "purpose": "x"}, format="json"
    )
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"phone", "purpose"}
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert sms_code("18826480174")


def test_sms_codes_per_client_answer_429_with_retry_after(client_for, sms_code, conforms):
    for i in range(20):
        sms_code(f"1380000{i:04d}")
    refused = client_for(None).post(
        "/api/v1/sms/codes/", {"phone": "13900000000", "purpose": "demand_contact"}, format="json"
    )
    assert refused.status_code == 429
    assert refused.json() == {
        "code": "sms_client_limit",
        "detail": "获取验证码过于频繁，请60分钟后再试",
    }
    assert 3500 < int(refused["Retry-After"]) <= 3600
    conforms(refused, "POST /api/v1/sms/codes/")
    other = client_for(None).post(
        "/api/v1/sms/codes/",
        {"phone": "13900000000", "purpose": "demand_contact"},
        format="json",
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 202


# -- password change -----------------------------------------------------------------------------


def test_password_change_gives_a_new_token_and_ends_the_old_one(client_for, reviewer, conforms):
    client = client_for(reviewer)
    changed = client.post(
        "/api/v1/auth/password/",
        {"old_password": f.PASSWORD, "new_password": "Another-pass-2026"},
        format="json",
    )
    assert changed.status_code == 200
    conforms(changed, "POST /api/v1/auth/password/")
    assert client.get("/api/v1/me/").status_code == 401  # the old token
    fresh = client_for(None)
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {changed.json()['token']}")
    assert fresh.get("/api/v1/me/").status_code == 200


def test_password_change_is_throttled_like_the_login(client_for, reviewer, conforms):
    client = client_for(reviewer)
    for _ in range(5):
        wrong = client.post(
            "/api/v1/auth/password/",
            {"old_password": "nope", "new_password": "Another-pass-99"},
            format="json",
        )
        assert wrong.status_code == 400
    locked = client.post(
        "/api/v1/auth/password/",
        {"old_password": f.PASSWORD, "new_password": "Another-pass-99"},
        format="json",
    )
    assert locked.status_code == 429 and locked.json()["code"] == "login_locked"
    assert int(locked["Retry-After"]) > 0
    conforms(locked, "POST /api/v1/auth/password/")


# -- me ----------------------------------------------------------------------------------------


def test_me_for_each_role(client_for, reviewer, operator, league, vorg, demand, db):
    claim_services.claim_request(demand=demand, org=vorg, actor=operator)
    me = client_for(reviewer).get("/api/v1/me/").json()
    assert me["roles"] == ["league_reviewer"]
    assert me["league_org"] == {"id": league.pk, "name": league.name}
    assert me["volunteer_org"] is None
    assert me["todo"] == {"to_confirm": 1, "to_claim": 1, "to_rate": 0}

    me = client_for(operator).get("/api/v1/me/").json()
    assert me["volunteer_org"]["profile_complete"] is True
    assert me["todo"] == {"to_confirm": 1, "to_claim": 0, "to_rate": 0}

    individual = f.UserFactory(username="someone")
    me = client_for(individual).get("/api/v1/me/").json()
    assert me["roles"] == ["individual"]
    assert me["todo"] == {"to_confirm": 0, "to_claim": 0, "to_rate": 0}
    assert client_for(None).get("/api/v1/me/").status_code == 401


def test_to_rate_counts_only_what_i_have_not_rated(client_for, reviewer, operator, demand):
    claim = f.claim(demand, operator)
    claim_services.claim_approve(claim=claim, actor=reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    rating_submit(claim=claim, actor=operator, stars=5)
    assert client_for(reviewer).get("/api/v1/me/").json()["todo"]["to_rate"] == 1
    assert client_for(operator).get("/api/v1/me/").json()["todo"]["to_rate"] == 0


# -- my org ------------------------------------------------------------------------------------

PROFILE = {
    "name": "深圳青年志愿服务队",
    "city": "深圳市",
    "service_areas": ["care_for_minors", "culture_sports"],
    "service_objects": ["teenagers"],
    "volunteer_count": 30,
    "contact_name": "王队长",
    "contact_mobile": "13800138000",
    "intro": "关爱未成年人。",
}


def test_volunteer_org_completes_its_profile(client_for, operator, vorg):
    vorg.intro = ""
    vorg.save()
    assert client_for(operator).get("/api/v1/me/").json()["volunteer_org"]["profile_missing"] == [
        "intro"
    ]
    response = client_for(operator).put("/api/v1/me/org/", PROFILE, format="json")
    assert response.status_code == 200, response.json()
    vorg.refresh_from_db()
    assert vorg.profile_complete and vorg.city.name == "深圳市"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"city": "北京市"}, "city"),
        ({"service_areas": ["astrology"]}, "service_areas.0"),
        ({"service_areas": []}, "service_areas"),
        ({"volunteer_count": 0}, "volunteer_count"),
        ({"contact_mobile": "123"}, "contact_mobile"),
        ({"intro": "长" * 501}, "intro"),
    ],
)
def test_profile_field_rules(client_for, operator, change, field):
    response = client_for(operator).put("/api/v1/me/org/", {**PROFILE, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_league_org_profile_and_individuals(client_for, reviewer, league):
    response = client_for(reviewer).patch("/api/v1/me/org/", {"intro": "深圳团市委"}, format="json")
    assert response.status_code == 200 and response.json()["intro"] == "深圳团市委"
    individual = f.UserFactory(username="someone")
    assert client_for(individual).get("/api/v1/me/org/").status_code == 403


# -- points and favorites ------------------------------------------------------------------------


def test_points_balance_and_entries(client_for, reviewer, operator, demand):
    claim = f.claim(demand, operator)
    claim_services.claim_approve(claim=claim, actor=reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    rating_submit(claim=claim, actor=reviewer, stars=5)
    rating_submit(claim=claim, actor=operator, stars=3)
    mine = client_for(operator).get("/api/v1/me/points/").json()
    assert mine["balance"] == 10 and mine["count"] == 1
    assert mine["entries"][0]["points"] == 10 and mine["entries"][0]["claim"] == claim.pk
    assert client_for(reviewer).get("/api/v1/me/points/").json()["balance"] == 6
    assert client_for(f.UserFactory()).get("/api/v1/me/points/").status_code == 403


def test_favorites(client_for, demand, reviewer):
    someone = f.UserFactory(username="someone")
    client = client_for(someone)
    assert client.post(f"/api/v1/demands/{demand.pk}/favorite/").json() == {
        "active": True,
        "count": 1,
    }
    other = f.open_demand(reviewer, title="【七彩假期】第二个需求")
    demand_services.favorite_set(actor=someone, demand=other, on=True)
    listed = client.get("/api/v1/me/favorites/").json()
    assert [d["id"] for d in listed["results"]] == [other.pk, demand.pk]
    assert client.delete(f"/api/v1/demands/{demand.pk}/favorite/").json()["active"] is False
    assert client.get("/api/v1/me/favorites/").json()["count"] == 1
