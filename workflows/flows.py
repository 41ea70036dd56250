"""ClaimFlow: one process per claim, from the request to the mutual rating.

The nodes are wiring only; each step's rules live in the services they call.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.flow.views import UserIndexTaskView

from orgs.backends import review_permission
from scoring import services as scoring_services

from . import nodes, services, steps
from .models import ClaimProcess, ClaimStatus
from .views import ReviewClaimView, ScopedIndexTaskView, ScopedUserIndexTaskView


class ClaimFlow(flow.Flow):
    """认领流程

    A volunteer org's claim of a demand: the demand's league org reviews it; the approved
    claimer publishes the activity; both sides rate each other and earn points.
    """

    process_class = ClaimProcess
    # Viewflow's select_for_update_lock, skipped when a service holds the row (steps.py)
    lock_impl = steps.ServiceLock()
    process_summary_template = "{{ process.claim }}"

    start = nodes.StartHandle(this.start_process).Annotation(title=_("认领申请")).Next(this.review)

    review = (
        nodes.ServiceView(ReviewClaimView.as_view())
        .Annotation(title=_("审核认领"), description=_("同意或退回志愿服务组织的认领申请"))
        .Permission(
            lambda activation: review_permission(activation.process.claim.demand.league_org_id)
        )
        .Next(this.approved)
    )

    approved = (
        nodes.If(this.is_approved)
        .Annotation(title=_("是否同意？"))
        .Then(this.close_competing_claims)
        .Else(this.end)
    )

    close_competing_claims = (
        nodes.Function(this.close_competing)
        .Annotation(title=_("关闭其他认领"))
        .Next(this.publish_activity)
    )

    publish_activity = (
        nodes.Handle()
        .Annotation(title=_("发布志愿服务活动"), description=_("等待认领组织发布活动"))
        .Next(this.split_ratings)
    )

    split_ratings = nodes.Split().Always(this.rate_by_league).Always(this.rate_by_volunteer)

    rate_by_league = nodes.Handle().Annotation(title=_("团组织评分")).Next(this.join_ratings)
    rate_by_volunteer = (
        nodes.Handle().Annotation(title=_("志愿服务组织评分")).Next(this.join_ratings)
    )

    join_ratings = nodes.Join().Next(this.settle_points)

    settle_points = nodes.Function(this.settle).Annotation(title=_("结算积分")).Next(this.end)

    end = nodes.End()

    def has_view_permission(self, user, obj=None):
        """Administrators see every process; a reviewer only those of their league org."""
        from .selectors import claim_process_visible

        return claim_process_visible(user=user, process=obj)

    def start_process(self, activation, claim):
        services.claim_process_attach(process=activation.process, claim=claim)
        return activation.process

    def is_approved(self, activation):
        return activation.process.claim.status == ClaimStatus.APPROVED

    def close_competing(self, activation):
        services.claim_close_competing(claim=activation.process.claim)

    def settle(self, activation):
        scoring_services.points_settle(claim=activation.process.claim)


# Viewflow's per-task cancel, undo and revive pages would move the process without its claim;
# every change goes through a service instead (an administrator cancels a whole process with
# claim_process_cancel). Removing the view classes removes those URLs.
for _node in ClaimFlow.instance.nodes():
    _node.cancel_view_class = _node.undo_view_class = _node.revive_view_class = None
    # A task's index page refuses those who may not see its process (workflows.views).
    if _node.index_view_class is UserIndexTaskView:
        _node.index_view_class = ScopedUserIndexTaskView
    elif _node.index_view_class is not None:
        _node.index_view_class = ScopedIndexTaskView
