"""What the mobile site needs (issue 11): session login, sign-up, password recovery, the
league-org lookup, the caller's marks, the individual's /me/, claim contacts, report ids,
a demand's ratings and a help request's progress in the list."""

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from demands import services as demand_services
from orgs.models import AuditRecord, LoginFailure, User
from scoring.services import rating_submit
from workflows import services as claim_services

from .. import factories as f

CSRF = "A" * 32  # a CSRF secret as the csrftoken cookie holds it
NEW_PASSWORD = "Guangdong-2026"


@pytest.fixture
def browser():
    """The mobile site's client: session cookie, CSRF checked, the header sent by hand."""

    def make(csrf=True):
        client = APIClient(enforce_csrf_checks=True)
        client.cookies["csrftoken"] = CSRF
        if csrf:
            client.credentials(HTTP_X_CSRFTOKEN=CSRF)
        return client

    return make


def audits(user, action):
    return AuditRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=user.pk, action=action
    )


# -- session login ----------------------------------------------------------------------------


def test_session_login_answers_me_and_signs_the_browser_in(browser, reviewer, conforms):
    client = browser()
    response = client.post(
        "/api/v1/auth/session/", {"username": "reviewer", "password": f.PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    conforms(response, "POST /api/v1/auth/session/")
    body = response.json()
    assert body["username"] == "reviewer" and body["must_change_password"] is False
    assert body["roles"] == ["league_reviewer"]
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert response.cookies["csrftoken"].value != CSRF  # rotated at login
    client.credentials(HTTP_X_CSRFTOKEN=response.cookies["csrftoken"].value)
    assert client.get("/api/v1/me/").json()["username"] == "reviewer"
    # An unsafe request of the session needs the header like any other.
    assert client.post("/api/v1/demands/1/like/").status_code in (404, 200)
    client.credentials()
    refused = client.post("/api/v1/auth/logout/")
    assert refused.status_code == 403


def test_session_login_needs_the_csrf_header(browser, reviewer, conforms):
    response = browser(csrf=False).post(
        "/api/v1/auth/session/", {"username": "reviewer", "password": f.PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    conforms(response, "POST /api/v1/auth/session/")
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_session_login_refuses_a_wrong_password(browser, reviewer):
    response = browser().post(
        "/api/v1/auth/session/", {"username": "reviewer", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400 and "password" in response.json()["fields"]


def test_session_login_is_throttled_with_the_token_login(browser, reviewer, conforms):
    client = browser()
    for path in ("/api/v1/auth/token/",) * 3 + ("/api/v1/auth/session/",) * 2:
        wrong = {"username": "reviewer", "password": "wrong"}
        assert client.post(path, wrong, format="json").status_code == 400
    locked = client.post(
        "/api/v1/auth/session/", {"username": "reviewer", "password": f.PASSWORD}, format="json"
    )
    assert locked.status_code == 429
    assert locked.json()["code"] == "login_locked" and int(locked["Retry-After"]) > 0
    conforms(locked, "POST /api/v1/auth/session/")


@pytest.fixture
def imported(db):
    user = User(username="league_import", must_change_password=True)
    user.set_password(settings.PLATFORM["INITIAL_PASSWORD"])
    user.save()
    return user


def test_a_session_on_the_initial_password_may_only_change_it_or_log_out(browser, imported):
    client = browser()
    login = client.post(
        "/api/v1/auth/session/", {"username": "league_import", "password": "000000"}, format="json"
    )
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    client.credentials(HTTP_X_CSRFTOKEN=login.cookies["csrftoken"].value)
    for path in ("/api/v1/me/", "/api/v1/demands/", "/api/v1/initial-demands/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "password_change_required"
    assert client.post("/api/v1/demands/1/like/").json()["code"] == "password_change_required"
    changed = client.post(
        "/api/v1/auth/password/",
        {"old_password": "000000", "new_password": NEW_PASSWORD},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["must_change_password"] is False
    assert client.get("/api/v1/me/").status_code == 200  # the session stays signed in


def test_logout_ends_the_session_and_leaves_the_token(browser, reviewer, client_for):
    token = Token.objects.create(user=reviewer)
    client = browser()
    login = client.post(
        "/api/v1/auth/session/", {"username": "reviewer", "password": f.PASSWORD}, format="json"
    )
    client.credentials(HTTP_X_CSRFTOKEN=login.cookies["csrftoken"].value)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert Token.objects.filter(pk=token.pk).exists()  # other clients stay signed in
    # A token's logout deletes that token.
    tokened = client_for(reviewer)
    assert tokened.post("/api/v1/auth/logout/").status_code == 204
    assert not Token.objects.filter(user=reviewer).exists()


# -- sign-up ---------------------------------------------------------------------------------

MOBILE = "13912345678"


def test_register_creates_an_individual_and_signs_in(browser, sms_code, conforms):
    code = sms_code(MOBILE, "register")
    client = browser()
    response = client.post(
        "/api/v1/auth/register/",
        {"mobile": MOBILE, "sms_code": code, "password": NEW_PASSWORD, "display_name": "赵雷"},
        format="json",
    )
    assert response.status_code == 201, response.content
    conforms(response, "POST /api/v1/auth/register/")
    body = response.json()
    assert body["username"] == MOBILE and body["roles"] == ["individual"]
    assert body["display_name"] == "赵雷" and body["must_change_password"] is False
    user = User.objects.get(username=MOBILE)
    assert user.mobile == MOBILE and user.check_password(NEW_PASSWORD)
    assert not user.memberships.exists()
    assert audits(user, "register").count() == 1
    assert client.get("/api/v1/me/").json()["id"] == user.pk  # signed in with the session


def test_register_checks_fields_before_the_code(browser, sms_code):
    code = sms_code(MOBILE, "register")
    client = browser()
    for password in ("000000", "123", MOBILE):
        weak = client.post(
            "/api/v1/auth/register/",
            {"mobile": MOBILE, "sms_code": code, "password": password},
            format="json",
        )
        assert weak.status_code == 400 and "password" in weak.json()["fields"], password
    wrong = client.post(
        "/api/v1/auth/register/",
        {"mobile": MOBILE, "sms_code": "000000", "password": NEW_PASSWORD},
        format="json",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_sms_code"
    right = client.post(
        "/api/v1/auth/register/",
        {"mobile": MOBILE, "sms_code": code, "password": NEW_PASSWORD},
        format="json",
    )
    assert right.status_code == 201  # the refusals spent neither the code nor its use


def test_register_needs_the_csrf_header(browser, sms_code):
    code = sms_code(MOBILE, "register")
    response = browser(csrf=False).post(
        "/api/v1/auth/register/",
        {"mobile": MOBILE, "sms_code": code, "password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert not User.objects.filter(username=MOBILE).exists()


def test_a_registered_mobile_is_refused_only_to_the_phones_holder(browser, sms_code, reviewer):
    reviewer.mobile = MOBILE
    reviewer.save()
    client = browser()
    stranger = client.post(
        "/api/v1/auth/register/",
        {"mobile": MOBILE, "sms_code": "123456", "password": NEW_PASSWORD},
        format="json",
    )
    assert stranger.json()["code"] == "invalid_sms_code"  # as for any other mobile
    code = sms_code(MOBILE, "register")
    holder = client.post(
        "/api/v1/auth/register/",
        {"mobile": MOBILE, "sms_code": code, "password": NEW_PASSWORD},
        format="json",
    )
    assert holder.status_code == 400
    assert holder.json()["code"] == "mobile_registered" and "mobile" in holder.json()["fields"]
    assert User.objects.filter(mobile=MOBILE).count() == 1


# -- password recovery -----------------------------------------------------------------------


def test_a_reset_code_is_sent_only_to_an_accounts_mobile(
    client_for, outbox, reviewer, django_capture_on_commit_callbacks
):
    reviewer.mobile = "13912345679"
    reviewer.save()
    anon = client_for(None)
    answers = []
    for phone in (MOBILE, "13912345679"):
        with django_capture_on_commit_callbacks(execute=True):
            response = anon.post(
                "/api/v1/sms/codes/", {"phone": phone, "purpose": "password_reset"}, format="json"
            )
        assert response.status_code == 202
        answers.append(response.json())
    assert answers[0] == answers[1]  # the answer does not tell which mobile has an account
    assert [m["phone"] for m in outbox()] == ["13912345679"]
    # Both requests count for the limits: the first phone's second request a minute later is
    # refused alike.
    again = anon.post(
        "/api/v1/sms/codes/", {"phone": MOBILE, "purpose": "password_reset"}, format="json"
    )
    assert again.status_code == 429


def test_password_reset(client_for, sms_code, reviewer, conforms):
    reviewer.mobile = MOBILE
    reviewer.must_change_password = True
    reviewer.save()
    Token.objects.create(user=reviewer)
    code = sms_code(MOBILE, "password_reset")
    response = client_for(None).post(
        "/api/v1/auth/password/reset/",
        {"mobile": MOBILE, "sms_code": code, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    conforms(response, "POST /api/v1/auth/password/reset/")
    assert response.json()["username"] == "reviewer"
    reviewer.refresh_from_db()
    assert reviewer.check_password(NEW_PASSWORD) and reviewer.must_change_password is False
    assert not Token.objects.filter(user=reviewer).exists()
    assert audits(reviewer, "password_recover").count() == 1
    again = client_for(None).post(
        "/api/v1/auth/password/reset/",
        {"mobile": MOBILE, "sms_code": code, "new_password": "Another-2026-pass"},
        format="json",
    )
    assert again.status_code == 400 and again.json()["code"] == "invalid_sms_code"  # used up


def test_password_reset_refuses_weak_passwords_before_the_code(client_for, sms_code, reviewer):
    reviewer.mobile = MOBILE
    reviewer.save()
    code = sms_code(MOBILE, "password_reset")
    for password in ("000000", "1234"):
        response = client_for(None).post(
            "/api/v1/auth/password/reset/",
            {"mobile": MOBILE, "sms_code": code, "new_password": password},
            format="json",
        )
        assert response.status_code == 400 and "new_password" in response.json()["fields"]
    assert not LoginFailure.objects.exists()  # nothing was tried


def test_several_accounts_on_one_mobile_need_the_username(client_for, sms_code, reviewer, operator):
    for user in (reviewer, operator):
        user.mobile = MOBILE
        user.save()
    code = sms_code(MOBILE, "password_reset")
    body = {"mobile": MOBILE, "sms_code": code, "new_password": NEW_PASSWORD}
    which = client_for(None).post("/api/v1/auth/password/reset/", body, format="json")
    assert which.status_code == 400 and which.json()["code"] == "username_required"
    named = client_for(None).post(
        "/api/v1/auth/password/reset/", {**body, "username": "operator"}, format="json"
    )
    assert named.status_code == 200 and named.json()["username"] == "operator"
    operator.refresh_from_db()
    reviewer.refresh_from_db()
    assert operator.check_password(NEW_PASSWORD) and not reviewer.check_password(NEW_PASSWORD)


def test_wrong_reset_codes_count_as_failed_logins(client_for, sms_code, reviewer, conforms):
    reviewer.mobile = MOBILE
    reviewer.save()
    code = sms_code(MOBILE, "password_reset")
    client = client_for(None)
    body = {"mobile": MOBILE, "new_password": NEW_PASSWORD, "username": "reviewer"}
    for _ in range(5):
        wrong = client.post(
            "/api/v1/auth/password/reset/", {**body, "sms_code": "999999"}, format="json"
        )
        assert wrong.status_code == 400
    locked = client.post("/api/v1/auth/password/reset/", {**body, "sms_code": code}, format="json")
    assert locked.status_code == 429 and locked.json()["code"] == "login_locked"
    assert int(locked["Retry-After"]) > 0
    conforms(locked, "POST /api/v1/auth/password/reset/")
    # The same count as the password login's.
    login = client.post(
        "/api/v1/auth/token/", {"username": "reviewer", "password": f.PASSWORD}, format="json"
    )
    assert login.status_code == 429


# -- league-org lookup -----------------------------------------------------------------------


def test_league_orgs_are_found_by_name(client_for, league, other_league, conforms):
    response = client_for(None).get("/api/v1/league-orgs/", {"search": "深圳"})
    assert response.status_code == 200
    conforms(response, "GET /api/v1/league-orgs/")
    assert [o["id"] for o in response.json()["results"]] == [league.pk]
    row = response.json()["results"][0]
    assert row == {
        "id": league.pk,
        "name": league.name,
        "level": "city",
        "level_label": league.get_level_display(),
        "city": "深圳市",
    }
    by_city = client_for(None).get("/api/v1/league-orgs/", {"city": "广州市"}).json()
    assert [o["id"] for o in by_city["results"]] == [other_league.pk]


# -- the caller's marks ----------------------------------------------------------------------


def test_liked_and_favorited_are_the_callers(client_for, demand, operator, operator2, conforms):
    demand_services.like_set(actor=operator, demand=demand, on=True)
    demand_services.favorite_set(actor=operator2, demand=demand, on=True)
    for user, liked, favorited in (
        (None, False, False),
        (operator, True, False),
        (operator2, False, True),
    ):
        client = client_for(user)
        row = client.get("/api/v1/demands/").json()["results"][0]
        detail = client.get(f"/api/v1/demands/{demand.pk}/")
        conforms(detail, "GET /api/v1/demands/{id}/")
        for body in (row, detail.json()):
            assert (body["liked"], body["favorited"]) == (liked, favorited), user
            assert body["like_count"] == 1 and body["favorite_count"] == 1


# -- the individual's /me/ ---------------------------------------------------------------------


def test_me_of_an_individual_counts_their_help_requests(client_for, reviewer, league, db):
    individual = f.UserFactory(username="family")

    def submit():
        return demand_services.initial_demand_submit(
            actor=individual,
            league_org=league,
            kind="ordinary",
            data={"title": "老人需要陪伴", "contact_name": "赵雷", "contact_mobile": MOBILE},
            verify_mobile=False,
        )

    submit()  # 待采用
    waiting = demand_services.initial_demand_adopt(initial_demand=submit(), actor=reviewer)
    demand = f.open_demand(reviewer, initial_demands=[waiting])  # 待认领
    demand_services.initial_demand_adopt(initial_demand=submit(), actor=reviewer)  # 已采用
    me = client_for(individual).get("/api/v1/me/").json()
    assert me["roles"] == ["individual"]
    assert me["todo"] == {"to_confirm": 1, "to_claim": 1, "to_rate": 0}
    operator = f.operator_of(f.VolunteerOrgFactory())
    claim_services.claim_approve(claim=f.claim(demand, operator), actor=reviewer)  # 已认领
    me = client_for(individual).get("/api/v1/me/").json()
    assert me["todo"] == {"to_confirm": 1, "to_claim": 0, "to_rate": 0}


# -- claims, reports, ratings, progress --------------------------------------------------------


def test_claim_detail_shows_the_demands_contact(client_for, demand, operator, reviewer, conforms):
    claim = f.claim(demand, operator)
    client = client_for(operator)
    before = client.get(f"/api/v1/claims/{claim.pk}/").json()["demand"]
    assert before["contact_name"] == demand.contact_name
    assert before["contact_landline"] == demand.contact_landline
    assert "****" in before["contact_mobile"]
    claim_services.claim_approve(claim=claim, actor=reviewer)
    after = client.get(f"/api/v1/claims/{claim.pk}/")
    conforms(after, "GET /api/v1/claims/{id}/")
    assert after.json()["demand"]["contact_mobile"] == demand.contact_mobile


def test_a_report_is_answered_with_its_id(client_for, demand, operator, reviewer, conforms):
    response = client_for(operator).post(
        f"/api/v1/demands/{demand.pk}/reports/", {"reason": "信息不实"}, format="json"
    )
    assert response.status_code == 201
    conforms(response, "POST /api/v1/demands/{id}/reports/")
    body = response.json()
    assert body["id"] == demand.reports.get().pk and body["demand"] == demand.pk
    assert body["reason"] == "信息不实"
    draft = f.draft_demand(reviewer)
    conflict = client_for(reviewer).post(
        f"/api/v1/demands/{draft.pk}/reports/", {"reason": "信息不实"}, format="json"
    )
    assert conflict.status_code == 409
    hidden = client_for(operator).post(
        f"/api/v1/demands/{draft.pk}/reports/", {"reason": "信息不实"}, format="json"
    )
    assert hidden.status_code == 404


def test_demand_ratings_show_once_both_sides_rated(
    client_for, demand, operator, reviewer, conforms
):
    claim = claim_services.claim_approve(claim=f.claim(demand, operator), actor=reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    rating_submit(claim=claim, actor=reviewer, stars=5, comment="很好")
    for user in (None, reviewer, operator):
        assert client_for(user).get(f"/api/v1/demands/{demand.pk}/").json()["ratings"] == []
    rating_submit(claim=claim, actor=operator, stars=4, comment="配合")
    response = client_for(None).get(f"/api/v1/demands/{demand.pk}/")
    conforms(response, "GET /api/v1/demands/{id}/")
    ratings = response.json()["ratings"]
    assert [(r["side"], r["stars"], r["comment"]) for r in ratings] == [
        ("league", 5, "很好"),
        ("volunteer", 4, "配合"),
    ]
    assert {r["org"]["id"] for r in ratings} == {operator.volunteer_org.pk}


def test_my_help_requests_show_their_progress(client_for, reviewer, league, operator, conforms):
    initial = f.adopted_initial_demand(reviewer, league)
    demand = f.open_demand(reviewer, initial_demands=[initial])
    claim_services.claim_approve(claim=f.claim(demand, operator), actor=reviewer)
    response = client_for(initial.submitter).get("/api/v1/initial-demands/")
    conforms(response, "GET /api/v1/initial-demands/")
    (row,) = response.json()["results"]
    assert [(s["step"], s["done"]) for s in row["progress"]] == [
        ("pending", True),
        ("adopted", True),
        ("open", True),
        ("claimed", True),
        ("published", False),
    ]
