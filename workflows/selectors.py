"""Reads of claims for the parties to them: lists, one claim, its process progress, and
which reviews are overdue."""

import datetime

from django.conf import settings
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from orgs.backends import review_permission

from . import deadlines
from .models import HOLDING_CLAIM_STATES, Claim, ClaimProcess, ClaimStatus, ReviewEscalation

ACTIVE_TASK_STATES = {STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED}
# The nodes a party waits on; gateways, splits and joins are not steps anyone takes.
WAITING_NODES = ("review", "publish_activity", "rate_by_league", "rate_by_volunteer")
RATING_NODES = ("rate_by_league", "rate_by_volunteer")


def _visible(viewer) -> Q:
    """The claims a viewer is a party to: its orgs' claims, claims on its league orgs' demands
    and the claims whose review was escalated to its league orgs."""
    if not viewer.is_authenticated:
        return Q(pk__in=[])
    if viewer.is_provincial_admin:
        return Q()
    return Q(org_id__in=viewer.operated_volunteer_org_ids()) | claim_reviewable_q(
        viewer.reviewer_league_org_ids()
    )


def _tasks() -> Prefetch:
    # Only the columns progress reads; flow_task resolves to the node without a query.
    return Prefetch(
        "process__task_set",
        queryset=Task.objects.only("pk", "process", "flow_task", "status").order_by("pk"),
    )


def claim_list(*, viewer) -> QuerySet[Claim]:
    """我的申请 (a volunteer org's claims) and 待审核 (claims on a league org's demands) in one.

    A provincial admin sees every claim. The rows carry their demand, orgs and process tasks,
    so a page costs the same number of queries whatever its size.
    """
    return (
        Claim.objects.filter(_visible(viewer))
        .select_related("demand__league_org", "org", "process")
        .prefetch_related(_tasks())
    )


def claim_ref(*, pk, viewer) -> Claim:
    """The ids of a claim the viewer is a party to (for a service, which locks and re-reads it);
    else Claim.DoesNotExist. One small query instead of claim_get's three."""
    return (
        Claim.objects.filter(_visible(viewer))
        .only("pk", "demand_id", "org_id", "status")
        .get(pk=pk)
    )


def claim_get(*, pk, viewer) -> Claim:
    """One claim the viewer is a party to, with all its detail shows; else Claim.DoesNotExist."""
    holder = Claim.objects.filter(demand=OuterRef("demand_id"), status__in=HOLDING_CLAIM_STATES)
    claim = (
        claim_list(viewer=viewer)
        .select_related("activity")
        .prefetch_related("ratings")
        .annotate(demand_holder_org_id=Subquery(holder.values("org_id")[:1]))
        .get(pk=pk)
    )
    # What demands.selectors.demand_queryset() annotates, for can_see_contact_mobile().
    claim.demand.holder_org_id = claim.demand_holder_org_id
    return claim


def _task_states(claim: Claim) -> list[tuple[str, str]]:
    """(node name, status) of the claim's tasks in creation order; none without a process."""
    if claim.process is None:
        return []
    return [
        (task.flow_task.name, task.status)
        for task in claim.process.task_set.all()
        if task.flow_task is not None
    ]


def claim_current_step(claim: Claim) -> str | None:
    """The node the process waits on (the earliest one when both ratings are open), or None."""
    for name, state in _task_states(claim):
        if name in WAITING_NODES and state in ACTIVE_TASK_STATES:
            return name
    return None


