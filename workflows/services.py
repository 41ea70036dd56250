"""Claim use cases: each locks, checks the actor, transitions, audits and moves the process.

Lock order, everywhere: the demand row, then the claim row, then the process row (Viewflow's
`select_for_update_lock`). Two reviewers deciding two claims of one demand therefore queue on
the demand, and the second sees the first one's outcome instead of overwriting it.
"""

from contextlib import contextmanager

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import STATUS

from demands.models import Demand, DemandStatus
from orgs.audit import apply_transition, audit
from orgs.errors import InvalidInput, NotAllowed, StateConflict
from orgs.models import User, VolunteerOrg

from .models import ACTIVE_CLAIM_STATES, Activity, Claim, ClaimStatus

ACTIVE_TASK_STATES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
REASON_MAX = 200


def claim_flow():
    from .flows import ClaimFlow  # the flow imports these services; import late

    return ClaimFlow


@contextmanager
def flow_step():
    """Report a process row held by a concurrent step as a conflict, not a crash."""
    try:
        yield
    except FlowLockFailed as exc:
        raise StateConflict(_("流程正被他人处理，请稍后重试"), code="concurrent_change") from exc


def lock_claim(claim_id: int) -> Claim:
    """Lock the claim's demand, then the claim; return the claim as it is now."""
    demand_id = Claim.objects.values_list("demand_id", flat=True).get(pk=claim_id)
    demand = (
        Demand.objects.select_for_update(of=("self",))
        .select_related("league_org")
        .get(pk=demand_id)
    )
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("org", "process")
        .get(pk=claim_id)
    )
    claim.demand = demand
    return claim


def active_task(claim: Claim, node):
    task = (
        claim.process.task_set.filter(flow_task=node, status__in=ACTIVE_TASK_STATES)
        .order_by("-pk")
        .first()
    )
    if task is None:
        raise StateConflict(_("流程当前不在此步骤"), code="transition_not_allowed")
    return task


def process_cancel(claim: Claim) -> None:
    """Cancel the claim's process (if it has one still running); the claim row is locked."""
    from viewflow.workflow.exceptions import FlowRuntimeError
    from viewflow.workflow.status import PROCESS

    process = claim.process
    if process is None or process.status in (PROCESS.DONE, PROCESS.CANCELED):
        return
    try:
        with flow_step():
            claim_flow().instance.cancel(process)
    except FlowRuntimeError as exc:  # a task is mid-execution
        raise StateConflict(
            _("流程有正在处理的任务，暂不能取消"), code="concurrent_change"
        ) from exc


def _require_operator(actor: User, org_id: int) -> None:
    if org_id not in actor.operated_volunteer_org_ids():
        raise NotAllowed(_("只有认领组织的管理员可以进行此操作"))


def _require_reviewer(actor: User, demand: Demand) -> None:
    if demand.league_org_id not in actor.reviewer_league_org_ids():
        raise NotAllowed(_("只有发布该需求的团组织审核员可以进行此操作"))


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput(_("请填写原因"), fields={"reason": _("请填写退回原因")})
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            _("原因过长"), fields={"reason": _("原因不能超过%(n)d字") % {"n": REASON_MAX}}
        )
    return reason


# -- request -------------------------------------------------------------------------------


@transaction.atomic
def claim_request(*, demand: Demand, org: VolunteerOrg, actor: User) -> Claim:
    """A volunteer org claims (我要认领) an open demand; starts its claim process."""
    _require_operator(actor, org.pk)
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    org = VolunteerOrg.objects.get(pk=org.pk)
    missing = org.profile_missing()
    if missing:
        raise InvalidInput(
            _("请先完善组织信息再认领需求"),
            code="profile_incomplete",
            fields={field: _("认领前须完善此项") for field in missing},
        )
    if demand.status != DemandStatus.OPEN:
        raise StateConflict(
            _("需求当前状态为「%(state)s」，不能认领") % {"state": demand.get_status_display()},
            code="transition_not_allowed",
        )
    if Claim.objects.filter(demand=demand, org=org, status__in=ACTIVE_CLAIM_STATES).exists():
        raise StateConflict(_("本组织已认领该需求，请等待团组织确认"), code="duplicate_claim")

    claim = Claim.objects.create(demand=demand, org=org, requested_by=actor)
    audit(claim, action="request", actor=actor, from_state="", to_state=claim.status)
    claim_flow().start.run(claim=claim)
    return claim


