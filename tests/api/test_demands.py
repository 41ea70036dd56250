"""Demand endpoints: list and detail, masking, drafts, publish, close, marks, claims, errors."""

import datetime

import pytest
from django.utils import timezone

from demands import services as demand_services
from demands.models import Demand, DemandStatus
from workflows import services as claim_services

from .. import factories as f

PAYLOAD = {
    "zone": "cloud_teaching",
    "title": "【云支教】需要为15位小朋友补习数学课程",
    "type": "care_for_minors",
    "volunteers_needed": 6,
    "content": "他们上学期数学成绩中等偏下，解方程是弱项。",
    # A period from tomorrow: the service judges a written period by today.
    "start_date": str(timezone.localdate() + datetime.timedelta(days=2)),
    "end_date": str(timezone.localdate() + datetime.timedelta(days=31)),
    "guarantees": ["meals", "transport_subsidy"],
    "city": "深圳市",
    "district": "罗湖区",
    "contact_name": "李雷",
    "contact_landline": "057199889988",
    "contact_mobile": "18826480174",
}


# -- list and detail -------------------------------------------------------------------------------


def test_list_shows_published_demands_to_anyone(client_for, demand, reviewer):
    f.draft_demand(reviewer, title="【七彩假期】草稿")
    body = client_for(None).get("/api/v1/demands/").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == demand.pk and item["status"] == "open" and item["city"] == "深圳市"
    assert item["contact_mobile"] == "188****0174"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zone=cloud_teaching", ["cloud"]),
        ("zone=colorful_holiday", ["holiday"]),
        ("city=广州市", ["cloud"]),
        ("type=elderly_service", ["cloud"]),
        ("status=open", ["cloud", "holiday"]),
        ("search=补习", ["cloud"]),
        ("ordering=end_date", ["holiday", "cloud"]),
        ("ordering=-end_date", ["cloud", "holiday"]),
    ],
)
def test_filters_search_ordering(client_for, reviewer, query, expected):
    import datetime

    today = datetime.date.today()
    demands = {
        "holiday": f.open_demand(reviewer, end_date=today + datetime.timedelta(days=5)),
        "cloud": f.open_demand(
            reviewer,
            zone="cloud_teaching",
            title="【云支教】补习数学",
            city=f.city("广州市"),
            type="elderly_service",
            end_date=today + datetime.timedelta(days=9),
        ),
    }
    body = client_for(None).get(f"/api/v1/demands/?{query}").json()
    ids = [r["id"] for r in body["results"]]
    expected_ids = [demands[k].pk for k in expected]
    assert ids == expected_ids if "ordering" in query else sorted(ids) == sorted(expected_ids)


def test_bad_filter_value_is_a_400(client_for, db):
    response = client_for(None).get("/api/v1/demands/?zone=moon")
    assert response.status_code == 400 and "zone" in response.json()["fields"]


def test_detail_has_progress_and_404s(client_for, demand, reviewer):
    body = client_for(None).get(f"/api/v1/demands/{demand.pk}/").json()
    assert [s["done"] for s in body["progress"]] == [True, False, False]
    assert client_for(None).get("/api/v1/demands/999999/").status_code == 404
    draft = f.draft_demand(reviewer)
    assert client_for(None).get(f"/api/v1/demands/{draft.pk}/").status_code == 404
    assert client_for(reviewer).get(f"/api/v1/demands/{draft.pk}/").status_code == 200


def test_mobile_is_shown_to_the_owner_and_after_approval_to_the_claimer(
    client_for, demand, reviewer, operator, operator2
):
    url = f"/api/v1/demands/{demand.pk}/"
    assert client_for(reviewer).get(url).json()["contact_mobile"] == "18826480174"
    claim = f.claim(demand, operator)
    f.claim(demand, operator2)
    assert client_for(operator).get(url).json()["contact_mobile"] == "188****0174"
    claim_services.claim_approve(claim=claim, actor=reviewer)
    assert client_for(operator).get(url).json()["contact_mobile"] == "18826480174"
    assert client_for(operator2).get(url).json()["contact_mobile"] == "188****0174"
    assert client_for(None).get(url).json()["contact_mobile"] == "188****0174"


