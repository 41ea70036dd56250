"""Claim use cases: each locks, checks the actor, transitions, audits and moves the process.

Lock order, everywhere: the demand row, then the claim row, then the process row
(`lock_claim`). Two reviewers deciding two claims of one demand therefore queue on the
demand, and the second sees the first one's outcome instead of overwriting it. The process
then moves through Viewflow's public API (`Handle.run`, a task's activation, `Flow.cancel`),
whose own lock on the process row is one the transaction already holds. Every transition
writes its audit record as it happens (`orgs.audit.apply_transition`).

The services do not import the flow (the flow calls them): they reach it through the app
registry, `claim_flow()`.
"""

import datetime
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.status import PROCESS, STATUS

from demands.models import Demand, DemandStatus
from orgs import events
from orgs.audit import apply_transition, audit
from orgs.errors import InvalidInput, NotAllowed, StateConflict
from orgs.models import LeagueOrg, User, VolunteerOrg
from orgs.sms import sms_queue
from orgs.validation import REASON_MAX, clean_reason

from . import deadlines
from .models import ACTIVE_CLAIM_STATES, Activity, Claim, ClaimStatus, ReviewEscalation
from .selectors import ACTIVE_TASK_STATES, review_org_for


def claim_flow():
    """The claim flow class (registered by WorkflowsConfig.ready)."""
    return apps.get_app_config("workflows").claim_flow


def _locked_with_process(claims):
    """Claims locked together with their process rows (claim, then process, row by row)."""
    return (
        claims.select_for_update(of=("self", "process"))
        .select_related("process")
        .filter(process__isnull=False)  # an inner join: a row lock needs one
        .order_by("pk")
    )


def lock_claim(claim: Claim) -> Claim:
    """Lock the claim's demand, then the claim and its process; return the claim as it is now.

    A claim never moves to another demand, so the caller's `demand_id` names the demand row.
    """
    demand = (
        Demand.objects.select_for_update(of=("self",))
        .select_related("league_org")
        .get(pk=claim.demand_id)
    )
    locked = _locked_with_process(Claim.objects.select_related("org")).filter(pk=claim.pk)
    claim = locked.get()
    if claim.demand_id != demand.pk:  # never decide a claim whose demand is not locked
        raise StateConflict(_("该记录已被他人同时修改，请刷新后重试"), code="concurrent_change")
    claim.demand = demand
    return claim


def active_task(claim: Claim, node, *, select_related=()):
    """The claim's open task at `node`, read under the process lock."""
    tasks = claim.process.task_set.filter(flow_task=node, status__in=ACTIVE_TASK_STATES)
    if select_related:
        tasks = tasks.select_related(*select_related)
    task = tasks.order_by("-pk").first()
    if task is None:
        raise StateConflict(_("流程当前不在此步骤"), code="transition_not_allowed")
    return task


@contextmanager
def review_activation(task):
    """The review task's activation under Viewflow's process lock, as its task pages take them.

    `task` was read by `active_task` after `lock_claim`: the lock is one this transaction
    holds, and the task (with the process and claim it came through) is current, so it is not
    read again (`Task.activation()` would); the flow's nodes see the service's claim object.
    """
    with task.flow_task.flow_class.lock(task.process_id):
        yield task.flow_task.activation_class(task)


def process_cancel(claim: Claim) -> None:
    """Cancel the claim's process, if it is still running, with Viewflow's `Flow.cancel`.

    The claim row (and so its process row) is locked by the caller.
    """
    process = claim.process
    if process is None or process.status in (PROCESS.DONE, PROCESS.CANCELED):
        return
    try:
        process.flow_class.instance.cancel(process)
    except FlowRuntimeError as exc:  # a task is mid-execution
        raise StateConflict(
            _("流程有正在处理的任务，暂不能取消"), code="concurrent_change"
        ) from exc


def _require_operator(actor: User, org_id: int) -> None:
    if org_id not in actor.operated_volunteer_org_ids():
        raise NotAllowed(_("只有认领组织的管理员可以进行此操作"))


