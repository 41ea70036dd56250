"""Rating use cases and the settlement of points."""

from django.db import transaction
from django.utils.translation import gettext as _

from orgs import events
from orgs.audit import audit
from orgs.errors import InvalidInput, NotAllowed, StateConflict
from orgs.models import User
from orgs.validation import clean_text
from workflows import services as claim_services
from workflows.models import Claim, ClaimStatus

from .models import PointsEntry, Rating, Side, rating_reason
from .rules import points_for_rating

COMMENT_MAX = 200


def rating_side(claim: Claim, actor: User) -> str | None:
    """The side `actor` rates for on this claim, or None if they are no party to it."""
    if claim.demand.league_org_id in actor.reviewer_league_org_ids():
        return Side.LEAGUE
    if claim.org_id in actor.operated_volunteer_org_ids():
        return Side.VOLUNTEER
    return None


def _validate(stars, comment) -> tuple[int, str]:
    errors = {}
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        errors["stars"] = _("请选择1到5星")
    try:
        comment = clean_text(comment, field="comment", max_length=COMMENT_MAX)
    except InvalidInput as exc:
        errors |= exc.fields
    if errors:
        raise InvalidInput(_("评分信息有误"), fields=errors)
    return stars, comment


@transaction.atomic
def rating_submit(*, claim: Claim, actor: User, stars: int, comment: str = "") -> Rating:
    """One side rates the other (1–5 stars); when both have, the flow settles the points."""
    stars, comment = _validate(stars, comment)
    claim = claim_services.lock_claim(claim)
    side = rating_side(claim, actor)
    if side is None:
        raise NotAllowed(_("只有认领双方可以评分"))
    if claim.status != ClaimStatus.ACTIVITY_PUBLISHED:
        raise StateConflict(
            _("认领当前状态为「%(state)s」，不能评分") % {"state": claim.get_status_display()},
            code="transition_not_allowed",
        )
    if Rating.objects.filter(claim=claim, side=side).exists():
        raise StateConflict(_("您已评分，不能重复评分"), code="already_rated")

    rating = Rating.objects.create(
        claim=claim, side=side, rater=actor, stars=stars, comment=comment
    )
    audit(
        claim,
        action=f"rate_by_{side}",
        actor=actor,
        from_state=claim.status,
        to_state=claim.status,
    )
    flow = claim_services.claim_flow()
    node = flow.rate_by_league if side == Side.LEAGUE else flow.rate_by_volunteer
    events.emit(events.RATING_RECEIVED, rating=rating, claim=claim, actor=actor)
    node.run(claim_services.active_task(claim, node))  # the second joins, settle_points runs
    # The flow's steps read the claim and its demand afresh; answer with what they wrote.
    claim.refresh_from_db(fields=["status", "updated_at"])
    claim.demand.refresh_from_db(fields=["status", "updated_at"])
    return rating


def points_settle(*, claim: Claim) -> list[PointsEntry]:
    """Pay each rated org for its rating and complete the claim (flow step `settle_points`).

    Runs inside rating_submit's transaction, which locked the demand, the claim and its process
    (`claim` is that locked object).
    """
    entries = []
    for rating in claim.ratings.filter(points_entry__isnull=True):
        rated = (
            {"volunteer_org_id": claim.org_id}
            if rating.side == Side.LEAGUE
            else {"league_org_id": claim.demand.league_org_id}
        )
        entries.append(
            PointsEntry(
                points=points_for_rating(rating.stars),
                # Stored for the record; readers see reason_text, rendered in their language.
                reason=rating_reason(title=claim.demand.title, stars=rating.stars),
                claim=claim,
                rating=rating,
                **rated,
            )
        )
    PointsEntry.objects.bulk_create(entries)
    claim_services.claim_complete(claim=claim)
    for entry in entries:
        events.emit(events.POINTS_PAID, entry=entry, claim=claim)
    return entries
