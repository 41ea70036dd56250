"""The reviewer's queue and inbox: Viewflow's task lists with the claim, its age and overdue mark,
and their bulk actions (take the selected tasks, put them back), scoped to the user's own."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django_filters import NumberFilter
from viewflow import viewprop
from viewflow.views import Action
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.flow.views.filters import FlowUserTaskListFilter
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.flows import ClaimFlow
from workflows.selectors import review_is_overdue, review_overdue_days, review_queue

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
        age = age.replace(gettext(", "), "")
    return age


def flow_step_choices(*, human_only: bool = False) -> list[tuple[str, str]]:
    """The claim flow's steps as a task filter offers them (without reading any task)."""
    flow = ClaimFlow.instance
    return [
        (get_task_ref(node), f"{flow.process_title}/{node.name.title()}")
        for node in flow.nodes()
        if not human_only or node.task_type == "HUMAN"
    ]


class ReviewTaskFilter(FlowUserTaskListFilter):
    """Viewflow's queue filter without its two reads of the whole queue on every page.

    Viewflow offers the queue's processes as a drop-down (every process in the queue, read
    and rendered: 290 options for a busy league org) and its steps by a SELECT DISTINCT over
    the queue. Here the process is asked for by number and the steps are the flow's own.
    """

    process = NumberFilter(field_name="process_id", label=_("流程编号"), min_value=1)

    def __init__(self, *args, **kwargs):
        super(FlowUserTaskListFilter, self).__init__(*args, **kwargs)
        self.filters["flow_task"].field.choices = flow_step_choices(human_only=True)

    class Meta:
        model = Task
        fields = ("process", "flow_task", "created")


class ReviewTaskColumnsMixin:
    """The claim's demand and org, the task's age and an overdue badge, in one query a page."""

    columns = ("task_id", "task_title", "demand_title", "claim_org", "age", "overdue", "created")
    filterset_class = ReviewTaskFilter

    def get_queryset(self):
        return (
            super().get_queryset().select_related("process__claim__demand", "process__claim__org")
        )

    def _claim(self, task):
        # The claim links to its process; a process without one (never, for ClaimFlow) shows blank.
        return getattr(task.process, "claim", None)

    def demand_title(self, task):
        claim = self._claim(task)
        return claim.demand.title if claim else None

    demand_title.short_description = _("需求标题")
    demand_title.orderby_column = "process__claim__demand__title"

    def claim_org(self, task):
        claim = self._claim(task)
        return claim.org.name if claim else None

    claim_org.short_description = _("认领组织")
    claim_org.orderby_column = "process__claim__org__name"

    def age(self, task):
        return task_age(task.created, self.now)

    age.short_description = _("提交时长")

    def overdue(self, task):
        if not review_is_overdue(task.created, self.now):
            return ""
        return format_html(
            '<span class="review-overdue" title="{}" style="display:inline-block;padding:2px 8px;'
            'border-radius:12px;background:#b00020;color:#fff;font-size:12px">{}</span>',
            gettext("提交超过%(days)d天未审核") % {"days": review_overdue_days()},
            gettext("已超期"),
        )

    overdue.short_description = _("超期")

    @cached_property
    def now(self) -> datetime.datetime:
        # One clock for a whole page, so that ages and badges agree.
        return timezone.now()


class ReviewQueueListView(ReviewTaskColumnsMixin, flow_views.FlowQueueListView):
    """待审核: the review tasks a reviewer may take, with the bulk assign action."""

    title = _("待审核队列")
    bulk_actions = (Action(name=_("将所选任务分配给我"), viewname="tasks_assign"),)

    @viewprop
    def queryset(self):
        return review_queue(self.request.user, ClaimFlow.review)


class ReviewInboxListView(ReviewTaskColumnsMixin, flow_views.FlowInboxListView):
    """我的任务: the review tasks assigned to the reviewer, with the bulk unassign action."""

    title = _("我的待办")
    bulk_actions = (Action(name=_("将所选任务放回队列"), viewname="tasks_unassign"),)


# -- bulk actions ------------------------------------------------------------------------------