def _require_reviewer(actor: User, claim: Claim) -> int:
    """The league org through which `actor` decides the claim: the demand's own, else the
    lowest org its review was escalated to (selectors.review_org_for); else NotAllowed."""
    org_id = review_org_for(actor, claim)
    if org_id is None:
        raise NotAllowed(_("只有发布该需求的团组织审核员可以进行此操作"))
    return org_id


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
    claim.review_due_at = deadlines.review_due(claim.created_at)
    audit(claim, action="request", actor=actor, from_state="", to_state=claim.status)
    claim_flow().start.run(claim=claim)  # inserts the process (claim_process_attach)
    claim.save(update_fields=["process", "review_due_at"])
    events.emit(events.CLAIM_RECEIVED, claim=claim, actor=actor)
    return claim


# -- review --------------------------------------------------------------------------------


def _complete_review(claim: Claim, actor: User) -> None:
    """Finish the claim's review task as `actor`, whether it is in the queue or assigned.

    As Viewflow's own task pages do: assign (or reassign) it to the actor, start it, execute
    it; the flow goes on to its next nodes.
    """
    task = active_task(claim, claim_flow().review)
    with review_activation(task) as activation:
        if task.status == STATUS.NEW:
            activation.assign(actor)
        elif task.owner_id != actor.pk:
            activation.reassign(actor)
        activation.start(request=None)
        activation.execute()


def review_task_take(*, task, user: User) -> bool:
    """Take a queued review task for `user` (the next one after a decision), as Viewflow's
    assign page does, under its process lock; False when it was taken meanwhile or is no
    longer the user's to take."""
    with transaction.atomic(), task.activation() as activation:
        if not (
            activation.assign.can_proceed()
            and activation.flow_task.can_assign(user, activation.task)
        ):
            return False
        activation.assign(user)
    return True


@transaction.atomic
def claim_approve(*, claim: Claim, actor: User) -> Claim:
    """同意: the claim succeeds, the demand is claimed, competing claims are closed."""
    claim = lock_claim(claim)
    org_id = _require_reviewer(actor, claim)
    apply_transition(
        claim, "approve", actor=actor, by=actor, demand_end=claim.demand.end_date, org=org_id
    )
    apply_transition(claim.demand, "claim", actor=actor, org=org_id)
    _complete_review(claim, actor)  # the flow goes on to close the competing claims
    events.emit(events.CLAIM_APPROVED, claim=claim, actor=actor)
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, actor: User, reason: str) -> Claim:
    """退回: the claim fails with the reviewer's reason; its process ends."""
    reason = clean_reason(reason, required=True, required_message=_("请填写退回原因"))
    claim = lock_claim(claim)
    org_id = _require_reviewer(actor, claim)
    apply_transition(claim, "reject", actor=actor, reason=reason, by=actor, org=org_id)
    _complete_review(claim, actor)
    events.emit(events.CLAIM_REJECTED, claim=claim, actor=actor)
    return claim


def claim_close_competing(*, claim: Claim) -> list[Claim]:
    """Reject, on the system's behalf, the other pending claims of the approved claim's demand.

    Runs as the flow's `close_competing_claims` step, inside claim_approve's transaction
    (which holds the demand row).
    """
    others = Claim.objects.filter(demand_id=claim.demand_id, status=ClaimStatus.PENDING)
    return _reject_by_system(others.exclude(pk=claim.pk), _("该需求已由其他组织认领成功"))


def _reject_by_system(claims, reason: str) -> list[Claim]:
    """Reject pending claims of a locked demand, on the system's behalf, and cancel their
    processes; the caller's transaction holds the demand row."""
    claims = list(_locked_with_process(claims))
    for claim in claims:
        apply_transition(claim, "reject", actor=None, reason=reason, by=None)
        process_cancel(claim)
        events.emit(events.CLAIM_REJECTED, claim=claim)
    return claims


def claims_close_for_demand(*, demand: Demand, reason: str) -> None:
    """Close the pending claims of a demand that is closed or expired (demand row locked)."""
    _reject_by_system(Claim.objects.filter(demand_id=demand.pk, status=ClaimStatus.PENDING), reason)


