"""Operator UI task views; each one calls the same service as the API."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView
from django_fsm import can_proceed
from viewflow.workflow.flow.views import IndexTaskView, UserIndexTaskView

from demands.choices import Guarantee
from orgs.choices import ServiceArea, ServiceObject
from orgs.errors import DomainError
from orgs.forms import add_domain_errors

from . import selectors, services
from .forms import ReviewForm


def _labels(choices, codes) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(code, code)) for code in codes or []]


class ReviewClaimView(FormView):
    """The review task: approve (同意) or return (退回, with a reason) one claim.

    Shows what a reviewer weighs: the demand, the claiming org and its record, and the other
    claims of the same demand. After a decision it goes on to the reviewer's next review.
    """

    form_class = ReviewForm
    template_name = "workflows/review.html"

    @property
    def claim(self):
        return self.request.activation.process.claim

    @cached_property
    def review(self) -> dict:
        return selectors.review_context(self.claim)

    def get_context_data(self, **kwargs):
        review = self.review
        demand, org = review["demand"], review["org"]
        return super().get_context_data(
            **review,
            can_decide=can_proceed(review["claim"].approve),
            demand_guarantees=_labels(Guarantee, demand.guarantees),
            org_service_areas=_labels(ServiceArea, org.service_areas),
            org_service_objects=_labels(ServiceObject, org.service_objects),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            if form.cleaned_data["decision"] == ReviewForm.APPROVE:
                services.claim_approve(claim=self.claim, actor=self.request.user)
                messages.success(self.request, _("已同意该认领申请"))
            else:
                services.claim_reject(
                    claim=self.claim, actor=self.request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(self.request, _("已退回该认领申请"))
        except DomainError as exc:
            add_domain_errors(form, exc)
            return self.form_invalid(form)
        return redirect(self.get_success_url())

    def get_success_url(self):
        """The reviewer's next review (inbox first, then queue), else back to the queue."""
        task = selectors.next_review_task(self.request.user, self.request.activation.flow_task)
        if task is None:
            return self.request.resolver_match.flow_viewset.reverse("queue")
        step = "execute" if task.owner_id == self.request.user.pk else "assign"
        return task.flow_task.reverse(step, args=[task.process_id, task.pk])


class TaskIndexScopeMixin:
    """A task's index page only for those who may see the task's process.

    Viewflow's index pages redirect anyone to the task's detail (or assign/execute) page, which
    then refuses; for another league org's task id that redirect would confirm the task exists
    and name its process. Refuse it here instead, as the detail page does.
    """

    def dispatch(self, request, *args, **kwargs):
        activation = request.activation
        if not activation.flow_task.can_view(request.user, activation.task):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedIndexTaskView(TaskIndexScopeMixin, IndexTaskView):
    """The index page of an automatic or API step's task."""


class ScopedUserIndexTaskView(TaskIndexScopeMixin, UserIndexTaskView):
    """The index page of a human task (the review)."""
