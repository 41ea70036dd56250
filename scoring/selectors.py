"""Reads of ratings and points."""

from django.db.models import Avg, Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from orgs.models import LeagueOrg, User, VolunteerOrg
from workflows.models import Claim, ClaimStatus

from .models import PointsEntry, Rating, Side


def points_balance(*, org: LeagueOrg | VolunteerOrg) -> int:
    field = "league_org" if isinstance(org, LeagueOrg) else "volunteer_org"
    total = PointsEntry.objects.filter(**{field: org}).aggregate(total=Sum("points"))["total"]
    return total or 0


def rating_list_visible(*, claim: Claim, viewer: User) -> list[Rating]:
    """Blind rating: until both sides have rated, each party sees only its own rating."""
    ratings = list(claim.ratings.all())
    if len(ratings) == 2 or viewer.is_provincial_admin:
        return ratings
    from .services import rating_side

    side = rating_side(claim, viewer)
    return [r for r in ratings if r.side == side]


def volunteer_org_directory():
    """Volunteer orgs with `completed_claims` and `average_stars` as subqueries: one query a page.

    Stars count only on completed claims: ratings are blind until both sides are in
    (scoring.selectors.rating_list_visible), so an average over a half-rated claim would
    publish a rating that its own org may not see yet.
    """
    completed = Claim.objects.filter(org=OuterRef("pk"), status=ClaimStatus.COMPLETED)
    stars = Rating.objects.filter(
        claim__org=OuterRef("pk"), claim__status=ClaimStatus.COMPLETED, side=Side.LEAGUE
    )
    return VolunteerOrg.objects.select_related("city", "endorsed_by").annotate(
        completed_claims=Coalesce(
            Subquery(
                completed.order_by().values("org").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
        average_stars=Subquery(
            stars.order_by().values("claim__org").annotate(a=Avg("stars")).values("a")[:1]
        ),
    )


def rating_list_given(*, league_org_ids) -> QuerySet[Rating]:
    """The ratings league orgs gave volunteer orgs (团组织评分), newest first."""
    return (
        Rating.objects.filter(side=Side.LEAGUE, claim__demand__league_org_id__in=league_org_ids)
        .select_related("claim__org", "claim__demand", "rater")
        .order_by("-created_at", "-pk")
    )
