"""The periodic tasks of demands: expiry and the daily statistics snapshot, run inline."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app
from demands import tasks
from demands.models import Demand, DemandStatus, StatsSnapshot
from demands.stats import stats_as_of_yesterday, stats_snapshot_take
from workflows import services as claim_services

from .. import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10, minute: int = 0):
    """A moment in June 2024, Asia/Shanghai, frozen."""
    return time_machine.travel(
        datetime.datetime(2024, 6, day, hour, minute, tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def snapshot(day: datetime.date) -> dict[str, tuple[int, int]]:
    rows = StatsSnapshot.objects.filter(date=day)
    return {s.zone: (s.demand_count, s.claim_count) for s in rows}


def test_expiry_runs_as_a_task(reviewer):
    demand = f.open_demand(reviewer, end_date=timezone.localdate())
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert tasks.demand_expire_due.delay().get() == 1
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.EXPIRED


def test_the_snapshot_task_stores_yesterdays_figures_once(reviewer, operator):
    with at(4):
        claim_services.claim_approve(
            claim=f.claim(f.open_demand(reviewer), operator), actor=reviewer
        )
        f.open_demand(reviewer, zone="cloud_teaching")
    with at(5):
        f.open_demand(reviewer)  # today's: counts from tomorrow
    with at(5, hour=0, minute=5):
        tasks.stats_snapshot_take.delay().get()
    expected = {"colorful_holiday": (1, 1), "cloud_teaching": (1, 0), "general": (0, 0)}
    assert snapshot(datetime.date(2024, 6, 4)) == expected

    # a second run (a restarted beat, a retry) keeps the figures taken first
    with at(5, hour=11):
        tasks.stats_snapshot_take.delay().get()
    assert StatsSnapshot.objects.count() == 3
    assert snapshot(datetime.date(2024, 6, 4)) == expected


def test_readers_take_the_snapshot_from_the_database_when_their_cache_is_cold(reviewer):
    with at(4):
        f.open_demand(reviewer)
    with at(5, hour=0, minute=5):
        stats_snapshot_take()
    # what the snapshot says is what every process serves, even if the data changed since
    StatsSnapshot.objects.filter(zone="colorful_holiday").update(demand_count=7)
    with at(5, hour=9):
        with CaptureQueriesContext(connection) as queries:
            zones = stats_as_of_yesterday()["zones"]
        assert len(queries) == 1  # one read of the snapshot, no counting
        assert zones[0]["demand_count"] == 7
        with CaptureQueriesContext(connection) as queries:
            stats_as_of_yesterday()
        assert len(queries) == 0  # and then the cache


def test_without_the_task_the_first_reader_takes_the_snapshot(reviewer):
    with at(4):
        f.open_demand(reviewer)
    with at(5, hour=9):
        assert stats_as_of_yesterday()["zones"][0]["demand_count"] == 1
    assert snapshot(datetime.date(2024, 6, 4))["colorful_holiday"] == (1, 0)


def test_a_day_that_is_not_over_is_not_taken(db):
    with at(5):
        with pytest.raises(ValueError, match="not over"):
            stats_snapshot_take(day=datetime.date(2024, 6, 5))
    assert not StatsSnapshot.objects.exists()


def test_a_past_day_can_be_taken(reviewer):
    with at(2):
        f.open_demand(reviewer)
    with at(4):
        f.open_demand(reviewer)
    with at(9):
        counts = stats_snapshot_take(day=datetime.date(2024, 6, 3))
    assert counts["colorful_holiday"] == {"demand_count": 1, "claim_count": 0}


# -- the schedule ---------------------------------------------------------------------------


def test_every_scheduled_task_exists_and_runs_at_guangdong_times():
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)
    assert app.conf.timezone == "Asia/Shanghai"
    stats = schedule["stats-snapshot"]["schedule"]
    assert stats.hour == {0} and stats.minute == {5}  # just after midnight
    assert schedule["review-overdue-remind"]["schedule"].hour == {9}  # office hours


def test_tasks_run_inline_without_a_broker():
    assert settings.CELERY_BROKER_URL == ""
    assert app.conf.task_always_eager and app.conf.task_eager_propagates
