"""/api/v1/orgs/: the public volunteer-org directory with completed claims and league stars."""

import pytest

from orgs.choices import Registration
from scoring.services import rating_submit
from workflows import services as claim_services

from .. import factories as f

URL = "/api/v1/orgs/"


def completed_claim(reviewer, operator, *, league_stars, volunteer_stars=5):
    demand = f.open_demand(reviewer)
    claim = claim_services.claim_approve(claim=f.claim(demand, operator), actor=reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    rating_submit(claim=claim, actor=reviewer, stars=league_stars)
    rating_submit(claim=claim, actor=operator, stars=volunteer_stars)
    return claim


@pytest.fixture
def endorsed(vorg):
    return f.VolunteerOrgFactory(
        name="鹏城长者关怀小组",
        registration=Registration.ENDORSED,
        endorsed_by=vorg,
        city=f.city("佛山市"),
        service_areas=["elderly_service", "other"],
        intro="为社区孤寡老人提供陪伴。",
        volunteer_count=5,
    )


def by_id(response):
    return {row["id"]: row for row in response.json()["results"]}


def test_anyone_reads_the_directory(client_for, vorg, endorsed):
    response = client_for(None).get(URL)
    assert response.status_code == 200
    rows = by_id(response)
    assert set(rows) == {vorg.pk, endorsed.pk}
    assert rows[endorsed.pk] == {
        "id": endorsed.pk,
        "name": "鹏城长者关怀小组",
        "city": "佛山市",
        "service_areas": ["elderly_service", "other"],
        "service_objects": ["teenagers"],
        "volunteer_count": 5,
        "intro": "为社区孤寡老人提供陪伴。",
        "photo": None,
        "registration": "endorsed",
        "registration_label": "已备案组织背书",
        "endorsed_by": {"id": vorg.pk, "name": vorg.name},
        "completed_claims": 0,
        "average_stars": None,
    }
    assert rows[vorg.pk]["endorsed_by"] is None


def test_contacts_are_not_public(client_for, vorg, operator):
    for response in (client_for(None).get(URL), client_for(operator).get(f"{URL}{vorg.pk}/")):
        text = response.content.decode()
        assert vorg.contact_mobile not in text and vorg.contact_name not in text
        assert "contact_mobile" not in text and "contact_name" not in text


def test_completed_claims_and_league_stars(client_for, reviewer, operator, vorg, operator2, vorg2):
    completed_claim(reviewer, operator, league_stars=4, volunteer_stars=1)
    completed_claim(reviewer, operator, league_stars=5, volunteer_stars=1)
    # A half-rated claim: the rating is blind until the other side rates, so it is left out.
    demand = f.open_demand(reviewer)
    half = claim_services.claim_approve(claim=f.claim(demand, operator2), actor=reviewer)
    claim_services.activity_publish(claim=half, actor=operator2, data=f.activity_data())
    rating_submit(claim=half, actor=reviewer, stars=1)

    rows = by_id(client_for(None).get(URL))
    assert rows[vorg.pk]["completed_claims"] == 2
    assert rows[vorg.pk]["average_stars"] == 4.5
    assert rows[vorg2.pk]["completed_claims"] == 0
    assert rows[vorg2.pk]["average_stars"] is None
    # the default order puts the orgs that did most first
    assert [r["id"] for r in client_for(None).get(URL).json()["results"]][0] == vorg.pk
    detail = client_for(None).get(f"{URL}{vorg.pk}/").json()
    assert (detail["completed_claims"], detail["average_stars"]) == (2, 4.5)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"city": "佛山市"}, {"endorsed"}),
        ({"city": "广州市"}, {"vorg", "vorg2"}),
        ({"city": "深圳市"}, set()),
        ({"service_area": "elderly_service"}, {"endorsed"}),
        ({"service_area": "care_for_minors"}, {"vorg", "vorg2"}),
        ({"service_area": "other"}, {"endorsed"}),
        ({"service_area": "legal_education"}, set()),
        ({"search": "长者"}, {"endorsed"}),
        ({"search": "孤寡老人"}, {"endorsed"}),
        ({"registration": "registered"}, {"vorg", "vorg2"}),
    ],
)
def test_filters(request, client_for, vorg, vorg2, endorsed, params, expected):
    response = client_for(None).get(URL, params)
    assert response.status_code == 200
    names = {name: request.getfixturevalue(name).pk for name in ("vorg", "vorg2", "endorsed")}
    assert set(by_id(response)) == {names[n] for n in expected}


def test_ordering(client_for, vorg, vorg2, endorsed):
    ids = [
        r["id"]
        for r in client_for(None).get(URL, {"ordering": "volunteer_count"}).json()["results"]
    ]
    assert ids[0] == endorsed.pk


@pytest.mark.parametrize("params", [{"service_area": "surfing"}, {"registration": "x"}])
def test_bad_filters_are_400(client_for, vorg, params):
    response = client_for(None).get(URL, params)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(params)


def test_detail(client_for, vorg):
    assert client_for(None).get(f"{URL}{vorg.pk}/").json()["name"] == vorg.name
    assert client_for(None).get(f"{URL}{vorg.pk + 1000}/").status_code == 404
    assert client_for(None).get(f"{URL}abc/").status_code == 404


def test_an_org_without_stars_or_city_matches_the_schema(client_for, vorg, conforms):
    # Found by the fuzz test: average_stars is null before any completed claim, and an org
    # that has not completed its profile has no city; the schema said number and string.
    vorg.city = None
    vorg.save(update_fields=["city"])
    detail = client_for(None).get(f"{URL}{vorg.pk}/")
    assert detail.json()["average_stars"] is None and detail.json()["city"] is None
    conforms(detail, "GET /api/v1/orgs/{id}/")
    conforms(client_for(None).get(URL), "GET /api/v1/orgs/")


def test_a_bad_token_on_the_public_directory_is_a_documented_401(client, vorg, conforms):
    # Found by the fuzz test: a wrong or expired token is refused even where none is needed.
    response = client.get(URL, HTTP_AUTHORIZATION=f"Token {'0' * 40}")
    assert response.status_code == 401
    conforms(response, "GET /api/v1/orgs/")


def test_the_directory_is_read_only(client_for, operator, vorg):
    assert client_for(None).post(URL, {"name": "x"}).status_code == 401
    assert client_for(operator).post(URL, {"name": "x"}).status_code == 405
    assert client_for(operator).patch(f"{URL}{vorg.pk}/", {"name": "x"}).status_code == 405
