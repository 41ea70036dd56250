"""/api/v1/stats/ (counted as of the end of yesterday, cached per day) and /api/v1/feeds/claims/."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demands import services as demand_services
from demands.stats import end_of_yesterday, stats_as_of_yesterday
from workflows import services as claim_services

from .. import factories as f

STATS = "/api/v1/stats/"
FEED = "/api/v1/feeds/claims/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10, minute: int = 0, second: int = 0):
    """A moment in June 2024, Asia/Shanghai, frozen."""
    return time_machine.travel(
        datetime.datetime(2024, 6, day, hour, minute, second, tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def counts(client) -> dict[str, tuple[int, int]]:
    response = client.get(STATS)
    assert response.status_code == 200
    return {z["zone"]: (z["demand_count"], z["claim_count"]) for z in response.json()["zones"]}


def approved(demand, reviewer, operator):
    return claim_services.claim_approve(claim=f.claim(demand, operator), actor=reviewer)


# -- statistics ----------------------------------------------------------------------------


def test_what_happens_today_counts_from_tomorrow(client_for, reviewer, operator):
    with at(5):
        holiday = f.open_demand(reviewer)
        f.open_demand(reviewer, zone="cloud_teaching")
        f.draft_demand(reviewer)
        approved(holiday, reviewer, operator)
        response = client_for(None).get(STATS)
        assert response.json()["as_of"] == "2024-06-04T23:59:59.999999+08:00"
        assert counts(client_for(None)) == {
            "colorful_holiday": (0, 0),
            "cloud_teaching": (0, 0),
            "general": (0, 0),
        }
    with at(6, hour=0, minute=0, second=1):
        data = client_for(None).get(STATS).json()
        assert data["as_of"] == "2024-06-05T23:59:59.999999+08:00"
        assert data["zones"][0] == {
            "zone": "colorful_holiday",
            "label": "七彩假期",
            "demand_count": 1,
            "claim_count": 1,
        }
        assert counts(client_for(None)) == {
            "colorful_holiday": (1, 1),
            "cloud_teaching": (1, 0),
            "general": (0, 0),
        }


def test_the_cutoff_is_midnight_in_shanghai(client_for, reviewer):
    with at(4, hour=23, minute=59, second=59):
        f.open_demand(reviewer)
    with at(5, hour=0):
        f.open_demand(reviewer)
    with at(5, hour=7):  # 23:00 UTC of the 4th: the UTC date would still be yesterday
        assert counts(client_for(None))["colorful_holiday"] == (1, 0)


def test_what_counts(client_for, reviewer, operator, operator2):
    with at(4):
        closed = f.open_demand(reviewer)
        demand_services.demand_close(demand=closed, actor=reviewer)
        kept = f.open_demand(reviewer)
        rejected = f.claim(kept, operator2)
        claim_services.claim_reject(claim=rejected, actor=reviewer, reason="人数不够")
        approved(kept, reviewer, operator)
        withdrawn_demand = f.open_demand(reviewer)
        withdrawn = approved(withdrawn_demand, reviewer, operator)
        claim_services.claim_withdraw(claim=withdrawn, actor=operator, reason="人手不足")
        f.draft_demand(reviewer)
    with at(5):
        # published, whatever the state now (closed, reopened); drafts never; claims that
        # hold their demand, not the rejected or the withdrawn one
        assert counts(client_for(None))["colorful_holiday"] == (3, 1)


def test_computed_once_a_day(client_for, reviewer, operator):
    with at(4):
        claim = approved(f.open_demand(reviewer), reviewer, operator)
    with at(5, hour=8):
        assert counts(client_for(None))["colorful_holiday"] == (1, 1)
        with CaptureQueriesContext(connection) as queries:
            assert counts(client_for(None))["colorful_holiday"] == (1, 1)
        assert len(queries) == 0
    with at(5, hour=9):
        claim_services.claim_withdraw(claim=claim, actor=operator)
        # today's figures were taken once; the withdrawal shows in tomorrow's
        assert counts(client_for(None))["colorful_holiday"] == (1, 1)
    with at(6, hour=8):
        assert counts(client_for(None))["colorful_holiday"] == (1, 0)


def test_stats_function_and_cutoff(db):
    with at(5, hour=0, minute=0, second=0):
        assert end_of_yesterday() == datetime.datetime(
            2024, 6, 4, 23, 59, 59, 999999, tzinfo=SHANGHAI
        )
        assert [z["zone"] for z in stats_as_of_yesterday()["zones"]] == [
            "colorful_holiday",
            "cloud_teaching",
            "general",
        ]


def test_stats_are_read_only(client_for, operator):
    assert client_for(operator).post(STATS).status_code == 405


# -- claims feed ---------------------------------------------------------------------------


@pytest.fixture
def feed(reviewer, operator, operator2, vorg, vorg2):
    """Two successful claims (cloud teaching newer) and three that are not."""
    with at(3):
        holiday = approved(f.open_demand(reviewer), reviewer, operator)
        pending_demand = f.open_demand(reviewer)
        f.claim(pending_demand, operator)
        claim_services.claim_reject(
            claim=f.claim(pending_demand, operator2), actor=reviewer, reason="不合适"
        )
    with at(4):
        cloud = approved(f.open_demand(reviewer, zone="cloud_teaching"), reviewer, operator2)
        withdrawn = approved(f.open_demand(reviewer), reviewer, operator)
        claim_services.claim_withdraw(claim=withdrawn, actor=operator)
    return holiday, cloud


def test_feed_lists_successful_claims_newest_first(client_for, feed, league, vorg2):
    holiday, cloud = feed
    response = client_for(None).get(FEED)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [cloud.pk, holiday.pk]
    assert rows[0] == {
        "id": cloud.pk,
        "demand": {"id": cloud.demand_id, "title": cloud.demand.title, "zone": "cloud_teaching"},
        "org": {"id": vorg2.pk, "name": vorg2.name},
        "league_org": {"id": league.pk, "name": league.name},
        "decided_at": "2024-06-04T10:00:00+08:00",
        "status": "approved",
        "status_label": "认领成功",
    }
    assert "18826480174" not in response.content.decode()


def test_feed_zone_filter(client_for, feed):
    holiday, cloud = feed
    rows = client_for(None).get(FEED, {"zone": "colorful_holiday"}).json()["results"]
    assert [r["id"] for r in rows] == [holiday.pk]
    assert client_for(None).get(FEED, {"zone": "mars"}).status_code == 400


def test_feed_demand_filter(client_for, feed):
    """需求详情's 认领信息: the successful claims of one demand, none of its returned ones."""
    holiday, cloud = feed
    rows = client_for(None).get(FEED, {"demand": holiday.demand_id, "cursor": ""}).json()
    assert [r["id"] for r in rows["results"]] == [holiday.pk]
    assert client_for(None).get(FEED, {"demand": 999999}).json()["results"] == []
    assert client_for(None).get(FEED, {"demand": "x"}).status_code == 400
    assert client_for(None).get(FEED, {"demand": 2**70}).status_code == 400


def test_feed_keeps_claims_whose_activity_is_published(client_for, feed, operator):
    holiday, _ = feed
    claim_services.activity_publish(claim=holiday, actor=operator, data=f.activity_data())
    rows = client_for(None).get(FEED).json()["results"]
    assert {r["id"]: r["status"] for r in rows}[holiday.pk] == "activity_published"


def test_feed_queries_do_not_grow_with_the_page(client_for, reviewer, operator):
    for _ in range(6):
        approved(f.open_demand(reviewer), reviewer, operator)
    counts = []
    for size in (1, 5):
        with CaptureQueriesContext(connection) as queries:
            response = client_for(None).get(FEED, {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