# -- drafts, publish, close ------------------------------------------------------------------------


def test_create_and_publish_with_an_sms_code(client_for, reviewer, sms_code):
    client = client_for(reviewer)
    refused = client.post("/api/v1/demands/", PAYLOAD, format="json")
    assert refused.status_code == 400 and set(refused.json()["fields"]) == {"sms_code"}
    code = sms_code("18826480174")
    created = client.post("/api/v1/demands/", {**PAYLOAD, "sms_code": code}, format="json")
    assert created.status_code == 201, created.json()
    demand = created.json()
    assert demand["status"] == "draft" and demand["contact_mobile"] == "18826480174"
    assert "sms_code" not in demand
    published = client.post(f"/api/v1/demands/{demand['id']}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "open"
    again = client.post(f"/api/v1/demands/{demand['id']}/publish/")
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "需要补习数学"}, "title"),
        ({"title": "【云支教】" + "长" * 50}, "title"),
        ({"type": "other", "type_other": ""}, "type_other"),
        ({"type": "magic"}, "type"),
        ({"volunteers_needed": 0}, "volunteers_needed"),
        ({"volunteers_needed": 10_001}, "volunteers_needed"),
        ({"volunteers_needed": 99_999_999_999}, "volunteers_needed"),
        ({"content": "长" * 201}, "content"),
        ({"end_date": "2026-11-01"}, "end_date"),
        ({"start_date": str(timezone.localdate() - datetime.timedelta(days=1))}, "start_date"),
        ({"guarantees": ["meals", "yacht"]}, "guarantees.1"),
        ({"city": "北京市"}, "city"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"initial_demands": [424242]}, "initial_demands"),
        ({"zone": None}, "zone"),
        # Visual spoofing: a right-to-left override, a zero-width space, an isolate.
        ({"title": "【云支教】\u202e课程学数"}, "title"),
        ({"content": "解方\u200b程"}, "content"),
        ({"contact_name": "李\u2067雷"}, "contact_name"),
    ],
)
def test_create_field_rules(client_for, reviewer, change, field):
    response = client_for(reviewer).post("/api/v1/demands/", {**PAYLOAD, **change}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not Demand.objects.exists()


def test_the_volunteer_bound_is_the_models_with_a_message_and_in_the_schema(client_for, reviewer):
    response = client_for(reviewer).post(
        "/api/v1/demands/", {**PAYLOAD, "volunteers_needed": 99_999_999_999}, format="json"
    )
    assert response.status_code == 400
    assert "10000" in response.json()["fields"]["volunteers_needed"]
    without_mobile = {k: v for k, v in PAYLOAD.items() if k != "contact_mobile"}  # no SMS code
    ok = client_for(reviewer).post(
        "/api/v1/demands/", {**without_mobile, "volunteers_needed": 10_000}, format="json"
    )
    assert ok.status_code == 201, ok.json()
    schema = client_for(reviewer).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    props = schema["components"]["schemas"]["DemandWriteRequest"]["properties"]
    assert props["volunteers_needed"]["maximum"] == 10_000
    assert props["volunteers_needed"]["minimum"] == 1


def test_linking_an_unknown_or_foreign_initial_demand_says_the_same(
    client_for, reviewer, other_reviewer, other_league
):
    # Found by the attack: "does not exist" for 99999, another message for another org's id.
    foreign = f.adopted_initial_demand(other_reviewer, other_league)
    answers = [
        client_for(reviewer).post(
            "/api/v1/demands/", {**PAYLOAD, "initial_demands": [pk]}, format="json"
        )
        for pk in (foreign.pk, 999999)
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()


def test_publish_names_missing_fields(client_for, reviewer):
    draft = client_for(reviewer).post(
        "/api/v1/demands/", {"zone": "general", "title": "社区助老"}, format="json"
    )
    assert draft.status_code == 201
    response = client_for(reviewer).post(f"/api/v1/demands/{draft.json()['id']}/publish/")
    assert response.status_code == 400
    assert {"type", "content", "contact_mobile", "city"} <= set(response.json()["fields"])


def test_edit_a_draft_only(client_for, reviewer, demand):
    draft = f.draft_demand(reviewer)
    ok = client_for(reviewer).patch(
        f"/api/v1/demands/{draft.pk}/", {"content": "新的内容"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["content"] == "新的内容"
    refused = client_for(reviewer).patch(
        f"/api/v1/demands/{demand.pk}/", {"content": "x"}, format="json"
    )
    assert refused.status_code == 409


@pytest.mark.parametrize(
    ("who", "create", "publish"),
    [
        ("anonymous", 401, 401),
        ("operator", 403, 403),  # refused by role
        ("other_reviewer", None, 404),  # another league org's draft does not exist for them
    ],
)
def test_only_the_league_org_writes(request, client_for, reviewer, who, create, publish):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    draft = f.draft_demand(reviewer)
    client = client_for(user)
    if create:
        assert client.post("/api/v1/demands/", PAYLOAD, format="json").status_code == create
    assert client.post(f"/api/v1/demands/{draft.pk}/publish/").status_code == publish
    assert client.patch(f"/api/v1/demands/{draft.pk}/", {}, format="json").status_code == publish
    draft.refresh_from_db()
    assert draft.status == DemandStatus.DRAFT


def test_close_by_owner(client_for, reviewer, other_reviewer, demand):
    assert client_for(other_reviewer).post(f"/api/v1/demands/{demand.pk}/close/").status_code == 403
    response = client_for(reviewer).post(
        f"/api/v1/demands/{demand.pk}/close/", {"reason": "取消"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert client_for(reviewer).post(f"/api/v1/demands/{demand.pk}/close/").status_code == 409


# -- marks and reports ---------------------------------------------------------------------------


def test_like_and_report(client_for, demand):
    someone = f.UserFactory(username="someone")
    client = client_for(someone)
    assert client.post(f"/api/v1/demands/{demand.pk}/like/").json() == {"active": True, "count": 1}
    assert client_for(None).get(f"/api/v1/demands/{demand.pk}/").json()["like_count"] == 1
    assert client_for(None).post(f"/api/v1/demands/{demand.pk}/like/").status_code == 401
    report = client.post(
        f"/api/v1/demands/{demand.pk}/reports/", {"reason": "联系不上"}, format="json"
    )
    assert report.status_code == 201
    empty = client.post(f"/api/v1/demands/{demand.pk}/reports/", {"reason": ""}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()["fields"]


# -- claiming --------------------------------------------------------------------------------------


def test_claim_a_demand(client_for, demand, operator, reviewer, vorg):
    response = client_for(operator).post(f"/api/v1/demands/{demand.pk}/claims/")
    assert response.status_code == 201
    assert response.json()["status"] == "pending" and response.json()["org"]["id"] == vorg.pk
    assert response.json()["demand"]["id"] == demand.pk
    duplicate = client_for(operator).post(f"/api/v1/demands/{demand.pk}/claims/")
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate_claim"
    assert client_for(reviewer).post(f"/api/v1/demands/{demand.pk}/claims/").status_code == 403


def test_claim_needs_a_complete_profile(client_for, demand, operator, vorg):
    vorg.contact_mobile = ""
    vorg.save()
    response = client_for(operator).post(f"/api/v1/demands/{demand.pk}/claims/")
    assert response.status_code == 400
    assert response.json()["code"] == "profile_incomplete"
    assert "完善组织信息" in response.json()["detail"]
    assert set(response.json()["fields"]) == {"contact_mobile"}


def test_idempotent_claim_retry_replays(client_for, demand, operator):
    client = client_for(operator)
    first = client.post(f"/api/v1/demands/{demand.pk}/claims/", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = client.post(f"/api/v1/demands/{demand.pk}/claims/", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    other = client.post(
        f"/api/v1/demands/{demand.pk}/reports/",
        {"reason": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


# -- errors ----------------------------------------------------------------------------------------


def test_malformed_body_is_a_400(client_for, reviewer):
    response = client_for(reviewer).post(
        "/api/v1/demands/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "malformed_body"


def test_a_body_in_another_format_is_a_documented_415(client_for, reviewer, demand, conforms):
    # Found by the fuzz test (tests/api/test_fuzz.py): text/plain was an undocumented 415.
    response = client_for(reviewer).post(
        f"/api/v1/demands/{demand.pk}/close/", '{"reason": ""}', content_type="text/plain"
    )
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
    conforms(response, "POST /api/v1/demands/{id}/close/")


@pytest.mark.parametrize("page", [0, 2])
def test_a_page_out_of_range_is_a_documented_404(client_for, demand, conforms, page):
    # Found by the fuzz test: the paginator's 404 was not in the schema of any list.
    response = client_for(None).get("/api/v1/demands/", {"page": page})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    conforms(response, "GET /api/v1/demands/")


def test_an_initial_password_on_a_public_read_is_a_documented_403(
    client_for, league, demand, conforms
):
    # Found by the fuzz test: the initial-password gate refuses public reads too.
    imported = f.reviewer_of(league, username="imported", must_change_password=True)
    for response, operation in (
        (client_for(imported).get("/api/v1/demands/"), "GET /api/v1/demands/"),
        (client_for(imported).get(f"/api/v1/demands/{demand.pk}/"), "GET /api/v1/demands/{id}/"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "password_change_required"
        conforms(response, operation)


def test_ids_that_are_not_ids_are_json_404s(client_for, reviewer):
    client = client_for(reviewer)
    for path in (
        "/api/v1/demands/abc/",
        "/api/v1/demands/99999999999999999999/",
        "/api/v1/nowhere/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_a_draft_without_a_city_matches_the_schema(client_for, reviewer, conforms):
    # Found by the fuzz test: a draft's city is null, which the schema said was a string.
    response = client_for(reviewer).post("/api/v1/demands/", {"zone": "general"}, format="json")
    assert response.status_code == 201 and response.json()["city"] is None
    conforms(response, "POST /api/v1/demands/")
    mine = client_for(reviewer).get("/api/v1/demands/?mine=true")
    conforms(mine, "GET /api/v1/demands/")


def test_my_publications_include_drafts(client_for, reviewer, other_reviewer, demand):
    draft = f.draft_demand(reviewer)
    f.open_demand(other_reviewer)
    mine = client_for(reviewer).get("/api/v1/demands/?mine=true").json()
    assert sorted(r["id"] for r in mine["results"]) == sorted([demand.pk, draft.pk])
    assert client_for(None).get("/api/v1/demands/?mine=true").json()["count"] == 0


def test_recommended_matches_the_orgs_areas_and_city(client_for, reviewer, operator, vorg):
    vorg.city = f.city("深圳市")
    vorg.service_areas = ["care_for_minors"]
    vorg.save()
    match = f.open_demand(reviewer)  # care_for_minors in 深圳市
    f.open_demand(reviewer, type="elderly_service", title="【七彩假期】助老")
    f.open_demand(reviewer, city=f.city("广州市"), title="【七彩假期】广州")
    closed = f.open_demand(reviewer, title="【七彩假期】已关闭")
    demand_services.demand_close(demand=closed, actor=reviewer)
    body = client_for(operator).get("/api/v1/demands/?recommended=true").json()
    assert [r["id"] for r in body["results"]] == [match.pk]


def test_english_messages_on_request(client_for, reviewer):
    payload = {**PAYLOAD, "title": "no prefix"}
    english = client_for(reviewer).post(
        "/api/v1/demands/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 400
    assert "must start with" in english.json()["fields"]["title"]
    chinese = client_for(reviewer).post("/api/v1/demands/", payload, format="json")
    assert "开头" in chinese.json()["fields"]["title"]
