"""GET /me/notifications/, marking read, and the unread count of /me/."""

import pytest

from demands import services as demand_services
from notifications.models import Notification
from workflows import services as claim_services

from .. import factories as f

pytestmark = pytest.mark.django_db
V1 = "/api/v1/me/notifications/"


@pytest.fixture
def claims(reviewer, operator):
    """Three claims on three demands: the reviewer is told of each (claim.received)."""
    return [f.claim(f.open_demand(reviewer), operator) for _ in range(3)]


def test_list_newest_first_in_the_callers_language(client_for, reviewer, claims):
    response = client_for(reviewer).get(V1, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    items = body["results"]
    assert [item["claim"] for item in items] == [c.pk for c in reversed(claims)]
    first = items[0]
    assert set(first) == {
        "id", "kind", "title", "body", "created_at", "read_at", "claim", "demand",
        "initial_demand",
    }  # fmt: skip
    assert first["kind"] == "claim.received" and first["read_at"] is None
    assert first["title"] == "收到认领申请"
    assert claims[-1].org.name in first["body"] and claims[-1].demand.title in first["body"]
    assert first["demand"] == claims[-1].demand_id and first["initial_demand"] is None
    english = client_for(reviewer).get(V1, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert english["title"] == "Claim received"


def test_pages_and_unread_filter(client_for, reviewer, claims):
    client = client_for(reviewer)
    page = client.get(V1, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]
    rest = client.get(page["next"]).json()
    assert [i["claim"] for i in rest["results"]] == [claims[0].pk] and rest["next"] is None
    note = Notification.objects.filter(user=reviewer).order_by("id").first()
    assert client.post(f"{V1}{note.pk}/read/").status_code == 200
    unread = client.get(V1, {"unread": "true"}).json()["results"]
    assert {i["id"] for i in unread} == set(
        Notification.objects.filter(user=reviewer).exclude(pk=note.pk).values_list("pk", flat=True)
    )
    read = client.get(V1, {"unread": "false"}).json()["results"]
    assert [i["id"] for i in read] == [note.pk]


def test_mark_read_is_idempotent_and_only_for_the_owner(client_for, reviewer, operator, claims):
    note = Notification.objects.filter(user=reviewer).first()
    first = client_for(reviewer).post(f"{V1}{note.pk}/read/")
    assert first.status_code == 200 and first.json()["read_at"]
    again = client_for(reviewer).post(f"{V1}{note.pk}/read/")
    assert again.status_code == 200 and again.json()["read_at"] == first.json()["read_at"]
    other = client_for(operator).post(f"{V1}{note.pk}/read/")
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert client_for(reviewer).post(f"{V1}999999/read/").status_code == 404
    assert client_for(None).post(f"{V1}{note.pk}/read/").status_code == 401


def test_read_all_and_the_count_in_me(client_for, reviewer, operator, claims):
    client = client_for(reviewer)
    assert client.get("/api/v1/me/").json()["unread_notifications"] == 3
    assert client_for(operator).get("/api/v1/me/").json()["unread_notifications"] == 0
    response = client.post(f"{V1}read-all/")
    assert response.status_code == 200 and response.json() == {"count": 3}
    assert client.post(f"{V1}read-all/").json() == {"count": 0}
    assert client.get("/api/v1/me/").json()["unread_notifications"] == 0


def test_each_user_sees_only_their_own(client_for, reviewer, operator, other_reviewer, claims):
    claim_services.claim_approve(claim=claims[0], actor=reviewer)
    mine = client_for(operator).get(V1).json()["results"]
    assert [(i["kind"], i["claim"]) for i in mine] == [("claim.approved", claims[0].pk)]
    assert client_for(other_reviewer).get(V1).json()["results"] == []
    assert client_for(None).get(V1).status_code == 401


def test_an_initial_demand_decision_links_the_request(client_for, league, reviewer):
    submitter = f.UserFactory()
    initial = demand_services.initial_demand_submit(
        actor=submitter,
        league_org=league,
        kind="ordinary",
        data={"title": "老人需要陪伴", "contact_name": "赵雷", "contact_mobile": "18500000000"},
        verify_mobile=False,
    )
    demand_services.initial_demand_adopt(initial_demand=initial, actor=reviewer)
    (item,) = client_for(submitter).get(V1, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]
    assert item["initial_demand"] == initial.pk and item["claim"] is None
    assert item["title"] == "求助已采用" and league.name in item["body"]
    assert "18500000000" not in str(item)
