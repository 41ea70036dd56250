"""Reads of ratings and points."""

from django.db.models import Sum

from orgs.models import LeagueOrg, User, VolunteerOrg
from workflows.models import Claim

from .models import PointsEntry, Rating


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