class ScopedBulkTaskActionMixin:
    """Viewflow's bulk task action, on the review tasks of one of the reviewer's own lists.

    Viewflow's pages take any task ids, or with `select_all` the whole task table, and list
    their claims on the confirmation page. Here they are for league reviewers only (403 to
    anyone else: administrators hand tasks over through the monitor, audited), and act on the
    review tasks of the reviewer's league orgs in the list the action belongs to, nothing
    else. An id outside that list (another org's task, a colleague's, one taken or done
    meanwhile, or one that does not exist) refuses the whole request with a 403 that names
    nothing.

    `select_all` is the list as filtered, at most `max_tasks` of it. Above that the request is
    refused whole rather than cut short: a "select all" that silently acted on some would be
    worse than asking to narrow the filter. The cap bounds a request's work (each task's
    activation costs a few queries) and the confirmation page; so does a cap on posted ids.
    """

    max_tasks = 50
    list_viewname = None  # the list the action belongs to, and returns to
    filterset_class = ReviewTaskFilter
    template_name = "workspace/tasks_action.html"
    title = None
    confirm_label = None
    done_message = None

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.reviewer_league_org_ids()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def list_tasks(self, tasks):
        """The list's tasks among `tasks` (the queue's, the inbox's)."""
        raise NotImplementedError

    def may_act(self, user, task) -> bool:
        """Whether the action still applies to the task as it is now."""
        raise NotImplementedError

    def act(self, activation, user):
        raise NotImplementedError

    @viewprop
    def queryset(self):
        # The review tasks of the reviewer's league orgs: the processes claim_processes_for()
        # gives a reviewer, and the one step a reviewer takes.
        tasks = Task.objects.filter(
            flow_task=ClaimFlow.review,
            process__claim__demand__league_org_id__in=self.request.user.reviewer_league_org_ids(),
        )
        return (
            self.list_tasks(tasks)
            .select_related("process__claim__demand", "process__claim__org")
            .order_by("created", "pk")
        )

    def is_strict_filter(self):
        # The list's filter, when it has one, selects nothing if invalid, never the whole list.
        return bool(self.request.GET)

    def get_template_names(self):
        return [self.template_name]

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # Viewflow validates the ids against every task; the user's own list is the choice.
        form.fields["pk"].queryset = self.queryset
        return form

    def get_success_url(self):
        return self.viewset.reverse(self.list_viewname)

    def back_to_list(self, level, message):
        messages.add_message(self.request, level, message, fail_silently=True)
        return HttpResponseRedirect(self.get_success_url())

    def too_many(self):
        return self.back_to_list(
            messages.ERROR,
            gettext("一次最多处理%(limit)d个任务，请缩小筛选范围后再试")
            % {"limit": self.max_tasks},
        )

    def nothing_selected(self):
        return self.back_to_list(messages.WARNING, gettext("未选择任务"))

    def get(self, request, *args, **kwargs):
        return self.nothing_selected()

    def post(self, request, *args, **kwargs):
        pks = request.POST.getlist("pk")
        if len(pks) > self.max_tasks:
            return self.too_many()
        if not pks and not request.POST.get("select_all"):
            # Viewflow reads no ids as every task; here it is what it says.
            return self.nothing_selected()
        self.form = self.get_form()
        if not self.form.is_valid():
            raise PermissionDenied
        tasks = list(self.get_queryset()[: self.max_tasks + 1])
        if len(tasks) > self.max_tasks:
            return self.too_many()
        if not tasks:
            return self.nothing_selected()
        self.object_list = tasks
        if "_confirm" in request.POST:
            return self.form_valid(self.form)
        return self.form_not_confirmed(self.form)

    def form_valid(self, form):
        user = self.request.user
        with transaction.atomic():
            for task in self.object_list:
                with task.activation() as activation:
                    # The task as it is now, under the process lock: taken meanwhile, or no
                    # longer the user's, the whole selection is refused and rolled back.
                    if not self.may_act(user, activation.task):
                        raise PermissionDenied
                    self.act(activation, user)
        count = len(self.object_list)
        return self.back_to_list(messages.SUCCESS, self.done_message % {"count": count})

    def get_context_data(self, **kwargs):
        kwargs.setdefault("tasks", self.object_list)
        return super().get_context_data(**kwargs)


class BulkAssignView(ScopedBulkTaskActionMixin, flow_views.BulkAssignTasksActionView):
    """将所选任务分配给我: unassigned tasks of the user's queue."""

    list_viewname = "queue"
    title = _("将所选任务分配给我")
    confirm_label = _("确认分配")
    done_message = _("已将%(count)d个任务分配给你")

    def list_tasks(self, tasks):
        # The queue as Viewflow reads it: unassigned, and the user holds the task's permission.
        return tasks.user_queue(self.request.user).filter(status=STATUS.NEW, owner__isnull=True)

    def may_act(self, user, task):
        return task.status == STATUS.NEW and task.flow_task.can_assign(user, task)

    def act(self, activation, user):
        activation.assign(user)


class BulkUnassignView(ScopedBulkTaskActionMixin, flow_views.BulkUnassignTasksActionView):
    """将所选任务放回队列: the tasks assigned to the user (an administrator's raw unassign of
    someone else's task is not offered: the monitor's reassign hands it over, audited)."""

    list_viewname = "inbox"
    title = _("将所选任务放回队列")
    confirm_label = _("确认放回")
    done_message = _("已将%(count)d个任务放回队列")

    def list_tasks(self, tasks):
        return tasks.filter(owner=self.request.user, status=STATUS.ASSIGNED)

    def may_act(self, user, task):
        return task.status == STATUS.ASSIGNED and task.owner_id == user.pk

    def act(self, activation, user):
        activation.unassign()
