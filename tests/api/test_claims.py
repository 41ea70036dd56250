"""Claims over HTTP: who sees which claim, review, withdrawal, activity, ratings, idempotency."""

import datetime

import pytest

from demands.models import Demand
from orgs.choices import Role
from orgs.models import Membership
from workflows import services
from workflows.models import Claim

from .. import factories as f

MOBILE, MASKED = "18826480174", "188****0174"


def url(claim, action=None) -> str:
    pk = claim if isinstance(claim, int) else claim.pk
    return f"/api/v1/claims/{pk}/" + (f"{action}/" if action else "")


def post(client, claim, action, body=None, **headers):
    return client.post(url(claim, action), body or {}, format="json", headers=headers)


def assert_error(response, status, code=None, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert {"code", "detail"} <= set(body) <= {"code", "detail", "fields"}
    if code:
        assert body["code"] == code
    if field:
        assert field in body["fields"], body


@pytest.fixture
def admin(province):
    user = f.UserFactory(username="admin")
    Membership.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, league_org=province)
    return user


@pytest.fixture
def nobody(db):
    return f.UserFactory(username="nobody")


@pytest.fixture
def pending(demand, operator):
    return f.claim(demand, operator)


@pytest.fixture
def competing(demand, operator2):
    return f.claim(demand, operator2)


@pytest.fixture
def approved(pending, reviewer):
    return services.claim_approve(claim=pending, actor=reviewer)


@pytest.fixture
def published(approved, operator):
    services.activity_publish(claim=approved, actor=operator, data=f.activity_data())
    return Claim.objects.get(pk=approved.pk)


def steps(body) -> dict[str, bool]:
    return {s["step"]: s["done"] for s in body["progress"]}


# -- list ----------------------------------------------------------------------------------


def test_list_requires_login(client_for, pending):
    assert_error(client_for(None).get("/api/v1/claims/"), 401)


def test_list_refuses_a_user_without_an_org_role(client_for, nobody, pending):
    assert_error(client_for(nobody).get("/api/v1/claims/"), 403)