# -- review --------------------------------------------------------------------------------


def _complete_review(claim: Claim, actor: User) -> None:
    """Finish the claim's review task as `actor`, whatever stage Viewflow's task is in."""
    task = active_task(claim, claim_flow().review)
    with flow_step(), task.activation() as activation:
        if task.status == STATUS.NEW:
            activation.assign(actor)
        elif task.status == STATUS.ASSIGNED and task.owner_id != actor.pk:
            activation.reassign(actor)
        if task.status == STATUS.ASSIGNED:
            activation.start(None)
        activation.execute()


@transaction.atomic
def claim_approve(*, claim: Claim, actor: User) -> Claim:
    """同意: the claim succeeds, the demand is claimed, competing claims are closed."""
    claim = lock_claim(claim.pk)
    _require_reviewer(actor, claim.demand)
    apply_transition(claim, "approve", actor=actor, by=actor)
    apply_transition(claim.demand, "claim", actor=actor)
    _complete_review(claim, actor)  # the flow goes on to close the competing claims
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, actor: User, reason: str) -> Claim:
    """退回: the claim fails with the reviewer's reason; its process ends."""
    reason = _clean_reason(reason, required=True)
    claim = lock_claim(claim.pk)
    _require_reviewer(actor, claim.demand)
    apply_transition(claim, "reject", actor=actor, reason=reason, by=actor)
    _complete_review(claim, actor)
    return claim


def claim_close_competing(*, claim: Claim) -> list[Claim]:
    """Reject, on the system's behalf, the other pending claims of the approved claim's demand.

    Runs as the flow's `close_competing_claims` step, inside claim_approve's transaction
    (which holds the demand row).
    """
    reason = _("该需求已由其他组织认领成功")
    closed = []
    for other in (
        Claim.objects.select_for_update(of=("self",))
        .select_related("process")
        .filter(demand_id=claim.demand_id, status=ClaimStatus.PENDING)
        .exclude(pk=claim.pk)
    ):
        _reject_by_system(other, reason)
        closed.append(other)
    return closed


def _reject_by_system(claim: Claim, reason: str) -> None:
    apply_transition(claim, "reject", actor=None, reason=reason, by=None)
    process_cancel(claim)


def claims_close_for_demand(*, demand: Demand, reason: str) -> None:
    """Close the pending claims of a demand that is closed or expired (demand row locked)."""
    for claim in (
        Claim.objects.select_for_update(of=("self",))
        .select_related("process")
        .filter(demand_id=demand.pk, status=ClaimStatus.PENDING)
    ):
        _reject_by_system(claim, reason)


# -- withdraw ------------------------------------------------------------------------------


@transaction.atomic
def claim_withdraw(*, claim: Claim, actor: User, reason: str = "") -> Claim:
    """撤销认领, before approval or after it but before the activity; cancels the process."""
    reason = _clean_reason(reason, required=False)
    claim = lock_claim(claim.pk)
    _require_operator(actor, claim.org_id)
    was_approved = claim.status == ClaimStatus.APPROVED
    apply_transition(claim, "withdraw", actor=actor, reason=reason)
    if was_approved:
        apply_transition(claim.demand, "reopen", actor=actor, reason=_("认领成功的组织撤销了认领"))
    process_cancel(claim)
    return claim


# -- activity ------------------------------------------------------------------------------

ACTIVITY_FIELDS = [
    f.name
    for f in Activity._meta.get_fields()
    if f.concrete and f.name not in {"id", "claim", "published_by", "published_at"}
]


@transaction.atomic
def activity_publish(*, claim: Claim, actor: User, data: dict) -> Activity:
    """The approved claimer publishes its volunteer activity; both sides may then rate."""
    from .validators import activity_errors

    claim = lock_claim(claim.pk)
    _require_operator(actor, claim.org_id)
    unknown = set(data) - set(ACTIVITY_FIELDS)
    if unknown:
        raise InvalidInput(
            _("有未知字段"), fields={name: _("未知字段") for name in sorted(unknown)}
        )
    activity = Activity(claim=claim, published_by=actor, **data)
    errors = activity_errors(activity, zone=claim.demand.zone)
    if errors:
        raise InvalidInput(_("活动信息有误"), fields=errors)
    apply_transition(claim, "publish_activity", actor=actor)
    apply_transition(claim.demand, "start_service", actor=actor)
    activity.save()
    task = active_task(claim, claim_flow().publish_activity)
    with flow_step():
        claim_flow().publish_activity.run(task)
    return activity


