"""Numbered and keyset (cursor) pages of the demand list and the claims feed."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demands.models import Demand, DemandStatus
from workflows import services as claim_services

from .. import factories as f

LIST = "/api/v1/demands/"
FEED = "/api/v1/feeds/claims/"


def query(link: str | None) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(link).query, keep_blank_values=True).items()}


def walk(client, url, params, key="next"):
    """Follow `key` links from the first page; the ids of every page, in order."""
    pages = []
    body = client.get(url, params).json()
    while True:
        pages.append([row["id"] for row in body["results"]])
        if not body[key]:
            return pages, body
        body = client.get(url, query(body[key])).json()


@pytest.fixture
def demands(reviewer):
    """Eight open demands; three published in the same instant (a tie on published_at)."""
    made = [f.open_demand(reviewer) for _ in range(5)]
    with time_machine.travel(datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC), tick=False):
        made += [f.open_demand(reviewer) for _ in range(3)]
    return made


def numbered(client, **params) -> list[int]:
    body = client.get(LIST, {"page_size": 100, **params}).json()
    return [row["id"] for row in body["results"]]


def test_cursor_pages_walk_the_list_in_the_numbered_order_both_ways(client_for, demands):
    client = client_for(None)
    pages, last = walk(client, LIST, {"cursor": "", "page_size": 3})
    assert [len(p) for p in pages] == [3, 3, 2]
    assert sum(pages, []) == numbered(client)
    assert "count" not in last and last["previous"]

    back, first = walk(client, LIST, query(last["previous"]), key="previous")
    assert back == pages[-2::-1]
    assert first["previous"] is None and first["next"]


def test_cursor_pages_follow_the_clients_ordering(client_for, demands):
    client = client_for(None)
    for ordering in ("end_date", "-volunteers_needed", "created_at"):
        pages, _ = walk(client, LIST, {"cursor": "", "page_size": 3, "ordering": ordering})
        ids = sum(pages, [])
        assert sorted(ids) == sorted(d.pk for d in demands)
        assert ids == numbered(client, ordering=f"{ordering},{'-' if '-' in ordering else ''}id")


def test_cursor_pages_of_my_demands_include_drafts_without_a_publish_time(
    client_for, reviewer, demands
):
    drafts = {f.draft_demand(reviewer).pk for _ in range(2)}
    pages, _ = walk(client_for(reviewer), LIST, {"cursor": "", "page_size": 3, "mine": "true"})
    ids = sum(pages, [])
    assert len(ids) == len(set(ids)) == 10
    assert set(ids[:2]) == drafts  # newest first, and unpublished drafts before everything


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "WyJ0aXRsZSIsMSwxLCJuIl0"},  # ["title", 1, 1, "n"]: not this ordering
        {"cursor": "", "page": "1"},
    ],
)
def test_a_bad_cursor_is_a_400_on_the_cursor_field(client_for, demands, params):
    response = client_for(None).get(LIST, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "cursor" in response.json()["fields"]


def test_a_deep_cursor_page_costs_the_queries_of_the_first(client_for, demands):
    client = client_for(None)
    counts = []
    for params in ({"cursor": "", "page_size": 2}, {"cursor": "", "page_size": 6}):
        with CaptureQueriesContext(connection) as queries:
            first = client.get(LIST, params).json()
        counts.append(len(queries))
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, query(first["next"]))
    counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


def test_numbered_pages_read_keys_first_and_keep_their_order(client_for, demands):
    client = client_for(None)
    everything = numbered(client)
    pages = [numbered(client, page=n, page_size=3) for n in (1, 2, 3)]
    assert sum(pages, []) == everything
    assert client.get(LIST, {"page": 4, "page_size": 3}).status_code == 404


def test_the_claims_feed_is_keyset_paged(client_for, reviewer, operator):
    for _ in range(5):
        demand = f.open_demand(reviewer)
        claim_services.claim_approve(claim=f.claim(demand, operator), actor=reviewer)
    pages, last = walk(client_for(None), FEED, {"page_size": 2})
    assert [len(p) for p in pages] == [2, 2, 1] and "count" not in last
    ids = sum(pages, [])
    assert len(set(ids)) == 5
    assert Demand.objects.filter(status=DemandStatus.CLAIMED).count() == 5


def test_a_long_lists_total_is_counted_once_for_a_while(client_for, reviewer, demands, settings):
    from django.core.cache import cache

    cache.clear()
    client = client_for(None)
    settings.API_LIST_COUNT_CACHE = {"min_rows": 8, "seconds": 30}
    assert client.get(LIST, {"page_size": 5}).json()["count"] == 8
    newest = f.open_demand(reviewer)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(LIST, {"page_size": 5}).json()
    assert body["count"] == 8  # the total is the cached one; the rows are read afresh
    assert body["results"][0]["id"] == newest.pk
    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]

    settings.API_LIST_COUNT_CACHE = {"min_rows": 100, "seconds": 30}  # a short list: exact
    cache.clear()
    assert client.get(LIST).json()["count"] == 9
    f.open_demand(reviewer)
    assert client.get(LIST).json()["count"] == 10
    cache.clear()


def test_a_list_that_can_match_nothing_counts_zero(client_for, demands):
    # `mine` for a visitor with no league org filters on an empty set of orgs.
    body = client_for(None).get(LIST, {"mine": "true"}).json()
    assert body["count"] == 0 and body["results"] == []
