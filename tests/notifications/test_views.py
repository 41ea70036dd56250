"""The bell and /workspace/notifications/: the same items as the API, marked read on click."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from orgs import events
from scoring import services as scoring_services
from workflows import services as claim_services

from .. import factories as f

pytestmark = pytest.mark.django_db
LIST = "/workspace/notifications/"


@pytest.fixture
def received(reviewer, operator, demand):
    """A claim in review: the reviewer is told (claim.received)."""
    claim = f.claim(demand, operator)
    return claim, Notification.objects.get(user=reviewer)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["收到认领申请", "全部标为已读", "1条未读", "通知，1条未读"]),
        ("en", ["Claim received", "Mark all as read", "1 unread", "Notifications, 1 unread"]),
    ],
)
def test_the_list_and_the_bell_in_both_languages(client, reviewer, received, language, words):
    client.force_login(reviewer)
    client.cookies["django_language"] = language
    html = client.get(LIST).content.decode()
    for word in words:
        assert word in html, word
    assert 'class="ws-bell__badge" aria-hidden="true">1<' in html
    assert "notes__item--unread" in html


def test_every_workspace_page_has_the_bell(client, reviewer, received):
    client.force_login(reviewer)
    html = client.get(reverse("claim:queue")).content.decode()
    assert f'href="{LIST}"' in html and "ws-bell__badge" in html
    Notification.objects.update(read_at="2026-01-01T00:00:00Z")
    html = client.get(reverse("claim:queue")).content.decode()
    assert f'href="{LIST}"' in html and "ws-bell__badge" not in html


def test_a_click_marks_read_and_opens_the_review_task(client, reviewer, received):
    claim, note = received
    client.force_login(reviewer)
    response = client.post(reverse("notifications:read", kwargs={"pk": note.pk}))
    task = f.review_task(claim)
    assert response.status_code == 302
    assert response["Location"] == task.flow_task.reverse("index", args=[task.process_id, task.pk])
    assert f.fresh(note).read_at is not None
    # once decided, the same item opens the process
    claim_services.claim_approve(claim=claim, actor=reviewer)
    response = client.post(reverse("notifications:read", kwargs={"pk": note.pk}))
    assert response["Location"] == reverse(
        "claim:process_detail", kwargs={"process_pk": claim.process_id}
    )


def test_items_of_the_volunteer_side_open_the_mobile_site(client, reviewer, operator, received):
    claim, _ = received
    claim_services.claim_approve(claim=claim, actor=reviewer)
    note = Notification.objects.get(user=operator, kind=events.CLAIM_APPROVED)
    client.force_login(operator)
    assert client.get(LIST).status_code == 200
    response = client.post(reverse("notifications:read", kwargs={"pk": note.pk}))
    assert response["Location"] == f"/mine/claims/{claim.pk}"


def test_ratings_and_points_open_the_league_pages(client, reviewer, operator, received):
    claim, _ = received
    claim_services.claim_approve(claim=claim, actor=reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    scoring_services.rating_submit(claim=f.fresh(claim), actor=operator, stars=4)
    client.force_login(reviewer)
    rating = Notification.objects.get(user=reviewer, kind=events.RATING_RECEIVED)
    response = client.post(reverse("notifications:read", kwargs={"pk": rating.pk}))
    assert response["Location"] == reverse("league:ratings")


def test_read_all_and_another_users_item(client, reviewer, operator, received):
    _, note = received
    client.force_login(operator)
    assert client.post(reverse("notifications:read", kwargs={"pk": note.pk})).status_code == 404
    assert f.fresh(note).read_at is None
    client.force_login(reviewer)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert f.fresh(note).read_at is not None
    assert "全部标为已读" not in response.content.decode()


def test_anonymous_visitors_log_in_first(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