# -- withdraw ------------------------------------------------------------------------------


@transaction.atomic
def claim_withdraw(*, claim: Claim, actor: User, reason: str = "") -> Claim:
    """撤销认领, before approval or after it but before the activity; cancels the process."""
    reason = clean_reason(reason, required=False)
    claim = lock_claim(claim)
    _require_operator(actor, claim.org_id)
    was_approved = claim.status == ClaimStatus.APPROVED
    apply_transition(claim, "withdraw", actor=actor, reason=reason)
    if was_approved:
        apply_transition(claim.demand, "reopen", actor=actor, reason=_("认领成功的组织撤销了认领"))
    process_cancel(claim)
    events.emit(events.CLAIM_WITHDRAWN, claim=claim, actor=actor)
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

    claim = lock_claim(claim)
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
    flow = claim_flow()
    flow.publish_activity.run(active_task(claim, flow.publish_activity))
    return activity


def claim_complete(*, claim: Claim) -> None:
    """Both ratings are in: the claim and its demand are completed (flow step, system).

    Runs inside rating_submit's transaction, which locked the demand, the claim and its process
    (`claim` is that locked object).
    """
    apply_transition(claim, "complete", actor=None)
    apply_transition(claim.demand, "complete", actor=None)


def claim_process_attach(*, process, claim: Claim) -> None:
    """Link a new process and its claim both ways before the review task is created.

    In memory: the start step inserts the process with its artifact, and claim_request then
    saves the claim's link to it.
    """
    process.artifact = claim
    claim.process = process


# -- provincial administrators ---------------------------------------------------------------

# The claim states in which an administrator may stop a claim's process.
ADMIN_CANCELLABLE = (ClaimStatus.PENDING, ClaimStatus.APPROVED)


def _require_admin(actor: User) -> None:
    if not actor.is_provincial_admin:
        raise NotAllowed(_("只有团省委管理员可以进行此操作"))


def _admin_reason(reason: str, *, prefix: str = "") -> str:
    """The administrator's reason, required, and short enough with its prefix to be stored."""
    return prefix + clean_reason(reason, required=True, max_length=REASON_MAX - len(prefix))


@transaction.atomic
def claim_process_cancel(*, claim: Claim, actor: User, reason: str) -> Claim:
    """取消流程: an administrator stops a claim's process, with a reason that both sides see.

    The claim's `cancel` transition (a pending claim ends as 认领失败, an approved one as 撤销认领,
    both marked cancelled), its own audit record (`cancel`), the demand's reopening for an
    approved claim, and Viewflow's `Flow.cancel`, in one transaction. Any later state
    (activity published, completed) or an already finished claim is a conflict: the activity
    has happened, so there is nothing left to take back.
    """
    _require_admin(actor)
    reason = clean_reason(reason, required=True, required_message=_("请填写取消原因"))
    claim = lock_claim(claim)
    if claim.status not in ADMIN_CANCELLABLE:
        raise StateConflict(
            _("认领当前状态为「%(state)s」，不能取消流程") % {"state": claim.get_status_display()},
            code="transition_not_allowed",
        )
    was_approved = claim.status == ClaimStatus.APPROVED
    apply_transition(claim, "cancel", actor=actor, reason=reason, by=actor)
    if was_approved:
        apply_transition(
            claim.demand,
            "reopen",
            actor=actor,
            reason=_("管理员取消了认领成功的流程：%(reason)s") % {"reason": reason},
        )
    process_cancel(claim)
    events.emit(events.CLAIM_CANCELLED, claim=claim, actor=actor)
    return claim


def _person(user: User) -> str:
    """A user as people know them (the display name), the username failing that."""
    return user.get_full_name() or user.username


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
    claim = lock_claim(claim)
    if not review_reassign_candidates(claim=claim).filter(pk=to_user.pk).exists():
        raise InvalidInput(
            _("只能改派给该需求所属团组织的审核员"),
            fields={"to_user": _("该用户不是此团组织的审核员")},
        )
    task = active_task(claim, claim_flow().review, select_related=["owner"])
    old_owner = task.owner
    with review_activation(task) as activation:
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
            "old": _person(old_owner) if old_owner else _("（未分配）"),
            "new": _person(to_user),
            "reason": reason,
        },
    )
    return task


