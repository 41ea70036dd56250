"""The claim flow's one node of its own: a human task that a service completes.

Viewflow's `flow.View` wraps its task page in the process row lock and a transaction before
the page runs. The review page calls a service (the API calls the same one), and every claim
service locks the demand row, then the claim, then the process (workflows/services.py), so two
decisions on one demand queue on the demand. Taking the process lock first in the page would
invert that order. `ServiceView`'s page therefore only loads the task and checks the user's
right to it (to execute it, or to review its league org's claims: the page itself refuses a
decision on a task that is not the user's); the service opens the transaction, takes the locks in
the one order and moves the task through Viewflow's activation.
"""

from functools import update_wrapper

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from viewflow.workflow import flow
from viewflow.workflow.flow.utils import wrap_task_view

from .models import ReviewEscalation
from .views import ReviewAssignView, ReviewUnassignView


class ServiceView(flow.View):
    """`flow.View` for a task its page completes through a service (which takes the locks).

    Its take and put-back pages are Viewflow's, showing the claim and going on to the form.
    """

    assign_view_class = ReviewAssignView
    unassign_view_class = ReviewUnassignView

    def can_review(self, user, task) -> bool:
        """Whether `user` reviews the task's claim: holds the task's permission (a reviewer of
        the demand's league org), or reviews an org the review was escalated to."""
        if task.owner_permission and user.has_perm(task.owner_permission):
            return True
        return self.is_escalated_to(user, task)

    def is_escalated_to(self, user, task) -> bool:
        """Whether the task's review was escalated to one of `user`'s league orgs."""
        if user is None or not user.is_authenticated:
            return False
        orgs = user.reviewer_league_org_ids()
        return (
            bool(orgs)
            and ReviewEscalation.objects.filter(
                claim__process_id=task.process_id, league_org_id__in=orgs
            ).exists()
        )

    def can_assign(self, user, task):
        """Viewflow's rule (nobody holds it; the user has its permission), and the reviewers
        of the orgs the review was escalated to may take it too."""
        if super().can_assign(user, task):
            return True
        return task.owner_id is None and self.is_escalated_to(user, task)

    # can_execute stays Viewflow's: the holder executes the task, whoever's queue it came
    # from; an escalated reviewer who took it holds it.

    @property
    def assign_path(self):
        """Viewflow's assign page, open to the reviewers of the task's league org: a task a
        colleague took a moment ago is the page's message (ReviewAssignView), not a 403."""
        return path(
            f"<int:process_pk>/{self.name}/<int:task_pk>/assign/",
            wrap_task_view(self, self.assign_view, permission=self.can_review),
            name="assign",
        )

    def can_unassign(self, user, task):
        """Only the holder puts a task back in the queue.

        Viewflow also lets whoever manages the flow unassign anyone's task; administrators
        hand a task over with `review_task_reassign` instead, which is audited.
        """
        return task.owner_id is not None and task.owner_id == user.pk

    def service_view(self, origin_view):
        """The task page: the task of the URL, its activation, the right to execute it."""
        task_class = self.flow_class.task_class

        def view(request, *args, process_pk, task_pk, **kwargs):
            task = get_object_or_404(task_class, pk=task_pk, process_id=process_pk)
            if task.flow_task != self:
                raise Http404("No task matches the given query.")
            # The holder, or a reviewer of the task's league org, whose page tells them the
            # task is not (or no longer) theirs (workflows.views.ReviewClaimView).
            if not (
                self.can_execute(request.user, task=task) or self.can_review(request.user, task)
            ):
                raise PermissionDenied
            request.activation = self.activation_class(task)
            return origin_view(request, *args, process_pk=process_pk, task_pk=task_pk, **kwargs)

        update_wrapper(view, origin_view)
        return view

    @property
    def view_path(self):
        return path(
            f"<int:process_pk>/{self.name}/<int:task_pk>/execute/",
            self.service_view(self.view),
            name="execute",
        )
