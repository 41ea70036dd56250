"""Reads of demands for pages and feeds."""

from django.db.models import Count, Q

from workflows.models import ClaimStatus

from .choices import Zone
from .models import Demand, DemandStatus

PUBLIC_STATES = [s for s in DemandStatus.values if s != DemandStatus.DRAFT]


def zone_counts() -> list[dict]:
    """Per zone: published demands and successful claims (two grouped queries)."""
    demands = dict(
        Demand.objects.filter(status__in=PUBLIC_STATES).values_list("zone").annotate(n=Count("pk"))
    )
    claims = dict(
        Demand.objects.values_list("zone").annotate(
            n=Count(
                "claims",
                filter=Q(
                    claims__status__in=[
                        ClaimStatus.APPROVED,
                        ClaimStatus.ACTIVITY_PUBLISHED,
                        ClaimStatus.COMPLETED,
                    ]
                ),
            )
        )
    )
    return [
        {
            "zone": z,
            "label": z.label,
            "demand_count": demands.get(z.value, 0),
            "claim_count": claims.get(z.value, 0),
        }
        for z in Zone
    ]


def demand_list_public(*, limit: int = 10):
    return (
        Demand.objects.filter(status__in=PUBLIC_STATES)
        .select_related("league_org", "city")
        .order_by("-published_at", "-pk")[:limit]
    )
