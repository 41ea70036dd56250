"""The home page's statistics (数据统计 数据截止至昨日): demands and claims per zone."""

import datetime

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from workflows.models import HOLDING_CLAIM_STATES, Claim

from .choices import Zone
from .models import Demand, DemandStatus, StatsSnapshot

CACHE_KEY = "stats:zones:{date}"
# A day's figures are read all day long; keep them a little past the day they serve.
CACHE_TIMEOUT = 26 * 60 * 60


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last instant of `day` in the platform's time zone (Asia/Shanghai)."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(midnight) - datetime.timedelta(microseconds=1)


def end_of_yesterday(now: datetime.datetime | None = None) -> datetime.datetime:
    """The last instant of yesterday in the platform's time zone (Asia/Shanghai)."""
    today = timezone.localdate(now or timezone.now())
    return end_of_day(today - datetime.timedelta(days=1))


def zone_counts_until(cutoff: datetime.datetime) -> dict[str, dict[str, int]]:
    """Per zone code: demands published and claims approved at or before `cutoff`."""
    demands = dict(
        Demand.objects.filter(published_at__lte=cutoff)
        .exclude(status=DemandStatus.DRAFT)
        .order_by()
        .values_list("zone")
        .annotate(n=Count("pk"))
    )
    claims = dict(
        Claim.objects.filter(decided_at__lte=cutoff, status__in=HOLDING_CLAIM_STATES)
        .order_by()
        .values_list("demand__zone")
        .annotate(n=Count("pk"))
    )
    return {
        zone: {"demand_count": demands.get(zone, 0), "claim_count": claims.get(zone, 0)}
        for zone in Zone.values
    }


def stats_snapshot_take(*, day: datetime.date | None = None) -> dict[str, dict[str, int]]:
    """The figures as of the end of `day` (default yesterday), from its snapshot, taken if missing.

    A day is taken once it is over, and then kept: a later call, here or in another process,
    reads the stored rows. When two processes take the same day at once, the first insert wins
    and both return what was stored.
    """
    today = timezone.localdate()
    day = day or today - datetime.timedelta(days=1)
    if day >= today:
        raise ValueError(f"{day} is not over yet: its figures would still change")
    counts = _snapshot_counts(day)
    if counts is None:
        computed = zone_counts_until(end_of_day(day))
        StatsSnapshot.objects.bulk_create(
            [StatsSnapshot(date=day, zone=zone, **figures) for zone, figures in computed.items()],
            ignore_conflicts=True,
        )
        counts = _snapshot_counts(day)
    return counts


def _snapshot_counts(day: datetime.date) -> dict[str, dict[str, int]] | None:
    rows = StatsSnapshot.objects.filter(date=day).values_list("zone", "demand_count", "claim_count")
    stored = {zone: {"demand_count": d, "claim_count": c} for zone, d, c in rows}
    if not stored:
        return None
    # A zone added after that day had nothing on it then.
    return {zone: stored.get(zone, {"demand_count": 0, "claim_count": 0}) for zone in Zone.values}


def stats_as_of_yesterday() -> dict:
    """`{as_of, zones: [{zone, label, demand_count, claim_count}]}` as of the end of yesterday.

    What counts, as the seed says "截止至昨日" (as of yesterday):

    - demand_count: demands *published* (`published_at`) at or before the end of yesterday,
      whatever their state now: a demand since claimed, completed, closed or expired was
      still published on the platform. Drafts never count (they have no `published_at`).
    - claim_count: claims *approved* (`decided_at`) at or before the end of yesterday that
      still hold their demand now (approved, activity published or completed). A claim
      approved and then withdrawn no longer counts; rejected claims, which also carry a
      decision time, never count.

    Something published or approved today counts from tomorrow. A day's figures are taken
    once, as a `StatsSnapshot` per zone: by the periodic task just after midnight
    (`demands.tasks.stats_snapshot_take`), or else by the first reader of the day. Readers
    look in Django's cache first (per process with the default local-memory cache), then at
    the snapshot, so the home page costs no query after the first. A claim withdrawn today
    therefore still counts until tomorrow's figures replace today's.
    Labels are added per request, outside the cache, in the request's language.
    """
    as_of = end_of_yesterday()
    key = CACHE_KEY.format(date=as_of.date().isoformat())
    counts = cache.get(key)
    if counts is None:
        counts = stats_snapshot_take(day=as_of.date())
        cache.set(key, counts, CACHE_TIMEOUT)
    return {
        "as_of": as_of,
        "zones": [
            {"zone": zone.value, "label": str(zone.label), **counts[zone.value]} for zone in Zone
        ],
    }