# -- deadlines (docs/deadlines.md; the sweep in workflows/sweeps.py) ---------------------------


def league_ancestors(org_id: int) -> list[LeagueOrg]:
    """The league orgs above `org_id`, nearest first (parent, grandparent, … the province)."""
    ancestors, seen = [], {org_id}
    parent_id = LeagueOrg.objects.filter(pk=org_id).values_list("parent_id", flat=True).first()
    while parent_id is not None and parent_id not in seen:  # a cycle would be bad data
        seen.add(parent_id)
        parent = LeagueOrg.objects.get(pk=parent_id)
        ancestors.append(parent)
        parent_id = parent.parent_id
    return ancestors


def escalation_due_level(requested_at: datetime.datetime, now: datetime.datetime) -> int:
    """The highest escalation level whose time (deadlines.escalation_at) has come at `now`."""
    level = 0
    while deadlines.escalation_at(requested_at, level + 1) <= now:
        level += 1
    return level


@transaction.atomic
def claim_escalate(*, claim: Claim, now: datetime.datetime | None = None) -> list[LeagueOrg]:
    """上报: a review still open reaches the next league orgs up the tree, as far as its age
    says (one level per REVIEW_ESCALATE_DAYS), never past the province (an org without parent).

    Under the claim's locks; each level reached is one ReviewEscalation row, one audit record
    (action `escalate`, the system, the org reached) and one REVIEW_ESCALATED event. Returns
    the orgs reached now ([] when nothing was due: another run did it, or it was decided).
    """
    now = now or timezone.now()
    claim = lock_claim(claim)
    if claim.status != ClaimStatus.PENDING:
        return []
    ancestors = league_ancestors(claim.demand.league_org_id)
    target = min(escalation_due_level(claim.created_at, now), len(ancestors))
    reached = []
    for level in range(claim.escalation_level + 1, target + 1):
        org = ancestors[level - 1]
        ReviewEscalation.objects.create(claim=claim, league_org=org, level=level)
        claim.escalation_level = level
        audit(
            claim,
            action="escalate",
            actor=None,
            from_state=claim.status,
            to_state=claim.status,
            reason=_("审核超过%(days)d天未处理，已上报%(org)s")
            % {"days": level * deadlines.platform_days("REVIEW_ESCALATE_DAYS"), "org": org.name},
            org=org,
        )
        events.emit(events.REVIEW_ESCALATED, claim=claim, league_org=org)
        reached.append(org)
    if reached:
        claim.save(update_fields=["escalation_level", "updated_at"])
    return reached


LAPSE_WARNING_SMS_PURPOSE = "lapse_warning"


def lapse_warning_text(*, claim: Claim, language: str | None = None) -> str:
    """The warning's SMS; accounts have no language, so the platform's (as the reminders)."""
    due = timezone.localtime(claim.activity_due_at)
    with translation.override(language or settings.LANGUAGE_CODE):
        return _(
            "【i志愿】贵组织认领的需求「%(title)s」须在%(due)s前发布志愿服务活动，逾期认领将失效。"
        ) % {"title": claim.demand.title, "due": due.strftime("%Y-%m-%d %H:%M")}


@transaction.atomic
def claim_lapse_warn(*, claim: Claim, now: datetime.datetime | None = None) -> bool:
    """Warn the approved claimer, once, LAPSE_WARNING_DAYS before its activity is due.

    Sets `lapse_warned_at`, emits CLAIM_LAPSE_WARNING and queues an SMS to the volunteer org's
    contact mobile for after the commit. False when not (or no longer) due: decided meanwhile,
    warned already, or already past the due time (the lapse comes instead).
    """
    now = now or timezone.now()
    claim = lock_claim(claim)
    due = claim.activity_due_at
    if (
        claim.status != ClaimStatus.APPROVED
        or claim.lapse_warned_at is not None
        or due is None
        or not deadlines.lapse_warning_at(due) <= now < due
    ):
        return False
    claim.lapse_warned_at = now
    claim.save(update_fields=["lapse_warned_at", "updated_at"])
    events.emit(events.CLAIM_LAPSE_WARNING, claim=claim)
    if claim.org.contact_mobile:
        sms_queue(
            phone=claim.org.contact_mobile,
            purpose=LAPSE_WARNING_SMS_PURPOSE,
            text=lapse_warning_text(claim=claim),
        )
    return True


