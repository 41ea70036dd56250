"""To-do counts of the 我的 page: 待确认 / 待认领 / 待评分, for the viewer's orgs."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from demands.models import Demand, DemandStatus, InitialDemand, InitialDemandStatus
from scoring.models import Rating, Side

from .models import Claim, ClaimStatus
from .selectors import escalated_pending_claims


def _party(user) -> tuple[QuerySet[Claim], str | None]:
    """The claims the user's orgs are a party to, and the side it rates for (None: no org).

    A league org account is the league side even if it also operates a volunteer org."""
    league_ids = user.reviewer_league_org_ids()
    if league_ids:
        return Claim.objects.filter(demand__league_org_id__in=league_ids), Side.LEAGUE
    org_ids = user.operated_volunteer_org_ids()
    if org_ids:
        return Claim.objects.filter(org_id__in=org_ids), Side.VOLUNTEER
    return Claim.objects.none(), None


def _rating_owed(side: str) -> Q:
    """待评分: the activity is published and this side has not rated yet."""
    rated = Rating.objects.filter(claim=OuterRef("pk"), side=side)
    return Q(status=ClaimStatus.ACTIVITY_PUBLISHED) & ~Q(Exists(rated))


def claims_to_rate(*, user) -> QuerySet[Claim]:
    """The claims whose rating the user's orgs owe: the rows behind the 待评分 count."""
    claims, side = _party(user)
    if side is None:
        return claims
    return claims.filter(_rating_owed(side))


def todo_counts(*, user) -> dict[str, int]:
    """League org: claims to confirm, its open demands, claims to rate.

    Volunteer org: its claims awaiting confirmation, claims to rate (待认领 is a league notion).
    Individual (no membership): its help requests awaiting the league org (待采用) and those
    adopted whose furthest demand is open (待认领, as their progress shows); nothing to rate.
    """
    claims, side = _party(user)
    if side is None:
        if user.cached_memberships or user.is_superuser:  # an administrator
            return {"to_confirm": 0, "to_claim": 0, "to_rate": 0}
        return _individual_counts(user)
    to_claim = 0
    to_rate = _rating_owed(side)
    if side == Side.LEAGUE:
        league_ids = user.reviewer_league_org_ids()
        to_claim = Demand.objects.filter(
            league_org_id__in=league_ids, status=DemandStatus.OPEN
        ).count()
    counts = claims.aggregate(  # both claim counts in one read
        to_confirm=Count("pk", filter=Q(status=ClaimStatus.PENDING)),
        to_rate=Count("pk", filter=to_rate),
    )
    if side == Side.LEAGUE:
        # 待确认 counts the reviews escalated to the user's orgs too (only the demand's own org
        # rates). Counted apart: one OR over both made PostgreSQL read every claim (42 ms
        # against 8 + 1.5 ms at the benchmark's 55,000 claims; docs/performance.md).
        counts["to_confirm"] += escalated_pending_claims(league_ids).count()
    return {"to_confirm": counts["to_confirm"], "to_claim": to_claim, "to_rate": counts["to_rate"]}


def _individual_counts(user) -> dict[str, int]:
    mine = InitialDemand.objects.filter(submitter=user)
    linked = Demand.objects.filter(initial_demands=OuterRef("pk"))
    beyond_open = (DemandStatus.CLAIMED, DemandStatus.IN_SERVICE, DemandStatus.COMPLETED)
    return {
        "to_confirm": mine.filter(status=InitialDemandStatus.PENDING).count(),
        "to_claim": mine.filter(status=InitialDemandStatus.ADOPTED)
        .filter(Exists(linked.filter(status=DemandStatus.OPEN)))
        .exclude(Exists(linked.filter(status__in=beyond_open)))
        .count(),
        "to_rate": 0,
    }