def claim_progress(claim: Claim) -> list[dict]:
    """The steps of a claim's detail page: 认领申请 → 审核认领 → 发布活动 → 双方评分 → 完成.

    A step is done when its task is done, or when the claim's state says it happened (a claim
    made before its process existed has no tasks to tell).
    """
    done = {name for name, state in _task_states(claim) if state == STATUS.DONE}
    status = claim.status
    reviewed = status in (
        ClaimStatus.APPROVED,
        ClaimStatus.REJECTED,
        ClaimStatus.ACTIVITY_PUBLISHED,
        ClaimStatus.COMPLETED,
        ClaimStatus.LAPSED,
    )
    if claim.is_cancelled:  # an administrator's cancel is no review: did one happen before?
        reviewed = claim.decided_at is not None
    published = status in (ClaimStatus.ACTIVITY_PUBLISHED, ClaimStatus.COMPLETED)
    completed = status == ClaimStatus.COMPLETED
    steps = [
        ("request", _("认领申请"), True),
        ("review", _("审核认领"), reviewed or "review" in done),
        ("activity", _("发布活动"), published or "publish_activity" in done),
        ("rating", _("双方评分"), completed or done.issuperset(RATING_NODES)),
        ("complete", _("完成"), completed or "settle_points" in done),
    ]
    return [{"step": step, "label": str(label), "done": bool(flag)} for step, label, flag in steps]


def claim_feed():
    """认领信息: claims that succeeded and still hold their demand, newest decision first."""
    return (
        Claim.objects.filter(status__in=HOLDING_CLAIM_STATES)
        .select_related("demand__league_org", "org")
        .order_by("-decided_at", "-id")
    )


# -- operator UI scoping -----------------------------------------------------------------------


def claim_process_visible(*, user, process=None) -> bool:
    """May `user` open the claim process UI (process None), or this process?"""
    if not user.is_authenticated:
        return False
    if user.is_provincial_admin:
        return True
    orgs = user.reviewer_league_org_ids()
    if not orgs:
        return False
    if process is None:
        return True
    return Claim.objects.filter(claim_reviewable_q(orgs), process_id=process.pk).exists()


def claim_processes_for(user):
    """The claim processes `user` may list: all for administrators; for reviewers, their
    orgs' and those whose review was escalated to their orgs."""
    processes = ClaimProcess.objects.all()
    if user.is_provincial_admin:
        return processes
    return processes.filter(claim_reviewable_q(user.reviewer_league_org_ids(), prefix="claim__"))


def claim_processes_scope(queryset, *, user, field: str = "pk"):
    """`queryset` narrowed to the rows whose `field` is a claim process `user` may list; as it
    is for an administrator (no subquery over every process)."""
    if user.is_provincial_admin:
        return queryset
    return queryset.filter(**{f"{field}__in": claim_processes_for(user).values("pk")})


# -- overdue reviews ---------------------------------------------------------------------------
# One rule, applied alike by the reviewer's queue, the monitor, its exports, the dashboard and
# the reminders: an open review is overdue from its claim's `review_due_at` on (set when the
# claim is made, REVIEW_DUE_DAYS later: workflows/deadlines.py).


def review_overdue_days() -> int:
    return settings.PLATFORM["REVIEW_DUE_DAYS"]


def review_is_overdue(due: datetime.datetime | None, now: datetime.datetime | None = None) -> bool:
    """Whether an open review due at `due` (its claim's review_due_at; None: no open review)
    is overdue."""
    return deadlines.due_state(due, now) == "overdue"


def review_overdue_q(
    now: datetime.datetime | None = None, *, prefix: str = "process__claim__"
) -> Q:
    """review_is_overdue in SQL, on an open review task (`prefix` leads to its claim)."""
    return Q(**{f"{prefix}review_due_at__lte": now or timezone.now()})


def overdue_review_tasks(*, review, now: datetime.datetime | None = None) -> QuerySet[Task]:
    """The open tasks of the flow's `review` node that are overdue (review_is_overdue, in SQL)."""
    return Task.objects.filter(
        review_overdue_q(now), flow_task=review, status__in=ACTIVE_TASK_STATES
    )


# -- escalated reviews -------------------------------------------------------------------------
# A review still open REVIEW_ESCALATE_DAYS after its claim reaches the demand's league org's
# parent, one more level each further period (workflows/sweeps.py). The reviewers of every org
# it reached may see and decide it, as the owning org's still may.


def escalated_claim_ids(org_ids) -> QuerySet:
    """The ids of the claims whose review reached one of `org_ids` (a subquery)."""
    return ReviewEscalation.objects.filter(league_org_id__in=org_ids).values("claim_id")


