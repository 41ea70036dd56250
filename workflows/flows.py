"""ClaimFlow: one process per claim, from the request to the mutual rating.

Viewflow's own nodes and lock, as in its cookbook. The nodes are wiring only: each step's
rules live in the services (workflows/services.py, scoring/services.py), which lock the demand,
the claim and the process row in that order and then move the process through Viewflow's
public activation API. The one node of our own is `ServiceView` (workflows/nodes.py): the
review is a human task that a service completes, for the API and the operator UI alike.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import UserIndexTaskView

from orgs.backends import review_permission
from scoring import services as scoring_services

from . import services
from .models import ClaimProcess, ClaimStatus
from .nodes import ServiceView
from .selectors import claim_process_visible
from .views import ReviewClaimView, ScopedIndexTaskView, ScopedUserIndexTaskView


class ClaimFlow(flow.Flow):
    """认领流程

    A volunteer org's claim of a demand: the demand's league org reviews it; the approved
    claimer publishes the activity; both sides rate each other and earn points.
    """

    # Translatable, unlike the docstring that Viewflow would read them from: the board and
    # every process page show them in the user's language.
    process_title = _("认领流程")
    process_description = _(
        "志愿服务组织认领需求；需求所属团组织审核；认领成功的组织发布活动；双方互评并获得积分。"
    )
    process_class = ClaimProcess
    lock_impl = lock.select_for_update_lock
    process_summary_template = "{{ process.claim }}"

    start = flow.StartHandle(this.start_process).Annotation(title=_("认领申请")).Next(this.review)

    review = (
        ServiceView(ReviewClaimView.as_view())
        .Annotation(title=_("审核认领"), description=_("同意或退回志愿服务组织的认领申请"))
        .Permission(
            lambda activation: review_permission(activation.process.claim.demand.league_org_id)
        )
        .Next(this.approved)
    )

    approved = (
        flow.If(this.is_approved)
        .Annotation(title=_("是否同意？"))
        .Then(this.close_competing_claims)
        .Else(this.end)
    )

    close_competing_claims = (
        flow.Function(this.close_competing)
        .Annotation(title=_("关闭其他认领"))
        .Next(this.publish_activity)
    )

    publish_activity = (
        flow.Handle()
        .Annotation(title=_("发布志愿服务活动"), description=_("等待认领组织发布活动"))
        .Next(this.activity_published)
    )

    # The Handle runs when the activity is published (activity_publish) or when the claim
    # lapses without one (claim_lapse, the deadline sweep): the claim's state tells which.
    activity_published = (
        flow.If(this.is_published)
        .Annotation(title=_("是否已发布活动？"))
        .Then(this.split_ratings)
        .Else(this.lapsed)
    )

    lapsed = flow.End().Annotation(title=_("认领失效"))

    split_ratings = (
        flow.Split()
        .Annotation(title=_("双方评分"))
        .Always(this.rate_by_league)
        .Always(this.rate_by_volunteer)
    )

    rate_by_league = flow.Handle().Annotation(title=_("团组织评分")).Next(this.join_ratings)
    rate_by_volunteer = (
        flow.Handle().Annotation(title=_("志愿服务组织评分")).Next(this.join_ratings)
    )

    join_ratings = flow.Join().Annotation(title=_("评分完成")).Next(this.settle_points)

    settle_points = flow.Function(this.settle).Annotation(title=_("结算积分")).Next(this.end)

    end = flow.End().Annotation(title=_("结束"))

    def has_view_permission(self, user, obj=None):
        """Administrators see every process; a reviewer only those of their league org."""
        return claim_process_visible(user=user, process=obj)

    def start_process(self, activation, claim):
        services.claim_process_attach(process=activation.process, claim=claim)
        return activation.process

    def is_approved(self, activation):
        return activation.process.claim.status == ClaimStatus.APPROVED

    def is_published(self, activation):
        return activation.process.claim.status == ClaimStatus.ACTIVITY_PUBLISHED

    def close_competing(self, activation):
        services.claim_close_competing(claim=activation.process.claim)

    def settle(self, activation):
        scoring_services.points_settle(claim=activation.process.claim)


# Viewflow's per-task cancel, undo and revive pages would move the process without its claim;
# every change goes through a service instead (an administrator cancels a whole process with
# claim_process_cancel). Removing the view classes removes those URLs.
for node in ClaimFlow.instance.nodes():
    node.cancel_view_class = node.undo_view_class = node.revive_view_class = None
    # A task's index page refuses those who may not see its process (workflows.views).
    if node.index_view_class is UserIndexTaskView:
        node.index_view_class = ScopedUserIndexTaskView
    elif node.index_view_class is not None:
        node.index_view_class = ScopedIndexTaskView
del node
