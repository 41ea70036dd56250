"""/api/v1/initial-demands/: submit with an SMS code, the parties' lists and details, adopt/decline."""

import pytest

from demands import services
from demands.models import InitialDemand, InitialDemandStatus, StudentRecord, StudentRecordAccess
from scoring.services import rating_submit
from workflows import services as claim_services

from .. import factories as f

URL = "/api/v1/initial-demands/"
MOBILE = "18500000000"
STUDENT = {
    "name": "赵小二",
    "gender": "male",
    "grade": "primary_3",
    "school": "李村小学",
    "city": "深圳市",
    "address": "深圳市李村小学",
    "courses": [{"course": "english", "score": 44}, {"course": "math", "score": 76}],
    "interests": ["painting", "chess", "recitation"],
    "remarks": "周末有空",
}


def body(league, *, student_changes=None, **overrides):
    data = {
        "kind": "cloud_teaching",
        "league_org": league.pk,
        "title": "【乡村云支教】我需要补习英语",
        "description": "孩子英语基础较弱",
        "contact_name": "赵雷",
        "contact_mobile": MOBILE,
        "sms_code": "000000",
        "student": {**STUDENT, **(student_changes or {})},
    }
    data.update(overrides)
    return data


@pytest.fixture
def individual(db):
    return f.UserFactory(username="individual")


@pytest.fixture
def neighbour(db):
    return f.UserFactory(username="neighbour")


def submit(actor, league, kind="cloud_teaching", **data):
    student = {**STUDENT, "city": f.city("深圳市")} if kind == "cloud_teaching" else None
    return services.initial_demand_submit(
        actor=actor,
        league_org=league,
        kind=kind,
        data={
            "title": "【乡村云支教】我需要补习英语" if kind == "cloud_teaching" else "老人需要陪伴",
            "contact_name": "赵雷",
            "contact_mobile": MOBILE,
            **data,
        },
        student=student,
        verify_mobile=False,
    )


@pytest.fixture
def initial(individual, league):
    return submit(individual, league)


# -- submit --------------------------------------------------------------------------------


