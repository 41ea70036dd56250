"""The provincial administrators' dashboard figures, each from one or two aggregate queries.

Days are Asia/Shanghai days (settings.TIME_ZONE), whatever the database's own time zone.
"""

import datetime
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


def _per_day(queryset, field: str, start: datetime.datetime) -> dict[datetime.date, int]:
    return dict(
        queryset.filter(**{f"{field}__gte": start})
        .annotate(day=TruncDate(field, tzinfo=platform_tz()))
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
    )


def daily_counts(*, days: int = DAILY_DAYS, now: datetime.datetime | None = None) -> list[dict]:
    """`[{day, demands, claims}]` for the last `days` days, today included, oldest first.

    demands: demands published that day; claims: claims requested (认领) that day.
    """
    today = timezone.localdate(now or timezone.now(), platform_tz())
    first = today - datetime.timedelta(days=days - 1)
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=platform_tz())
    demands = _per_day(Demand.objects.exclude(published_at=None), "published_at", start)
    claims = _per_day(Claim.objects.all(), "created_at", start)
    result = []
    for offset in range(days):
        day = first + datetime.timedelta(days=offset)
        result.append({"day": day, "demands": demands.get(day, 0), "claims": claims.get(day, 0)})
    return result


def _published_demands():
    return Demand.objects.exclude(status=DemandStatus.DRAFT)


def demands_per_city() -> list[dict]:
    """Published demands (every state but draft) per city, most first."""
    rows = (
        _published_demands()
        .order_by()
        .values_list("city__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "city__code")
    )
    return [{"label": name or "—", "count": n} for name, n in rows]


def demands_per_zone() -> list[dict]:
    """Published demands per zone, every zone listed (zero included), in the zones' order."""
    counts = dict(_published_demands().order_by().values_list("zone").annotate(n=Count("pk")))
    return [
        {"zone": zone, "label": str(label), "count": counts.get(zone, 0)}
        for zone, label in Zone.choices
    ]


def funnel() -> dict[str, int]:
    """Demands at each stage they have reached: published → claimed → activity → completed.

    claimed: a claim holds the demand now (approved, activity published or completed);
    activity: one of its claims has published its activity; completed: the demand is done.
    A demand whose approved claim was withdrawn is back to published only.
    """
    held = Claim.objects.filter(demand=OuterRef("pk"), status__in=HOLDING_CLAIM_STATES)
    with_activity = Activity.objects.filter(claim__demand=OuterRef("pk"))
    return (
        _published_demands()
        .annotate(held=Exists(held), with_activity=Exists(with_activity))
        .aggregate(
            published=Count("pk"),
            claimed=Count("pk", filter=Q(held=True)),
            activity=Count("pk", filter=Q(with_activity=True)),
            completed=Count("pk", filter=Q(status=DemandStatus.COMPLETED)),
        )
    )


def median_decision_hours() -> float | None:
    """Median hours from a claim to its reviewer's decision (approve or return), or None.

    Claims closed by the system (a competing claim approved, the demand closed or expired)
    have no decider and are not decisions; claims still pending are not counted either.
    """
    decided = (
        Claim.objects.filter(decided_at__isnull=False, decided_by__isnull=False)
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


def overdue_reviews_per_league_org(*, now: datetime.datetime | None = None) -> list[dict]:
    """Overdue reviews (selectors.review_is_overdue) per league org, most first."""
    overdue = overdue_review_tasks(review=ClaimFlow.review, now=now).filter(
        process=OuterRef("process_id")
    )
    rows = (
        Claim.objects.filter(Exists(overdue))
        .order_by()
        .values_list("demand__league_org_id", "demand__league_org__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "demand__league_org__name")
    )
    return [{"league_org_id": pk, "label": name, "count": n} for pk, name, n in rows]


def dashboard_figures(*, now: datetime.datetime | None = None) -> dict:
    return {
        "daily": daily_counts(now=now),
        "per_city": demands_per_city(),
        "per_zone": demands_per_zone(),
        "funnel": funnel(),
        "median_decision_hours": median_decision_hours(),
        "overdue": overdue_reviews_per_league_org(now=now),
    }
