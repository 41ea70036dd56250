"""Operator UI task views; each one calls the same service as the API."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.generic import FormView
from django_fsm import can_proceed
from viewflow.workflow.flow.views import (
    AssignTaskView,
    IndexTaskView,
    UnassignTaskView,
    UserIndexTaskView,
)
from viewflow.workflow.status import STATUS

from demands.choices import Guarantee
from orgs.choices import ServiceArea, ServiceObject
from orgs.errors import DomainError
from orgs.forms import add_domain_errors

from . import deadlines, selectors, services
from .forms import FollowUpForm, ReviewForm

# timesince's units as a reviewer reads them: 3天5小时.
AGE_UNITS = {
    "year": ngettext_lazy("%(num)d年", "%(num)d年", "num"),
    "month": ngettext_lazy("%(num)d个月", "%(num)d个月", "num"),
    "week": ngettext_lazy("%(num)d周", "%(num)d周", "num"),
    "day": ngettext_lazy("%(num)d天", "%(num)d天", "num"),
    "hour": ngettext_lazy("%(num)d小时", "%(num)d小时", "num"),
    "minute": ngettext_lazy("%(num)d分钟", "%(num)d分钟", "num"),
}


def task_age(created: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """How long a task has waited, e.g. 3天5小时 (3 days, 5 hours in English)."""
    age = timesince(created, now, time_strings=AGE_UNITS)
    if (translation.get_language() or "").startswith("zh"):
        # Chinese writes the units together; timesince puts its list separator between them.
        age = age.replace(_(", "), "")
    return age


def _labels(choices, codes) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(code, code)) for code in codes or []]


class ReviewScreenMixin:
    """What the review screen shows of the task's claim, for its form and its take page; and
    the follow-up form (待跟进), which posts to the page it is on."""

    follow_up_form = None

    @property
    def claim(self):
        return self.request.activation.process.claim

    @cached_property
    def review(self) -> dict:
        return selectors.review_context(self.claim)

    def task_url(self, task, name: str) -> str:
        return task.flow_task.reverse(name, args=[task.process_id, task.pk])

    def get_context_data(self, **kwargs):
        review = self.review
        demand, org = review["demand"], review["org"]
        task = self.request.activation.task
        now = timezone.now()
        claim = review["claim"]
        open_review = task.status in selectors.ACTIVE_TASK_STATES
        due = claim.review_due_at
        follow_up_at = claim.review_follow_up_at
        return super().get_context_data(
            **review,
            review_due=due,
            review_due_mark=deadlines.due_mark(due, now) if open_review else None,
            follow_up_at=follow_up_at if follow_up_at and follow_up_at > now else None,
            deciding_orgs=selectors.deciding_orgs(claim),
            can_follow_up=self.may_follow_up(),
            follow_up_form=self.follow_up_form or FollowUpForm(),
            follow_up_value=self.follow_up_form.data.get("follow_up_at", "")
            if self.follow_up_form is not None
            else (
                timezone.localtime(follow_up_at).strftime(FollowUpForm.INPUT_FORMAT)
                if follow_up_at and follow_up_at > now
                else ""
            ),
            follow_up_min=timezone.localtime(now).strftime(FollowUpForm.INPUT_FORMAT),
            follow_up_max=timezone.localtime(
                now + datetime.timedelta(days=services.REVIEW_FOLLOW_UP_MAX_DAYS)
            ).strftime(FollowUpForm.INPUT_FORMAT),
            follow_up_max_days=services.REVIEW_FOLLOW_UP_MAX_DAYS,
            can_decide=can_proceed(review["claim"].approve),
            demand_guarantees=_labels(Guarantee, demand.guarantees),
            org_service_areas=_labels(ServiceArea, org.service_areas),
            org_service_objects=_labels(ServiceObject, org.service_objects),
            task_age=task_age(task.created, now),
            task_overdue=task.status in selectors.ACTIVE_TASK_STATES
            and selectors.review_is_overdue(review["claim"].review_due_at, now),
            overdue_days=selectors.review_overdue_days(),
            queue_url=self.request.resolver_match.flow_viewset.reverse("queue"),
            counter_text=_("%(count)s / %(max)s 字"),
            counter_over_text=_("，超出%(over)s字"),
            **kwargs,
        )

    def may_follow_up(self) -> bool:
        """A reviewer who holds the open review, or may take it, may set its follow-up."""
        activation = self.request.activation
        task, user = activation.task, self.request.user
        if task.status == STATUS.ASSIGNED:
            return task.owner_id == user.pk
        return task.status == STATUS.NEW and activation.flow_task.can_assign(user, task)

    def follow_up(self):
        """The follow-up form's POST: set or clear, then this page again with a message; a bad
        time is the form's error on the page."""
        request = self.request
        if not self.may_follow_up():
            raise PermissionDenied
        action = FollowUpForm.CLEAR if request.POST.get("_follow_up") == "clear" else "set"
        form = FollowUpForm(request.POST, action=action)
        if form.is_valid():
            at = form.cleaned_data["follow_up_at"]
            try:
                services.review_follow_up_set(claim=self.claim, actor=request.user, at=at)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                if at is None:
                    messages.success(request, _("已清除跟进时间"))
                else:
                    messages.success(
                        request,
                        _("已设置跟进时间：%(at)s，此前该任务不在待审核队列中显示")
                        % {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")},
                    )
                return redirect(request.get_full_path())
        self.follow_up_form = form
        self.__dict__.pop("review", None)  # read again: nothing was saved, but be current
        context = self.get_context_data(form=self.get_form_class()())
        return self.render_to_response(context, status=400)


class ReviewClaimView(ReviewScreenMixin, FormView):
    """The review task: approve (同意) or return (退回, with a reason) one claim.

    Shows what a reviewer weighs: the demand, the claiming org and its record, and the other
    claims of the same demand. After a decision it goes on to the reviewer's next review.

    The page reaches here for the task's holder and for any reviewer who holds the task's
    permission (`ServiceView`): a decision posted from a page that is no longer current (the
    task decided in another tab, put back, or handed to a colleague) is not sent to the
    service, which would take the task over; the page answers with the conflict and keeps what
    was typed.
    """

    form_class = ReviewForm
    template_name = "workflows/review.html"

    @cached_property
    def executable(self) -> bool:
        activation = self.request.activation
        return activation.flow_task.can_execute(self.request.user, activation.task)

    def get(self, request, *args, **kwargs):
        if not self.executable:
            # Not (or no longer) the user's: the task's index page says what they may do.
            return redirect(self.task_url(request.activation.task, "index"))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "_follow_up" in request.POST:
            return self.follow_up()
        form = self.get_form()
        conflict = self.conflict_message()
        if conflict:
            return self.conflict(form, conflict)
        if form.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def conflict_message(self) -> str | None:
        """Why a decision posted now would not be this page's to make, or None."""
        task = self.request.activation.task
        claim = self.review["claim"]
        if not can_proceed(claim.approve):
            return _("该认领已处理（当前状态：%(status)s），你的审核结果未提交。") % {
                "status": claim.get_status_display()
            }
        if not self.executable:
            if task.owner_id is None:
                return _("该任务已放回队列，不再由你处理，你的审核结果未提交。")
            return _("该任务现由%(name)s处理，你的审核结果未提交。") % {"name": str(task.owner)}
        return None

    def conflict(self, form, message: str):
        form.is_valid()  # the typed text is shown again as it was posted
        next_task = selectors.next_review_task(self.request.user, self.request.activation.flow_task)
        context = self.get_context_data(
            form=form,
            conflict=message,
            next_url=self.task_url(next_task, "index") if next_task else None,
        )
        return self.render_to_response(context, status=409)

    def form_valid(self, form):
        try:
            if form.cleaned_data["decision"] == ReviewForm.APPROVE:
                services.claim_approve(claim=self.claim, actor=self.request.user)
                done = _("已同意该认领申请")
            else:
                services.claim_reject(
                    claim=self.claim, actor=self.request.user, reason=form.cleaned_data["reason"]
                )
                done = _("已退回该认领申请")
        except DomainError as exc:
            add_domain_errors(form, exc)
            return self.form_invalid(form)
        url, then = self.next_review()
        # One message: the page shows one at a time.
        messages.success(self.request, f"{done}。{then}" if then else done)
        return redirect(url)

    def next_review(self) -> tuple[str, str]:
        """The next review's form and what to say of it: the reviewer's oldest assigned task,
        else the queue's oldest, taken for them as 领取并审核 would; with none left, the queue."""
        user, review = self.request.user, self.request.activation.flow_task
        for _attempt in range(3):  # a colleague may take the one chosen meanwhile
            task = selectors.next_review_task(user, review)
            if task is None:
                break
            if task.owner_id == user.pk:
                return self.task_url(task, "execute"), ""
            if services.review_task_take(task=task, user=user):
                return self.task_url(task, "execute"), _(
                    "已为你领取下一个任务，如暂不处理可点击「放回队列」"
                )
        return self.request.resolver_match.flow_viewset.reverse("queue"), _(
            "队列中已没有待审核的任务"
        )


class ReviewAssignView(ReviewScreenMixin, AssignTaskView):
    """The review task's take page: the claim as the review screen shows it, and 领取并审核.

    Viewflow's assign (its permission check, its process lock); then on to the form.
    """

    template_name = "workflows/review.html"
    success_message = ""

    def dispatch(self, request, *args, **kwargs):
        activation = request.activation
        task = activation.task
        if not activation.flow_task.can_assign(request.user, task):
            # Taken meanwhile (two reviewers on the same oldest task), or already the user's.
            if task.owner_id == request.user.pk:
                return redirect(self.task_url(task, "index"))
            if task.owner_id is not None:
                messages.warning(
                    request, _("该任务刚由%(name)s领取，请选择其他任务") % {"name": task.owner}
                )
            else:
                messages.warning(request, _("该任务已处理，请选择其他任务"))
            return redirect(request.resolver_match.flow_viewset.reverse("queue"))
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "_follow_up" in request.POST:
            return self.follow_up()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(taking=True, **kwargs)

    def get_success_url(self):
        activation = self.request.activation
        return self.task_url(activation.task, "execute")


class ReviewUnassignView(ReviewScreenMixin, UnassignTaskView):
    """放回队列: Viewflow's unassign of the holder's own task, then back to the queue. (The
    review screen posts here directly; the page itself asks to confirm.)"""

    template_name = "workflows/review.html"
    success_message = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(releasing=True, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("已将任务放回队列"))
        return response

    def get_success_url(self):
        return self.request.resolver_match.flow_viewset.reverse("queue")


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
