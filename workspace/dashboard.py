"""The provincial administrators' dashboard figures, each from one or two aggregate queries.

Days are Asia/Shanghai days (settings.TIME_ZONE), whatever the database's own time zone.
A `Scope` narrows them: a period of days (the daily counts; demands published, and claims
made, in it) and a zone and a city (every figure). Overdue reviews are as of now, in the zone
and city.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from demands.choices import Zone
from demands.models import Demand, DemandStatus
from workflows.flows import ClaimFlow
from workflows.models import HOLDING_CLAIM_STATES, Activity, Claim
from workflows.selectors import overdue_review_tasks

DAILY_DAYS = 30


def platform_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Scope:
    """What the figures count: days first..last (Shanghai, inclusive; None: all time, for the
    totals), a zone code and a city (or None for all)."""

    first: datetime.date | None = None
    last: datetime.date | None = None
    zone: str | None = None
    city: object = None

    @property
    def start(self):
        if self.first is None:
            return None
        return datetime.datetime.combine(self.first, datetime.time.min, tzinfo=platform_tz())

    @property
    def end(self):
        if self.last is None:
            return None
        day = self.last + datetime.timedelta(days=1)
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=platform_tz())

    def demands(self, queryset, *, prefix: str = "", dated: str | None = None):
        """`queryset` of demands (or of rows reaching a demand through `prefix`) in the zone,
        the city and, by `dated` (a field), the period."""
        if self.zone:
            queryset = queryset.filter(**{f"{prefix}zone": self.zone})
        if self.city is not None:
            queryset = queryset.filter(**{f"{prefix}city": self.city})
        if dated and self.start is not None:
            queryset = queryset.filter(**{f"{dated}__gte": self.start})
        if dated and self.end is not None:
            queryset = queryset.filter(**{f"{dated}__lt": self.end})
        return queryset


ALL = Scope()


def _per_day(queryset, field: str) -> dict[datetime.date, int]:
    return dict(
        queryset.annotate(day=TruncDate(field, tzinfo=platform_tz()))
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
    )


def daily_counts(
    *,
    days: int = DAILY_DAYS,
    now: datetime.datetime | None = None,
    scope: Scope | None = None,
) -> list[dict]:
    """`[{day, demands, claims}]` for each day of the scope's period (by default the last
    `days` days, today included), oldest first.

    demands: demands published that day; claims: claims requested (认领) that day.
    """
    if scope is None or scope.first is None:
        today = timezone.localdate(now or timezone.now(), platform_tz())
        first = today - datetime.timedelta(days=days - 1)
        scope = Scope(
            first=first,
            last=today,
            zone=getattr(scope, "zone", None),
            city=getattr(scope, "city", None),
        )
    demands = _per_day(
        scope.demands(Demand.objects.exclude(published_at=None), dated="published_at"),
        "published_at",
    )
    claims = _per_day(
        scope.demands(Claim.objects.all(), prefix="demand__", dated="created_at"), "created_at"
    )
    result = []
    for offset in range((scope.last - scope.first).days + 1):
        day = scope.first + datetime.timedelta(days=offset)
        result.append({"day": day, "demands": demands.get(day, 0), "claims": claims.get(day, 0)})
    return result


def _published_demands(scope: Scope = ALL):
    return scope.demands(Demand.objects.exclude(status=DemandStatus.DRAFT), dated="published_at")


def demands_per_city(scope: Scope = ALL) -> list[dict]:
    """Published demands (every state but draft) per city, most first."""
    rows = (
        _published_demands(scope)
        .order_by()
        .values_list("city__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "city__code")
    )
    return [{"label": name or "—", "count": n} for name, n in rows]


def demands_per_zone(scope: Scope = ALL) -> list[dict]:
    """Published demands per zone, every zone listed (zero included), in the zones' order."""
    counts = dict(_published_demands(scope).order_by().values_list("zone").annotate(n=Count("pk")))
    return [
        {"zone": zone, "label": str(label), "count": counts.get(zone, 0)}
        for zone, label in Zone.choices
    ]


def funnel(scope: Scope = ALL) -> dict[str, int]:
    """Demands at each stage they have reached: published → claimed → activity → completed.

    claimed: a claim holds the demand now (approved, activity published or completed);
    activity: one of its claims has published its activity; completed: the demand is done.
    A demand whose approved claim was withdrawn is back to published only.
    """
    held = Claim.objects.filter(demand=OuterRef("pk"), status__in=HOLDING_CLAIM_STATES)
    with_activity = Activity.objects.filter(claim__demand=OuterRef("pk"))
    return (
        _published_demands(scope)
        .annotate(held=Exists(held), with_activity=Exists(with_activity))
        .aggregate(
            published=Count("pk"),
            claimed=Count("pk", filter=Q(held=True)),
            activity=Count("pk", filter=Q(with_activity=True)),
            completed=Count("pk", filter=Q(status=DemandStatus.COMPLETED)),
        )
    )


def median_decision_hours(scope: Scope = ALL) -> float | None:
    """Median hours from a claim to its reviewer's decision (approve or return), or None.

    Claims closed by the system (a competing claim approved, the demand closed or expired)
    have no decider and are not decisions; claims still pending are not counted either.
    """
    claims = scope.demands(Claim.objects.all(), prefix="demand__", dated="created_at")
    decided = (
        claims.filter(decided_at__isnull=False, decided_by__isnull=False)
        .annotate(
            took=ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField())
        )
        .order_by("took", "pk")
    )
    count = decided.count()
    if not count:
        return None
    middle = (count - 1) // 2
    took = list(decided.values_list("took", flat=True)[middle : middle + 2 - count % 2])
    seconds = sum(t.total_seconds() for t in took) / len(took)
    return round(seconds / 3600, 1)


def overdue_reviews_per_league_org(
    *, now: datetime.datetime | None = None, scope: Scope = ALL
) -> list[dict]:
    """Overdue reviews (selectors.review_is_overdue) per league org, most first."""
    overdue = overdue_review_tasks(review=ClaimFlow.review, now=now).filter(
        process=OuterRef("process_id")
    )
    claims = scope.demands(Claim.objects.all(), prefix="demand__")
    rows = (
        claims.filter(Exists(overdue))
        .order_by()
        .values_list("demand__league_org_id", "demand__league_org__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "demand__league_org__name")
    )
    return [{"league_org_id": pk, "label": name, "count": n} for pk, name, n in rows]


def dashboard_figures(*, now: datetime.datetime | None = None, scope: Scope | None = None) -> dict:
    now = now or timezone.now()
    if scope is None or scope.first is None:
        today = timezone.localdate(now, platform_tz())
        scope = Scope(
            first=today - datetime.timedelta(days=DAILY_DAYS - 1),
            last=today,
            zone=getattr(scope, "zone", None),
            city=getattr(scope, "city", None),
        )
    return {
        "as_of": now,
        "scope": scope,
        "daily": daily_counts(now=now, scope=scope),
        "per_city": demands_per_city(scope),
        "per_zone": demands_per_zone(scope),
        "funnel": funnel(scope),
        "median_decision_hours": median_decision_hours(scope),
        "overdue": overdue_reviews_per_league_org(now=now, scope=scope),
    }
