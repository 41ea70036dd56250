"""The anonymous demand list and detail: conditional GET, the shared cache and its invalidation."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demands import services as demand_services

from .. import factories as f

LIST = "/api/v1/demands/"


def detail(demand) -> str:
    return f"/api/v1/demands/{demand.pk}/"


@pytest.fixture(autouse=True)
def kept(settings):
    """The cache on, and empty: answers kept by other tests are not this test's."""
    settings.API_ANON_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon(client_for):
    return client_for(None)


def test_anonymous_answers_are_public_and_conditional(anon, demand):
    for url in (LIST, detail(demand)):
        response = anon.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=30"
        assert {"Accept-Language", "Authorization", "Cookie"} <= {
            v.strip() for v in response["Vary"].split(",")
        }
        etag, modified = response["ETag"], response["Last-Modified"]
        assert anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert anon.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        not_modified = anon.get(url, HTTP_IF_NONE_MATCH=etag)
        assert not_modified.content == b"" and not_modified["ETag"] == etag
        assert anon.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_kept_answer_costs_no_query(anon, demand):
    first = anon.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        again = anon.get(LIST)
    assert len(queries) == 0
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_a_change_through_a_service_is_seen_at_once(
    anon, demand, reviewer, django_capture_on_commit_callbacks
):
    before_list, before_detail = anon.get(LIST), anon.get(detail(demand))
    assert before_detail.json()["status"] == "open"
    with django_capture_on_commit_callbacks(execute=True):
        demand_services.demand_close(demand=demand, actor=reviewer, reason="不需要了")
    after_list, after_detail = anon.get(LIST), anon.get(detail(demand))
    assert after_detail.json()["status"] == "closed"
    assert after_list.json()["results"][0]["status"] == "closed"
    assert after_list["ETag"] != before_list["ETag"]
    assert after_detail["ETag"] != before_detail["ETag"]
    # the old copy is no longer "not modified"
    assert anon.get(LIST, HTTP_IF_NONE_MATCH=before_list["ETag"]).status_code == 200


def test_a_claim_approved_over_the_api_is_seen_at_once(
    anon, client_for, demand, reviewer, operator, django_capture_on_commit_callbacks
):
    claim = f.claim(demand, operator)
    assert anon.get(detail(demand)).json()["status"] == "open"
    with django_capture_on_commit_callbacks(execute=True):
        approved = client_for(reviewer).post(f"/api/v1/claims/{claim.pk}/approve/")
    assert approved.status_code == 200
    assert anon.get(detail(demand)).json()["status"] == "claimed"


def test_a_like_is_counted_at_once(anon, demand, operator, django_capture_on_commit_callbacks):
    assert anon.get(detail(demand)).json()["like_count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        demand_services.like_set(actor=operator, demand=demand, on=True)
    assert anon.get(detail(demand)).json()["like_count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        demand_services.like_set(actor=operator, demand=demand, on=False)
    assert anon.get(detail(demand)).json()["like_count"] == 0


def test_logged_in_answers_are_never_kept(anon, client_for, demand, operator):
    demand_services.favorite_set(actor=operator, demand=demand, on=True)  # not committed
    anon.get(LIST), anon.get(detail(demand))  # kept for anonymous callers
    mine = client_for(operator)
    for url in (LIST, detail(demand)):
        with CaptureQueriesContext(connection) as queries:
            response = mine.get(url)
        assert len(queries) > 0  # rendered for this caller
        assert response["Cache-Control"] == "private, no-cache"
        assert "ETag" not in response
        row = response.json()["results"][0] if url == LIST else response.json()
        assert row["favorited"] is True
        assert "Authorization" in response["Vary"]
    # and what the logged-in caller saw is not what anonymous callers get
    assert anon.get(detail(demand)).json()["favorited"] is False


def test_no_answer_crosses_languages(anon, demand):
    zh = anon.get(detail(demand), HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = anon.get(detail(demand), HTTP_ACCEPT_LANGUAGE="en")
    assert zh.json()["status_label"] == "待认领"
    assert en.json()["status_label"] == "Open"
    assert zh["ETag"] != en["ETag"]
    assert anon.get(detail(demand), HTTP_ACCEPT_LANGUAGE="zh-hans").json()["status_label"] == (
        "待认领"
    )
    assert anon.get(LIST, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["status_label"] == "Open"
    assert anon.get(LIST).json()["results"][0]["status_label"] == "待认领"


def test_errors_and_html_are_not_kept(anon, demand):
    assert anon.get("/api/v1/demands/999999/").status_code == 404
    assert "ETag" not in anon.get("/api/v1/demands/?status=nonsense")
    html = anon.get(LIST, HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html") and "ETag" not in html


def test_a_draft_is_not_served_to_anyone_else(anon, reviewer):
    draft = f.draft_demand(reviewer)
    assert anon.get(detail(draft)).status_code == 404