@transaction.atomic
def claim_lapse(*, claim: Claim, now: datetime.datetime | None = None) -> bool:
    """认领失效: an approved claim whose activity was not published by `activity_due_at`.

    Under the claim's locks: the claim lapses, its demand is open again (and expires at once
    when its period has ended: nobody could claim it any more), the process ends through the
    flow's `lapsed` end (the publish_activity Handle runs and its gateway sees no activity),
    CLAIM_LAPSED is emitted. False when not (or no longer) due, e.g. the activity was
    published a moment before.
    """
    now = now or timezone.now()
    claim = lock_claim(claim)
    if (
        claim.status != ClaimStatus.APPROVED
        or claim.activity_due_at is None
        or now < claim.activity_due_at
    ):
        return False
    apply_transition(claim, "lapse", actor=None, reason=_("认领成功后未按时发布志愿服务活动"))
    demand = claim.demand
    apply_transition(
        demand, "reopen", actor=None, reason=_("认领成功的组织未按时发布活动，认领失效")
    )
    if demand.period_ended():  # as `expire`'s own condition reads it: today
        claims_close_for_demand(demand=demand, reason=_("需求已过期"))
        apply_transition(demand, "expire", actor=None, reason=_("需求周期结束仍未被认领"))
    flow = claim_flow()
    flow.publish_activity.run(active_task(claim, flow.publish_activity))
    events.emit(events.CLAIM_LAPSED, claim=claim)
    return True


# -- follow-up (待跟进) -----------------------------------------------------------------------

# How far ahead a reviewer may put a review aside: a month is past any review's due time and
# its escalations (REVIEW_DUE_DAYS, REVIEW_ESCALATE_DAYS), so a later date is a typo.
REVIEW_FOLLOW_UP_MAX_DAYS = 30


@transaction.atomic
def review_follow_up_set(*, claim: Claim, actor: User, at) -> Claim:
    """待跟进: a reviewer of the claim's demand puts its review aside until `at` (an aware
    datetime in the future, at most REVIEW_FOLLOW_UP_MAX_DAYS ahead), or clears it (`at`
    None). The default queue leaves the review out until then. Audited as `follow_up`."""
    claim = lock_claim(claim)
    _require_reviewer(actor, claim)
    if claim.status != ClaimStatus.PENDING:
        raise StateConflict(
            _("认领当前状态为「%(status)s」，不能设置跟进时间")
            % {"status": claim.get_status_display()},
            code="transition_not_allowed",
        )
    if at is not None:
        now = timezone.now()
        if timezone.is_naive(at):
            raise InvalidInput(
                _("跟进时间无效"), fields={"follow_up_at": _("请输入有效的日期和时间")}
            )
        if at <= now:
            raise InvalidInput(_("跟进时间无效"), fields={"follow_up_at": _("跟进时间须晚于现在")})
        if at > now + datetime.timedelta(days=REVIEW_FOLLOW_UP_MAX_DAYS):
            raise InvalidInput(
                _("跟进时间无效"),
                fields={
                    "follow_up_at": _("跟进时间最多可设在%(days)d天之后")
                    % {"days": REVIEW_FOLLOW_UP_MAX_DAYS}
                },
            )
    claim.review_follow_up_at = at
    claim.save(update_fields=["review_follow_up_at", "updated_at"])
    audit(
        claim,
        action="follow_up",
        actor=actor,
        from_state=claim.status,
        to_state=claim.status,
        reason=timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else _("清除跟进时间"),
    )
    return claim