def test_submit_cloud_teaching_with_the_sms_code(client_for, individual, league, sms_code):
    code = sms_code(MOBILE, purpose="initial_demand_contact")
    response = client_for(individual).post(URL, body(league, sms_code=code), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending"
    assert data["league_org"] == {"id": league.pk, "name": league.name}
    assert data["contact_mobile"] == MOBILE
    assert data["student"]["city"] == "深圳市"
    assert data["student"]["courses"] == STUDENT["courses"]
    assert [s["done"] for s in data["progress"]] == [True, False, False, False, False]
    record = StudentRecord.objects.get(initial_demand_id=data["id"])
    assert record.city.name == "深圳市"
    assert record.courses[1] == {"course": "math", "score": 76}
    # the code is used up: the same body again is refused on it
    again = client_for(individual).post(URL, body(league, sms_code=code), format="json")
    assert again.status_code == 400
    assert "sms_code" in again.json()["fields"]


def test_submit_ordinary(client_for, individual, league, sms_code):
    code = sms_code(MOBILE, purpose="initial_demand_contact")
    response = client_for(individual).post(
        URL,
        {**body(league, kind="ordinary", title="社区老人需要陪伴", sms_code=code), "student": None},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["student"] is None
    assert InitialDemand.objects.get().kind == "ordinary"


def test_submit_is_idempotent_with_a_key(client_for, individual, league, sms_code):
    code = sms_code(MOBILE, purpose="initial_demand_contact")
    client = client_for(individual)
    first = client.post(URL, body(league, sms_code=code), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    second = client.post(URL, body(league, sms_code=code), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert InitialDemand.objects.count() == 1


def test_submit_needs_a_login(client_for, league):
    assert client_for(None).post(URL, body(league), format="json").status_code == 401


FOUR_COURSES = [{"course": c, "score": 60} for c in ("math", "english", "chinese", "physics")]


@pytest.mark.parametrize(
    ("overrides", "student", "field"),
    [
        ({}, {"courses": FOUR_COURSES}, "student.courses"),
        ({}, {"courses": []}, "student.courses"),
        ({}, {"courses": [{"course": "math", "score": 151}]}, "student.courses"),
        ({}, {"courses": [{"course": "cooking", "score": 60}]}, "student.courses.0.course"),
        ({}, {"courses": [{"course": "math", "score": "很好"}]}, "student.courses.0.score"),
        ({}, {"courses": [{"course": "math", "score": True}]}, "student.courses.0.score"),
        ({}, {"gender": "x"}, "student.gender"),
        ({}, {"grade": "college"}, "student.grade"),
        ({}, {"city": "纽约市"}, "student.city"),
        ({}, {"school": "校" * 51}, "student.school"),
        ({}, {"address": "址" * 101}, "student.address"),
        ({}, {"remarks": "备" * 201}, "student.remarks"),
        ({}, {"interests": ["painting", "chess", "dance", "drone"]}, "student.interests"),
        ({}, {"interests": ["surfing"]}, "student.interests.0"),
        ({"title": "我需要补习英语"}, {}, "title"),
        ({}, {"school": "深圳\u202e学小"}, "student.school"),
        ({}, {"name": "小\u200b明"}, "student.name"),
        ({"contact_mobile": "123"}, {}, "contact_mobile"),
        ({"kind": "mars"}, {}, "kind"),
        ({"league_org": 999999}, {}, "league_org"),
        ({"sms_code": None}, {}, "sms_code"),
        ({"student": None}, {}, "student.name"),
        ({"kind": "ordinary", "title": "老人需要陪伴"}, {}, "student"),
    ],
)
def test_submit_field_rules(client_for, individual, league, overrides, student, field):
    data = body(league, student_changes=student, **overrides)
    if overrides.get("sms_code", "") is None:
        del data["sms_code"]
    response = client_for(individual).post(URL, data, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("invalid", "invalid_sms_code")
    assert field in response.json()["fields"], response.json()
    assert not InitialDemand.objects.exists()
    assert not StudentRecord.objects.exists()


def test_submit_with_a_wrong_code(client_for, individual, league, sms_code):
    code = sms_code(MOBILE, purpose="initial_demand_contact")
    wrong = "000000" if code != "000000" else "111111"
    response = client_for(individual).post(URL, body(league, sms_code=wrong), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_sms_code"
    assert list(response.json()["fields"]) == ["sms_code"]
    assert not InitialDemand.objects.exists()


# -- list ----------------------------------------------------------------------------------


def test_an_individual_lists_their_own(client_for, individual, neighbour, league, other_league):
    mine = [submit(individual, league), submit(individual, other_league, kind="ordinary")]
    submit(neighbour, league)
    response = client_for(individual).get(URL)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [i.pk for i in reversed(mine)]
    assert all("contact_mobile" not in r and "student" not in r for r in rows)


def test_a_reviewer_lists_those_addressed_to_their_org(
    client_for, individual, neighbour, league, other_league, reviewer
):
    ours = [submit(individual, league), submit(neighbour, league, kind="ordinary")]
    submit(individual, other_league)
    services.initial_demand_decline(initial_demand=ours[1], actor=reviewer)
    response = client_for(reviewer).get(URL)
    assert {r["id"] for r in response.json()["results"]} == {i.pk for i in ours}
    pending = client_for(reviewer).get(URL, {"status": "pending"}).json()["results"]
    assert [r["id"] for r in pending] == [ours[0].pk]
    assert client_for(reviewer).get(URL, {"status": "maybe"}).status_code == 400


def test_others_get_an_empty_list(client_for, initial, other_reviewer, operator):
    for user in (other_reviewer, operator):
        response = client_for(user).get(URL)
        assert response.status_code == 200
        assert response.json()["results"] == []
    assert client_for(None).get(URL).status_code == 401


# -- detail --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["individual", "reviewer"])
def test_the_parties_see_the_student(request, client_for, initial, who):
    response = client_for(request.getfixturevalue(who)).get(f"{URL}{initial.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["student"]["name"] == "赵小二"
    assert data["student"]["gender_label"] == "男"
    assert data["contact_mobile"] == MOBILE
    # a reviewer's reading of a minor's record is recorded; the family's own is not
    accesses = list(StudentRecordAccess.objects.values_list("user__username", "via"))
    assert accesses == ([] if who == "individual" else [("reviewer", "api")])


@pytest.mark.parametrize("who", ["neighbour", "other_reviewer", "operator"])
def test_everyone_else_gets_404(request, client_for, initial, who):
    client = client_for(request.getfixturevalue(who))
    guessed = client.get(f"{URL}{initial.pk}/")
    missing = client.get(f"{URL}{initial.pk + 1000}/")
    assert guessed.status_code == missing.status_code == 404
    assert guessed.json() == missing.json()
    assert "赵小二" not in guessed.content.decode()
    assert not StudentRecordAccess.objects.exists()


def test_detail_needs_a_login(client_for, initial):
    assert client_for(None).get(f"{URL}{initial.pk}/").status_code == 401
    assert client_for(None).get(f"{URL}abc/").status_code == 404


def test_the_public_demand_shows_no_student(client_for, initial, reviewer):
    services.initial_demand_adopt(initial_demand=initial, actor=reviewer)
    demand = f.open_demand(reviewer, zone="cloud_teaching", initial_demands=[initial])
    response = client_for(None).get(f"/api/v1/demands/{demand.pk}/")
    assert response.status_code == 200
    assert response.json()["initial_demands"] == [initial.pk]
    text = response.content.decode()
    assert "赵小二" not in text and "李村小学" not in text and MOBILE not in text


def test_progress_follows_the_linked_demand(client_for, initial, individual, reviewer, operator):
    def steps():
        return [
            s["done"] for s in client_for(individual).get(f"{URL}{initial.pk}/").json()["progress"]
        ]

    services.initial_demand_adopt(initial_demand=initial, actor=reviewer)
    assert steps() == [True, True, False, False, False]
    demand = f.draft_demand(reviewer, zone="cloud_teaching", initial_demands=[initial])
    assert steps() == [True, True, False, False, False]
    services.demand_publish(demand=demand, actor=reviewer)
    assert steps() == [True, True, True, False, False]
    claim = claim_services.claim_approve(claim=f.claim(demand, operator), actor=reviewer)
    assert steps() == [True, True, True, True, False]
    claim_services.activity_publish(
        claim=claim, actor=operator, data=f.activity_data(zone="cloud_teaching")
    )
    assert steps() == [True, True, True, True, True]
    rating_submit(claim=claim, actor=reviewer, stars=5)
    rating_submit(claim=claim, actor=operator, stars=5)
    progress = client_for(individual).get(f"{URL}{initial.pk}/").json()["progress"]
    assert [s["step"] for s in progress] == ["pending", "adopted", "open", "claimed", "published"]
    assert all(s["done"] for s in progress)


def test_a_declined_one_ends_at_decline(client_for, initial, individual, reviewer):
    services.initial_demand_decline(initial_demand=initial, actor=reviewer, reason="不在服务范围")
    data = client_for(individual).get(f"{URL}{initial.pk}/").json()
    assert [s["step"] for s in data["progress"]] == ["pending", "declined"]
    assert data["decision_reason"] == "不在服务范围"


# -- adopt / decline -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status"),
    [("adopt", InitialDemandStatus.ADOPTED), ("decline", InitialDemandStatus.DECLINED)],
)
def test_the_reviewer_decides(client_for, initial, reviewer, action, status):
    response = client_for(reviewer).post(
        f"{URL}{initial.pk}/{action}/", {"reason": "已核实"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == status
    assert response.json()["decision_reason"] == "已核实"
    initial.refresh_from_db()
    assert initial.status == status


@pytest.mark.parametrize("action", ["adopt", "decline"])
def test_deciding_twice_is_a_conflict(client_for, initial, reviewer, action):
    client = client_for(reviewer)
    assert client.post(f"{URL}{initial.pk}/adopt/").status_code == 200
    response = client.post(f"{URL}{initial.pk}/{action}/")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


@pytest.mark.parametrize("action", ["adopt", "decline"])
def test_who_may_decide(
    client_for, initial, individual, neighbour, other_reviewer, operator, action
):
    url = f"{URL}{initial.pk}/{action}/"
    assert client_for(individual).post(url).status_code == 403
    for user in (neighbour, other_reviewer, operator):
        assert client_for(user).post(url).status_code == 404
    assert client_for(None).post(url).status_code == 401
    initial.refresh_from_db()
    assert initial.status == InitialDemandStatus.PENDING


def test_a_reason_is_at_most_200_characters(client_for, initial, reviewer):
    response = client_for(reviewer).post(
        f"{URL}{initial.pk}/decline/", {"reason": "长" * 201}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
