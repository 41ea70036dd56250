"""Writes: the notifications of a domain event (its listener), and marking them read."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from orgs import events
from orgs.choices import Role
from orgs.models import User
from scoring.models import Side

from .models import Kind, Notification
from .selectors import with_references


def _reviewers(league_org_id) -> Q:
    return Q(memberships__role=Role.LEAGUE_REVIEWER, memberships__league_org_id=league_org_id)


def _operators(volunteer_org_id) -> Q:
    return Q(memberships__role=Role.ORG_OPERATOR, memberships__volunteer_org_id=volunteer_org_id)


def _day(at) -> str | None:
    """The day a deadline falls on, in Asia/Shanghai (ISO). A deadline is the midnight that
    ends its day (workflows.deadlines), so that day is the one before the instant."""
    if at is None:
        return None
    return timezone.localdate(at - timedelta(microseconds=1)).isoformat()


def _recipients_and_params(event) -> tuple[Q | None, dict, dict]:
    """Who is told (a filter on users), the rows' references and what only the event knows
    (a reason, stars, points, a date). Names and titles are read from the references when the
    notification is shown, so emitting reads nothing more than the recipients."""
    kind = event.kind
    if kind not in Kind.values:  # an event that tells no one (a webhook's only, say)
        return None, {}, {}
    if kind == events.POINTS_PAID:
        entry, claim = event.entry, event.claim
        who = (
            _operators(entry.volunteer_org_id)
            if entry.volunteer_org_id
            else _reviewers(entry.league_org_id)
        )
        params = {"points": entry.points}
        return who, {"claim": claim, "demand_id": claim.demand_id}, params
    if kind in (events.INITIAL_DEMAND_ADOPTED, events.INITIAL_DEMAND_DECLINED):
        initial = event.initial_demand
        params = {}
        if initial.decision_reason:
            params["reason"] = initial.decision_reason
        return Q(pk=initial.submitter_id), {"initial_demand": initial}, params

    claim = event.claim
    refs = {"claim": claim, "demand_id": claim.demand_id}
    params = {}
    operators = _operators(claim.org_id)

    def reviewers():  # read the demand only for the kinds that tell its league org
        return _reviewers(claim.demand.league_org_id)

    if kind in (events.CLAIM_RECEIVED, events.CLAIM_WITHDRAWN):
        return reviewers(), refs, params
    if kind == events.REVIEW_ESCALATED:
        params["escalated_to"] = event.league_org.name
        return _reviewers(event.league_org.pk), refs, params
    if kind == events.RATING_RECEIVED:
        rating = event.rating
        params["stars"] = rating.stars
        # The league rated the volunteer org: the volunteer org hears of it, and the other way.
        return (operators if rating.side == Side.LEAGUE else reviewers()), refs, params
    if kind in (events.CLAIM_APPROVED, events.CLAIM_LAPSE_WARNING):
        params["due"] = _day(claim.activity_due_at)
        return operators, refs, params
    if kind == events.CLAIM_REJECTED:
        params["reason"] = claim.reason
        params["by_system"] = event.actor is None
        return operators, refs, params
    if kind == events.CLAIM_LAPSED:
        return operators | reviewers(), refs, params  # both sides are told
    if kind == events.CLAIM_CANCELLED:
        params["reason"] = claim.reason
        return operators | reviewers(), refs, params
    return None, refs, params


def notifications_for_event(event: events.Event) -> list[Notification]:
    """The listener (orgs.events): one row for each active user the event concerns, but not
    the one who caused it, in the emitting service's transaction. One query for the
    recipients, one insert."""
    who, refs, params = _recipients_and_params(event)
    if who is None:
        return []
    users = User.objects.filter(who, is_active=True)
    if event.actor is not None:
        users = users.exclude(pk=event.actor.pk)
    user_ids = sorted(set(users.values_list("pk", flat=True)))
    claim = refs.get("claim")
    rows = [
        Notification(
            user_id=user_id,
            kind=event.kind,
            claim=claim,
            demand_id=refs.get("demand_id"),
            initial_demand=refs.get("initial_demand"),
            params=params,
        )
        for user_id in user_ids
    ]
    return Notification.objects.bulk_create(rows)


def notification_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again: no change). DoesNotExist for another
    user's or a missing one."""
    notification = with_references(Notification.objects).get(pk=notification_id, user=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_read_all(*, user: User) -> int:
    """Mark every unread notification of the user read; how many were."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


__all__ = ["Kind", "notification_read", "notifications_for_event", "notifications_read_all"]