def claim_reviewable_q(org_ids, *, prefix: str = "") -> Q:
    """The claims the reviewers of `org_ids` review: their demands', and those escalated to
    them. `prefix` leads from the queried model to the claim (e.g. "process__claim__")."""
    org_ids = list(org_ids)
    if not org_ids:
        return Q(pk__in=[])
    return Q(**{f"{prefix}demand__league_org_id__in": org_ids}) | Q(
        **{f"{prefix}pk__in": escalated_claim_ids(org_ids)}
    )


def review_org_for(user, claim: Claim) -> int | None:
    """The league org through which `user` reviews `claim`: the demand's own if they review it,
    else the lowest org its review was escalated to that they review; None if neither."""
    orgs = user.reviewer_league_org_ids() if user.is_authenticated else set()
    if not orgs:
        return None
    if claim.demand.league_org_id in orgs:
        return claim.demand.league_org_id
    return (
        ReviewEscalation.objects.filter(claim_id=claim.pk, league_org_id__in=orgs)
        .order_by("level")
        .values_list("league_org_id", flat=True)
        .first()
    )


# -- reviewer workspace ------------------------------------------------------------------------

# The review screen lists the claimer's latest ratings, not its whole history.
REVIEW_RATINGS_SHOWN = 20


def _review_tasks(user, review) -> QuerySet[Task]:
    """Tasks of the flow's `review` node on the user's league orgs' claims, oldest first.

    Scoped by league org, not only by Viewflow's queue permission: a superuser's queue holds
    every task, but only a reviewer of the demand's league org may decide a claim.
    """
    return Task.objects.filter(
        claim_reviewable_q(user.reviewer_league_org_ids(), prefix="process__claim__"),
        flow_task=review,
    ).order_by("created", "pk")


def _review_permissions(user) -> list[str]:
    return [review_permission(org) for org in user.reviewer_league_org_ids()]


def escalated_pending_claims(org_ids) -> QuerySet[Claim]:
    """The pending claims of other orgs' demands whose review was escalated to `org_ids` (a
    semi-join on the index escalation_org_claim): what the reviewers of `org_ids` decide
    besides their own."""
    return Claim.objects.filter(
        status=ClaimStatus.PENDING, pk__in=escalated_claim_ids(org_ids)
    ).exclude(demand__league_org_id__in=org_ids)


def escalated_review_processes(org_ids) -> QuerySet:
    """The processes of the pending claims whose review was escalated to `org_ids` (a
    subquery on the index escalation_org_claim)."""
    return ReviewEscalation.objects.filter(
        league_org_id__in=org_ids, claim__status=ClaimStatus.PENDING
    ).values_list("claim__process_id", flat=True)


def _review_scope_q(user) -> Q:
    """A review task of the user's league orgs (its permission), or escalated to them.

    The escalated ones are named by their processes, read first (one small query): with
    literal lists the queue's read stays what it was without escalations, served by the
    queue index `viewflow_task_queue`, and with some it is two index scans. An OR with a
    subquery, or with PostgreSQL's `= ANY(ARRAY(subquery))`, made the planner leave the
    queue index for the `created` one (tests/test_indexes.py).
    """
    orgs = user.reviewer_league_org_ids()
    if not orgs:
        return Q(pk__in=[])
    scope = Q(owner_permission__in=_review_permissions(user))
    escalated = list(escalated_review_processes(orgs))
    if escalated:
        scope |= Q(process_id__in=escalated)
    return scope


def review_queue(user, review) -> QuerySet[Task]:
    """The reviewer's queue: the unassigned tasks of the `review` node that carry one of the
    user's league orgs' review permissions or were escalated to one of them, oldest (and so
    overdue) first.

    What Viewflow's queue selects of a review task (a NEW task carries its league org's
    review permission and no owner), asked as one query on the permission itself, which the
    index `viewflow_task_queue` serves (migration 0005), instead of Viewflow's join to every
    process and its OR over permission, owner and none. The processes of the reviews escalated
    to the user's orgs are read first, in one small query on ReviewEscalation (index
    escalation_org_claim; `_review_scope_q`), and named in the queue's query.
    """
    return Task.objects.filter(_review_scope_q(user), flow_task=review, status=STATUS.NEW).order_by(
        "created", "pk"
    )