def test_list_volunteer_org_sees_its_own_applications(client_for, pending, competing, operator):
    response = client_for(operator).get("/api/v1/claims/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == pending.pk
    assert row["status"] == "pending"
    assert row["status_label"] == "待确认"
    assert row["org"]["name"] == "深圳青年志愿服务队"
    assert row["demand"]["league_org"]["name"] == "共青团深圳市委员会"
    assert row["current_step"] == "review"
    assert "contact_mobile" not in row["demand"]


def test_list_league_org_sees_the_claims_on_its_demands(
    client_for, pending, competing, reviewer, other_reviewer
):
    ids = [r["id"] for r in client_for(reviewer).get("/api/v1/claims/").json()["results"]]
    assert sorted(ids) == sorted([pending.pk, competing.pk])
    assert client_for(other_reviewer).get("/api/v1/claims/").json()["count"] == 0


def test_list_provincial_admin_sees_every_claim(client_for, admin, pending, other_reviewer, vorg):
    elsewhere = f.open_demand(other_reviewer)
    f.claim(elsewhere, f.operator_of(vorg))
    assert client_for(admin).get("/api/v1/claims/").json()["count"] == 2


def test_list_filters_by_status(client_for, competing, approved, reviewer):
    client = client_for(reviewer)
    rejected = client.get("/api/v1/claims/", {"status": "rejected"}).json()
    assert [r["id"] for r in rejected["results"]] == [competing.pk]
    assert rejected["results"][0]["reason"] == "该需求已由其他组织认领成功"
    ok = client.get("/api/v1/claims/", {"status": "approved"}).json()
    assert [r["id"] for r in ok["results"]] == [approved.pk]
    assert client.get("/api/v1/claims/", {"status": "pending"}).json()["count"] == 0


def test_list_refuses_an_unknown_status(client_for, reviewer, pending):
    response = client_for(reviewer).get("/api/v1/claims/", {"status": "lost"})
    assert_error(response, 400, "invalid", "status")


def test_list_orders_and_pages(client_for, reviewer, operator):
    first, second, third = (f.claim(f.open_demand(reviewer), operator) for _ in range(3))
    services.claim_approve(claim=second, actor=reviewer)
    services.claim_approve(claim=first, actor=reviewer)
    client = client_for(reviewer)

    def ids(**params):
        return [r["id"] for r in client.get("/api/v1/claims/", params).json()["results"]]

    assert ids() == [third.pk, second.pk, first.pk]
    assert ids(ordering="created_at") == [first.pk, second.pk, third.pk]
    assert ids(status="approved", ordering="decided_at") == [second.pk, first.pk]
    assert ids(status="approved", ordering="-decided_at") == [first.pk, second.pk]
    page = client.get("/api/v1/claims/", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 3
    assert [r["id"] for r in page["results"]] == [first.pk]


def test_list_shows_each_claims_current_step(client_for, reviewer, operator):
    # what the list costs, at any page size: tests/test_query_budgets.py
    claims = [f.claim(f.open_demand(reviewer), operator) for _ in range(3)]
    services.claim_approve(claim=claims[1], actor=reviewer)
    services.claim_approve(claim=claims[2], actor=reviewer)
    services.activity_publish(claim=claims[2], actor=operator, data=f.activity_data())
    client = client_for(reviewer)
    steps_by_id = {
        r["id"]: r["current_step"] for r in client.get("/api/v1/claims/").json()["results"]
    }
    assert steps_by_id == {
        claims[0].pk: "review",
        claims[1].pk: "publish_activity",
        claims[2].pk: "rate_by_league",
    }


# -- detail --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["operator", "reviewer", "admin"])
def test_detail_for_each_party(client_for, pending, who, request):
    response = client_for(request.getfixturevalue(who)).get(url(pending))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == pending.pk
    assert body["demand"]["title"] == "【七彩假期】招募志愿服务团队"
    assert body["demand"]["league_org"]["name"] == "共青团深圳市委员会"
    assert body["activity"] is None
    assert body["ratings"] == []
    assert (
        body["my_rating_side"]
        == {
            "operator": "volunteer",
            "reviewer": "league",
            "admin": None,
        }[who]
    )
    assert body["current_step"] == "review"
    assert body["progress"] == [
        {"step": "request", "label": "认领申请", "done": True},
        {"step": "review", "label": "审核认领", "done": False},
        {"step": "activity", "label": "发布活动", "done": False},
        {"step": "rating", "label": "双方评分", "done": False},
        {"step": "complete", "label": "完成", "done": False},
    ]


@pytest.mark.parametrize("who", ["operator2", "other_reviewer", "nobody"])
def test_detail_is_404_for_anyone_but_the_parties(client_for, pending, who, request):
    response = client_for(request.getfixturevalue(who)).get(url(pending))
    assert_error(response, 404, "not_found")


def test_detail_requires_login(client_for, pending):
    assert_error(client_for(None).get(url(pending)), 401)


@pytest.mark.parametrize("pk", ["999999", "abc", "99999999999999999999999"])
def test_detail_of_a_missing_claim_is_404(client_for, reviewer, pending, pk):
    response = client_for(reviewer).get(f"/api/v1/claims/{pk}/")
    assert response.status_code == 404


def test_contact_mobile_is_masked_until_the_claim_is_approved(
    client_for, pending, competing, reviewer, operator, operator2, admin
):
    def mobile(user, claim):
        return client_for(user).get(url(claim)).json()["demand"]["contact_mobile"]

    assert mobile(reviewer, pending) == MOBILE  # the owner
    assert mobile(operator, pending) == MASKED
    assert mobile(admin, pending) == MASKED

    services.claim_approve(claim=pending, actor=reviewer)
    assert mobile(operator, pending) == MOBILE  # the approved claimer
    assert mobile(operator2, competing) == MASKED  # the claimer that lost
    assert mobile(admin, pending) == MASKED


def test_contact_mobile_is_masked_again_after_the_approved_claim_is_withdrawn(
    client_for, approved, operator
):
    services.claim_withdraw(claim=approved, actor=operator)
    assert client_for(operator).get(url(approved)).json()["demand"]["contact_mobile"] == MASKED


# -- approve -------------------------------------------------------------------------------


def test_approve(client_for, pending, competing, reviewer):
    response = post(client_for(reviewer), pending, "approve")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert body["status_label"] == "认领成功"
    assert body["decided_at"]
    assert body["demand"] == {
        "id": pending.demand_id,
        "status": "claimed",
        "status_label": "已认领",
    }
    assert body["actions"] == []  # the reviewer's part is done
    # the answer is the claim's state; the detail shows where the process is now
    body = client_for(reviewer).get(url(pending)).json()
    assert body["current_step"] == "publish_activity"
    assert steps(body) == {
        "request": True,
        "review": True,
        "activity": False,
        "rating": False,
        "complete": False,
    }
    competing.refresh_from_db()
    assert competing.status == "rejected"


def test_approve_requires_login(client_for, pending):
    assert_error(post(client_for(None), pending, "approve"), 401)


@pytest.mark.parametrize("who", ["operator", "operator2", "admin", "nobody"])
def test_approve_refuses_a_user_who_is_no_league_reviewer(client_for, pending, who, request):
    assert_error(post(client_for(request.getfixturevalue(who)), pending, "approve"), 403)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_approve_by_another_league_org_is_404(client_for, pending, other_reviewer):
    assert_error(post(client_for(other_reviewer), pending, "approve"), 404)


def test_approve_twice_is_409(client_for, approved, reviewer):
    assert_error(post(client_for(reviewer), approved, "approve"), 409, "transition_not_allowed")


def test_approve_a_competing_claim_after_the_demand_is_claimed_is_409(
    client_for, competing, approved, reviewer
):
    assert_error(post(client_for(reviewer), competing, "approve"), 409)


def test_approve_replays_for_the_same_idempotency_key(client_for, pending, reviewer):
    client = client_for(reviewer)
    first = post(client, pending, "approve", **{"Idempotency-Key": "approve-1"})
    assert first.status_code == 200
    assert "Idempotent-Replayed" not in first
    again = post(client, pending, "approve", **{"Idempotency-Key": "approve-1"})
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    # the first answer, as kept (it carries no mobile to mask: api/idempotency.py)
    assert again.json() == first.json()
    # without the key it is a new request, which the state now forbids
    assert_error(post(client, pending, "approve"), 409)


# -- reject --------------------------------------------------------------------------------


def test_reject(client_for, pending, reviewer):
    response = post(client_for(reviewer), pending, "reject", {"reason": "人数不足"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "rejected"
    assert body["reason"] == "人数不足"
    assert body["demand"]["status"] == "open"
    body = client_for(reviewer).get(url(pending)).json()
    assert body["current_step"] is None
    assert steps(body)["review"] is True
    assert steps(body)["activity"] is False
    assert client_for(reviewer).get(url(pending)).json()["demand"]["status"] == "open"


@pytest.mark.parametrize(
    "body",
    [{}, {"reason": ""}, {"reason": "   "}, {"reason": "因" * 201}, {"reason": "人数\u202e不足"}],
)
def test_reject_needs_a_reason_of_at_most_200(client_for, pending, reviewer, body):
    assert_error(post(client_for(reviewer), pending, "reject", body), 400, "invalid", "reason")


def test_reject_by_the_claimer_is_403(client_for, pending, operator):
    assert_error(post(client_for(operator), pending, "reject", {"reason": "x"}), 403)


def test_reject_by_another_league_org_is_404(client_for, pending, other_reviewer):
    assert_error(post(client_for(other_reviewer), pending, "reject", {"reason": "x"}), 404)


def test_reject_after_approval_is_409(client_for, approved, reviewer):
    response = post(client_for(reviewer), approved, "reject", {"reason": "改主意了"})
    assert_error(response, 409, "transition_not_allowed")


def test_reject_with_a_reused_idempotency_key_and_another_body_is_422(
    client_for, pending, reviewer
):
    client = client_for(reviewer)
    key = {"Idempotency-Key": "reject-1"}
    assert post(client, pending, "reject", {"reason": "人数不足"}, **key).status_code == 200
    response = post(client, pending, "reject", {"reason": "时间不合适"}, **key)
    assert_error(response, 422, "idempotency_key_reused")
    replay = post(client, pending, "reject", {"reason": "人数不足"}, **key)
    assert replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"


# -- withdraw ------------------------------------------------------------------------------


def test_withdraw_a_pending_claim(client_for, pending, operator):
    response = post(client_for(operator), pending, "withdraw", {"reason": "队员有事"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "withdrawn"
    assert body["reason"] == "队员有事"
    assert body["actions"] == []
    assert client_for(operator).get(url(pending)).json()["current_step"] is None


def test_withdraw_without_a_reason(client_for, pending, operator):
    response = post(client_for(operator), pending, "withdraw")
    assert response.status_code == 200
    assert response.json()["reason"] == ""


def test_withdraw_an_approved_claim_reopens_the_demand(client_for, approved, operator):
    response = post(client_for(operator), approved, "withdraw")
    assert response.status_code == 200
    assert response.json()["demand"]["status"] == "open"
    assert Demand.objects.get(pk=approved.demand_id).status == "open"


def test_withdraw_reason_is_at_most_200(client_for, pending, operator):
    response = post(client_for(operator), pending, "withdraw", {"reason": "因" * 201})
    assert_error(response, 400, "invalid", "reason")


def test_withdraw_requires_login(client_for, pending):
    assert_error(post(client_for(None), pending, "withdraw"), 401)


def test_withdraw_by_the_league_reviewer_is_403(client_for, pending, reviewer):
    assert_error(post(client_for(reviewer), pending, "withdraw"), 403)


def test_withdraw_by_another_volunteer_org_is_404(client_for, pending, operator2):
    assert_error(post(client_for(operator2), pending, "withdraw"), 404)


def test_withdraw_after_the_activity_is_409(client_for, published, operator):
    assert_error(post(client_for(operator), published, "withdraw"), 409, "transition_not_allowed")


def test_withdraw_twice_is_409(client_for, pending, operator):
    client = client_for(operator)
    assert post(client, pending, "withdraw").status_code == 200
    assert_error(post(client, pending, "withdraw"), 409)


# -- activity ------------------------------------------------------------------------------


def activity_body(**overrides) -> dict:
    data = f.activity_data(**overrides)
    return {k: v.isoformat() if isinstance(v, datetime.datetime) else v for k, v in data.items()}


def test_publish_the_activity(client_for, approved, operator, reviewer):
    response = post(client_for(operator), approved, "activity", activity_body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "activity_published"
    assert body["demand"]["status"] == "in_service"
    assert body["actions"] == ["rating"]
    body = client_for(operator).get(url(approved)).json()
    activity = body["activity"]
    assert activity["title"] == "【七彩假期】暑期陪伴活动"
    assert activity["category"] == "civilization_practice"
    assert activity["suitability"] == ["family", "students"]
    assert activity["longitude"] == "114.123456"
    assert activity["certificate_consent"] is True
    assert activity["cover"] is None
    assert body["current_step"] == "rate_by_league"
    assert steps(body)["activity"] is True
    assert steps(body)["rating"] is False
    # the reviewer sees the same activity
    assert client_for(reviewer).get(url(approved)).json()["activity"]["id"] == activity["id"]


def test_publish_the_activity_with_only_the_required_fields(client_for, approved, operator):
    body = activity_body()
    for optional in (
        "activity_type",
        "longitude",
        "latitude",
        "checkin_radius_km",
        "signup_scope",
        "suitability",
        "service_objects",
        "guarantees",
        "service_content",
        "certificate_consent",
    ):
        del body[optional]
    response = post(client_for(operator), approved, "activity", body)
    assert response.status_code == 201, response.content
    activity = client_for(operator).get(url(approved)).json()["activity"]
    assert activity["activity_type"] == "volunteer_service"
    assert activity["signup_scope"] == "all"
    assert activity["suitability"] == []
    assert activity["longitude"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "暑期陪伴活动"}, "title"),  # no zone prefix
        ({"title": "【七彩假期】" + "长" * 50}, "title"),
        ({"end_at": datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)}, "end_at"),
        ({"category": "astronomy"}, "category"),
        ({"attendance_method": "fingerprint"}, "attendance_method"),
        ({"signup_scope": "friends"}, "signup_scope"),
        ({"suitability": ["pets"]}, "suitability.0"),
        ({"service_objects": ["aliens"]}, "service_objects.0"),
        ({"guarantees": ["cash"]}, "guarantees.0"),
        ({"recruit_count": 0}, "recruit_count"),
        ({"longitude": "200"}, "longitude"),
        ({"start_at": "tomorrow"}, "start_at"),
    ],
)
def test_publish_the_activity_refuses_bad_fields(client_for, approved, operator, overrides, field):
    response = post(client_for(operator), approved, "activity", activity_body(**overrides))
    assert_error(response, 400, "invalid", field)
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_publish_the_activity_with_a_missing_field(client_for, approved, operator):
    body = activity_body()
    del body["description"]
    assert_error(post(client_for(operator), approved, "activity", body), 400, field="description")


def test_publish_the_activity_before_approval_is_409(client_for, pending, operator):
    response = post(client_for(operator), pending, "activity", activity_body())
    assert_error(response, 409, "transition_not_allowed")


def test_publish_the_activity_twice_is_409(client_for, published, operator):
    assert_error(post(client_for(operator), published, "activity", activity_body()), 409)


def test_publish_the_activity_by_the_league_reviewer_is_403(client_for, approved, reviewer):
    assert_error(post(client_for(reviewer), approved, "activity", activity_body()), 403)


def test_publish_the_activity_for_another_org_is_404(client_for, approved, operator2):
    assert_error(post(client_for(operator2), approved, "activity", activity_body()), 404)


def test_publish_the_activity_requires_login(client_for, approved):
    assert_error(post(client_for(None), approved, "activity", activity_body()), 401)


# -- rating --------------------------------------------------------------------------------


def test_ratings_are_blind_until_both_are_in(client_for, published, operator, reviewer, admin):
    volunteer, league = client_for(operator), client_for(reviewer)

    response = post(volunteer, published, "rating", {"stars": 4, "comment": "配合很好"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "activity_published"
    assert response.json()["actions"] == []  # rated
    body = volunteer.get(url(published)).json()
    assert body["my_rating_side"] == "volunteer"
    assert [(r["side"], r["stars"], r["comment"]) for r in body["ratings"]] == [
        ("volunteer", 4, "配合很好")
    ]
    assert body["status"] == "activity_published"
    assert body["current_step"] == "rate_by_league"
    assert league.get(url(published)).json()["ratings"] == []  # blind
    assert len(client_for(admin).get(url(published)).json()["ratings"]) == 1

    response = post(league, published, "rating", {"stars": 5})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "completed"
    assert response.json()["demand"]["status"] == "completed"
    body = league.get(url(published)).json()
    assert body["my_rating_side"] == "league"
    assert sorted((r["side"], r["stars"]) for r in body["ratings"]) == [
        ("league", 5),
        ("volunteer", 4),
    ]
    assert body["status"] == "completed"
    assert body["demand"]["status"] == "completed"
    assert body["current_step"] is None
    assert all(steps(body).values())
    assert len(volunteer.get(url(published)).json()["ratings"]) == 2
    assert set(body["ratings"][0]) == {"side", "stars", "comment", "created_at"}


def test_rating_before_the_activity_is_409(client_for, approved, operator):
    response = post(client_for(operator), approved, "rating", {"stars": 5})
    assert_error(response, 409, "transition_not_allowed")


def test_rating_twice_is_409(client_for, published, reviewer):
    client = client_for(reviewer)
    assert post(client, published, "rating", {"stars": 3}).status_code == 201
    assert_error(post(client, published, "rating", {"stars": 4}), 409, "already_rated")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stars": 0}, "stars"),
        ({"stars": 6}, "stars"),
        ({}, "stars"),
        ({"stars": "many"}, "stars"),
        ({"stars": 5, "comment": "好" * 201}, "comment"),
    ],
)
def test_rating_refuses_bad_fields(client_for, published, operator, body, field):
    assert_error(post(client_for(operator), published, "rating", body), 400, "invalid", field)


def test_rating_comment_of_200_is_accepted(client_for, published, operator):
    response = post(client_for(operator), published, "rating", {"stars": 1, "comment": "好" * 200})
    assert response.status_code == 201


def test_rating_requires_login(client_for, published):
    assert_error(post(client_for(None), published, "rating", {"stars": 5}), 401)


def test_rating_by_a_provincial_admin_is_403(client_for, published, admin):
    assert_error(post(client_for(admin), published, "rating", {"stars": 5}), 403)


@pytest.mark.parametrize("who", ["operator2", "other_reviewer"])
def test_rating_by_a_stranger_is_404(client_for, published, who, request):
    response = post(client_for(request.getfixturevalue(who)), published, "rating", {"stars": 5})
    assert_error(response, 404)


def test_demand_claim_response_keeps_its_shape(client_for, demand, operator):
    response = client_for(operator).post(f"/api/v1/demands/{demand.pk}/claims/", format="json")
    assert response.status_code == 201, response.content
    assert set(response.json()) == {
        "id",
        "demand",
        "org",
        "status",
        "status_label",
        "reason",
        "created_at",
        "decided_at",
        "actions",
    }
    assert response.json()["actions"] == ["withdraw"]
    claim_id = response.json()["id"]
    assert client_for(operator).get(url(claim_id)).json()["status"] == "pending"


# -- an administrator's cancel ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["operator", "reviewer"])
def test_a_cancelled_claim_says_so_to_both_sides(client_for, admin, pending, who, request):
    services.claim_process_cancel(claim=pending, actor=admin, reason="重复认领")
    body = client_for(request.getfixturevalue(who)).get(url(pending)).json()
    assert body["status"] == "rejected"
    assert body["cancelled"] is True and body["cancelled_at"]
    assert body["status_label"] == "流程已取消"
    assert body["reason"] == "重复认领"
    assert body["current_step"] is None
    # the review never happened
    assert [s["done"] for s in body["progress"]] == [True, False, False, False, False]


def test_an_ordinary_return_is_not_a_cancel(client_for, reviewer, pending, operator):
    services.claim_reject(claim=pending, actor=reviewer, reason="时间不合适")
    body = client_for(operator).get(url(pending)).json()
    assert body["cancelled"] is False and body["cancelled_at"] is None
    assert body["status_label"] == "认领失败"