def claim_complete(*, claim: Claim) -> None:
    """Both ratings are in: the claim and its demand are completed (flow step, system)."""
    claim = lock_claim(claim.pk)
    apply_transition(claim, "complete", actor=None)
    apply_transition(claim.demand, "complete", actor=None)


def claim_process_attach(*, process, claim: Claim) -> None:
    """Link a new process and its claim both ways before the review task is created."""
    process.artifact = claim
    process.save()
    claim.process = process
    claim.save(update_fields=["process"])


# -- provincial administrators ---------------------------------------------------------------

# The claim states in which an administrator may stop a claim's process.
ADMIN_CANCELLABLE = (ClaimStatus.PENDING, ClaimStatus.APPROVED)


def _require_admin(actor: User) -> None:
    if not actor.is_provincial_admin:
        raise NotAllowed(_("只有团省委管理员可以进行此操作"))


def _admin_reason(reason: str, *, prefix: str = "") -> str:
    """The administrator's reason, required, and short enough with its prefix to be stored."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写原因"), fields={"reason": _("请填写原因")})
    limit = REASON_MAX - len(prefix)
    if len(reason) > limit:
        raise InvalidInput(
            _("原因过长"), fields={"reason": _("原因不能超过%(n)d字") % {"n": limit}}
        )
    return prefix + reason


@transaction.atomic
def claim_process_cancel(*, claim: Claim, actor: User, reason: str) -> Claim:
    """An administrator stops a claim's process: a pending claim is rejected, an approved one
    withdrawn (its demand reopens), then the Viewflow process is cancelled.

    Any later state (activity published, completed) or an already finished claim is a
    conflict: the activity has happened, so there is nothing left to take back.
    """
    _require_admin(actor)
    reason = _admin_reason(reason, prefix=_("管理员取消："))
    claim = lock_claim(claim.pk)
    if claim.status == ClaimStatus.PENDING:
        apply_transition(claim, "reject", actor=actor, reason=reason, by=actor)
    elif claim.status == ClaimStatus.APPROVED:
        apply_transition(claim, "withdraw", actor=actor, reason=reason)
        apply_transition(claim.demand, "reopen", actor=actor, reason=reason)
    else:
        raise StateConflict(
            _("认领当前状态为「%(state)s」，不能取消流程") % {"state": claim.get_status_display()},
            code="transition_not_allowed",
        )
    process_cancel(claim)
    return claim


def review_reassign_candidates(*, claim: Claim):
    """The users who may take over a claim's review: active reviewers of its demand's org."""
    from orgs.choices import Role

    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.LEAGUE_REVIEWER,
            memberships__league_org_id=claim.demand.league_org_id,
        )
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def review_task_reassign(*, claim: Claim, actor: User, to_user: User, reason: str):
    """An administrator hands a claim's open review task to another reviewer of its org.

    Returns the review task. The claim's state does not change; the audit record on the claim
    says who had the task and who has it now.
    """
    _require_admin(actor)
    reason = _admin_reason(reason)
    claim = lock_claim(claim.pk)
    if not review_reassign_candidates(claim=claim).filter(pk=to_user.pk).exists():
        raise InvalidInput(
            _("只能改派给该需求所属团组织的审核员"),
            fields={"to_user": _("该用户不是此团组织的审核员")},
        )
    task = active_task(claim, claim_flow().review)
    with flow_step(), task.activation() as activation:
        old_owner = task.owner
        if task.status == STATUS.NEW:
            activation.assign(to_user)
        elif task.status == STATUS.ASSIGNED:
            if task.owner_id == to_user.pk:
                raise InvalidInput(
                    _("审核任务已由该审核员处理"),
                    fields={"to_user": _("审核任务已分配给该审核员")},
                )
            activation.reassign(to_user)
        else:
            raise StateConflict(_("审核任务正在处理中，不能改派"), code="concurrent_change")
    audit(
        claim,
        action="reassign",
        actor=actor,
        from_state=claim.status,
        to_state=claim.status,
        reason=_("审核任务由 %(old)s 改派给 %(new)s：%(reason)s")
        % {
            "old": old_owner.username if old_owner else _("（未分配）"),
            "new": to_user.username,
            "reason": reason,
        },
    )
    return task