def review_open_tasks(user, review) -> QuerySet[Task]:
    """The open reviews of the user's league orgs: the queue and the tasks someone holds.

    An assigned task keeps the permission it was created with, so the same index serves it;
    the tasks escalated to the user's orgs are included (as review_queue adds them).
    The queue's saved filters (超期, a zone, 我的) read this, with the assignee column.
    """
    return Task.objects.filter(
        _review_scope_q(user), flow_task=review, status__in=(STATUS.NEW, STATUS.ASSIGNED)
    ).order_by("created", "pk")


def review_zone_q(zone: str) -> Q:
    return Q(process__claim__demand__zone=zone)


def review_task_counts(user, review, filters: dict[str, Q]) -> dict[str, int]:
    """How many of the user's open reviews each of `filters` selects, in one query."""
    if not filters:
        return {}
    return (
        review_open_tasks(user, review)
        .order_by()
        .aggregate(**{name: Count("pk", filter=q) for name, q in filters.items()})
    )


def follow_up_q(now: datetime.datetime | None = None, prefix: str = "process__claim__") -> Q:
    """The reviews a reviewer put aside until a time still to come (待跟进): the default queue
    leaves them out until then."""
    return Q(**{f"{prefix}review_follow_up_at__gt": now or timezone.now()})


# Due soonest first (the screens' default order): the claim's review_due_at, then the oldest.
REVIEW_DUE_ORDER = (F("process__claim__review_due_at").asc(nulls_last=True), "created", "pk")


def next_review_task(user, review) -> Task | None:
    """The reviewer's next task of the `review` node after a decision: the one due soonest in
    their inbox, else in their default queue (without the reviews put aside for a follow-up).
    The node is given (the flow imports the views, which read this)."""
    if not user.is_authenticated:
        return None
    return (
        _review_tasks(user, review)
        .filter(owner=user, status=STATUS.ASSIGNED)
        .order_by(*REVIEW_DUE_ORDER)
        .first()
        or review_queue(user, review).exclude(follow_up_q()).order_by(*REVIEW_DUE_ORDER).first()
    )


def deciding_orgs(claim: Claim) -> list[dict]:
    """Who may decide the claim's review: the demand's league org, then each org it was
    escalated to (one query)."""
    orgs = [{"org": claim.demand.league_org, "level": 0, "at": None}]
    if claim.escalation_level:
        orgs += [
            {"org": row.league_org, "level": row.level, "at": row.escalated_at}
            for row in ReviewEscalation.objects.filter(claim_id=claim.pk)
            .select_related("league_org")
            .order_by("level")
        ]
    return orgs


def review_context(claim: Claim) -> dict:
    """What the review screen shows of one claim, in four queries whatever the numbers.

    The demand; the claiming org's profile with its completed claims and average stars; the
    stars and comments league orgs gave it; and the other claims of the same demand, each with
    its org's completed claims and average stars. Ratings count only on completed claims,
    where both sides have rated (see scoring.selectors.volunteer_org_directory).
    """
    from scoring.models import Rating, Side
    from scoring.selectors import volunteer_org_directory

    claim = Claim.objects.select_related("demand__league_org", "demand__city", "process").get(
        pk=claim.pk
    )
    others = list(
        Claim.objects.filter(demand_id=claim.demand_id)
        .exclude(pk=claim.pk)
        .order_by("created_at", "pk")
    )
    orgs = volunteer_org_directory().in_bulk({claim.org_id, *(c.org_id for c in others)})
    for other in others:
        other.org = orgs[other.org_id]
    claim.org = orgs[claim.org_id]
    ratings = list(
        Rating.objects.filter(
            claim__org_id=claim.org_id, claim__status=ClaimStatus.COMPLETED, side=Side.LEAGUE
        )
        .select_related("claim__demand__league_org")
        .order_by("-created_at", "-pk")[:REVIEW_RATINGS_SHOWN]
    )
    return {
        "claim": claim,
        "demand": claim.demand,
        "org": claim.org,
        "ratings": ratings,
        "competing_claims": others,
    }
