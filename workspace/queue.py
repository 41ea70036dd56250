"""The reviewer's queue, inbox and archive: Viewflow's task lists with the claim (demand and org
in full), its age, due time and mark, follow-up time and escalation, search, saved filters with
their counts, the row's own action (领取并审核), and the bulk actions (take the selected tasks, put
them back), scoped to the user's own."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter, ChoiceFilter, FilterSet, NumberFilter
from viewflow import viewprop
from viewflow.views import Action
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from demands.choices import Zone
from workflows.flows import ClaimFlow
from workflows.models import ClaimStatus
from workflows.selectors import (
    claim_reviewable_q,
    follow_up_q,
    review_open_tasks,
    review_overdue_days,
    review_overdue_q,
    review_queue,
    review_task_counts,
    review_zone_q,
)
from workflows.views import task_age

from .deadlines import (
    REVIEW_SORT_LABELS,
    REVIEW_SORTS,
    annotate_review_tasks,
    task_deadline,
)

__all__ = ["task_age"]  # read by the tests and the list pages as before

# The queue's saved filters (?view=…), in the sidebar's order: each selects among the open
# reviews of the user's league orgs, taken or not (the plain queue is the untaken ones, less those
# put aside for a follow-up until their time comes: 待跟进 lists those).
SAVED_FILTERS = {
    "overdue": (_("超期"), "alarm", lambda user, now: review_overdue_q(now)),
    "followup": (_("待跟进"), "snooze", lambda user, now: follow_up_q(now)),
    "qicai": (_("七彩假期"), "wb_sunny", lambda user, now: review_zone_q(Zone.COLORFUL_HOLIDAY)),
    "yunzhijiao": (
        _("青年云支教"),
        "cast_for_education",
        lambda user, now: review_zone_q(Zone.CLOUD_TEACHING),
    ),
    "mine": (_("我的"), "person", lambda user, now: Q(owner=user, status=STATUS.ASSIGNED)),
}
SORTS = REVIEW_SORTS


def default_queue(user, review, now=None):
    """The plain queue: the tasks to take (review_queue), less those a reviewer put aside
    until a follow-up time still to come."""
    return review_queue(user, review).exclude(follow_up_q(now))


def saved_filter_q(name: str, user, now=None) -> Q:
    return SAVED_FILTERS[name][2](user, now or timezone.now())


def saved_filters(user):
    """The queue's saved filters as the sidebar shows them: name, label, icon, link and count.

    Lazy: the counts come from one conditional-aggregate query over the user's open reviews,
    run when a page shows them (none for a user who reviews for no league org).
    """
    return SimpleLazyObject(lambda: _saved_filters(user))


def _saved_filters(user) -> list[dict]:
    if not (user.is_authenticated and user.reviewer_league_org_ids()):
        return []
    now = timezone.now()
    counts = review_task_counts(
        user, ClaimFlow.review, {name: saved_filter_q(name, user, now) for name in SAVED_FILTERS}
    )
    queue = reverse("claim:queue")
    return [
        {
            "name": name,
            "label": label,
            "icon": icon,
            "url": f"{queue}?view={name}",
            "count": counts[name],
        }
        for name, (label, icon, _q) in SAVED_FILTERS.items()
    ]


def flow_step_choices(*, human_only: bool = False) -> list[tuple[str, str]]:
    """The claim flow's steps as a task filter offers them (without reading any task)."""
    flow = ClaimFlow.instance
    return [
        (get_task_ref(node), f"{flow.process_title}/{node.name.title()}")
        for node in flow.nodes()
        if not human_only or node.task_type == "HUMAN"
    ]


class ReviewTaskFilter(FilterSet):
    """The reviewer's lists' one search box, saved filter, order and process number.

    Viewflow's queue filter offers the queue's processes as a drop-down (every process in the
    queue, read and rendered: 290 options for a busy league org) and its steps by a SELECT
    DISTINCT over the queue; the queue has one step, and the process is asked for by number.
    An invalid value is the form's error (the list then shows nothing), never ignored.
    """

    q = CharFilter(method="search", label=_("搜索需求标题或组织名称"), max_length=50)
    view = ChoiceFilter(
        method="saved_view",
        label=_("筛选"),
        choices=[(name, label) for name, (label, _icon, _q) in SAVED_FILTERS.items()],
        empty_label=_("待领取"),
    )
    sort = ChoiceFilter(
        method="order",
        label=_("排序"),
        choices=list(REVIEW_SORT_LABELS.items()),
        empty_label=None,
    )
    process = NumberFilter(field_name="process_id", label=_("流程编号"), min_value=1)

    class Meta:
        model = Task
        fields = ("q", "view", "sort", "process")

    def search(self, queryset, name, value):
        for term in value.split():
            queryset = queryset.filter(
                Q(process__claim__demand__title__icontains=term)
                | Q(process__claim__org__name__icontains=term)
            )
        return queryset

    def saved_view(self, queryset, name, value):
        return queryset.filter(saved_filter_q(value, self.request.user))

    def order(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])


class ArchiveTaskFilter(ReviewTaskFilter):
    view = None
    sort = None

    class Meta:
        model = Task
        fields = ("q", "process")


class ReviewTaskColumnsMixin:
    """The claim's demand and org in full, the task's age, its due time with its mark (已超期,
    即将到期), follow-up time and escalation, its holder: one query a page, rendered as a table on
    a desk and as cards on a phone."""

    columns = ("task_id", "demand_title", "claim_org", "age", "created")
    filterset_class = ReviewTaskFilter
    template_name = "workspace/review_tasks_list.html"
    list_kind = "queue"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("process__claim__demand", "process__claim__org", "owner")
        )

    def is_strict_filter(self):
        # An invalid filter lists nothing and says why, never the whole list. (Unbound, the
        # filter is not "valid": no parameters is the whole list.)
        return bool(self.request.GET)

    def _claim(self, task):
        # The claim links to its process; a process without one (never, for ClaimFlow) shows blank.
        return getattr(task.process, "claim", None)

    def demand_title(self, task):
        claim = self._claim(task)
        return claim.demand.title if claim else None

    demand_title.short_description = _("需求标题")

    def claim_org(self, task):
        claim = self._claim(task)
        return claim.org.name if claim else None

    claim_org.short_description = _("认领组织")

    def age(self, task):
        return task_age(task.created, self.now)

    age.short_description = _("提交时长")

    @cached_property
    def now(self) -> datetime.datetime:
        # One clock for a whole page, so that ages and badges agree.
        return timezone.now()

    @cached_property
    def saved_view(self) -> str | None:
        view = self.request.GET.get("view")
        return view if view in SAVED_FILTERS else None

    def rows(self, tasks):
        """Each task with what its row shows and the action it offers the user."""
        user = self.request.user
        for task in tasks:
            claim = self._claim(task)
            if task.status == STATUS.NEW:
                action = "take"
            elif task.status == STATUS.ASSIGNED and task.owner_id == user.pk:
                action = "continue"
            else:
                action = "view"
            flow_task, args = task.flow_task, [task.process_id, task.pk]
            yield {
                "task": task,
                "open_url": flow_task.reverse("index", args=args),
                "assign_url": flow_task.reverse("assign", args=args) if action == "take" else None,
                "detail_url": flow_task.reverse("detail", args=args),
                "claim": claim,
                "age": task_age(task.created, self.now),
                "deadline": task_deadline(task, claim, self.now),
                "action": action,
                "outcome": self.outcome(task, claim),
            }

    def outcome(self, task, claim):
        return None

    def query(self, **changes) -> str:
        """This page's query string with `changes` (None drops a parameter), on its first page
        unless a page is given."""
        params = self.request.GET.copy()
        params.pop(self.page_kwarg, None)
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = value
        return f"?{params.urlencode()}" if params else "?"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        form = self.filterset.form if self.filterset is not None else None
        sort = self.request.GET.get("sort") or "due"
        return context | {
            "rows": list(self.rows(page if page is not None else context["object_list"])),
            "list_kind": self.list_kind,
            "saved_view": self.saved_view,
            "filter_form": form,
            "filter_errors": [
                error
                for errors in (form.errors.values() if form is not None else [])
                for error in errors
            ],
            "overdue_days": review_overdue_days(),
            "show_assignee": self.list_kind == "queue" and self.saved_view is not None,
            "searching": bool(self.request.GET.get("q") or self.request.GET.get("process")),
            "sort_links": [
                {"code": code, "label": label, "url": self.query(sort=code), "active": code == sort}
                for code, label in REVIEW_SORT_LABELS.items()
            ]
            if self.list_kind != "archive"
            else [],
            "view_links": [{"name": None, "label": _("待领取"), "url": self.query(view=None)}]
            + [
                {"name": name, "label": label, "url": self.query(view=name)}
                for name, (label, _icon, _q) in SAVED_FILTERS.items()
            ]
            if self.list_kind == "queue"
            else [],
            "prev_url": self.query(**{self.page_kwarg: page.previous_page_number()})
            if page is not None and page.has_previous()
            else None,
            "next_url": self.query(**{self.page_kwarg: page.next_page_number()})
            if page is not None and page.has_next()
            else None,
            "clear_url": self.query(q=None, process=None),
            "bulk_links": [
                {
                    "label": action.name,
                    "url": self.request.resolver_match.flow_viewset.reverse(action.viewname),
                }
                for action in self.get_bulk_actions()
            ],
        }


class ReviewQueueListView(ReviewTaskColumnsMixin, flow_views.FlowQueueListView):
    """待审核: the review tasks a reviewer may take (or, through a saved filter, the open
    reviews of their league orgs), with the row's 领取并审核 and the bulk assign action."""

    title = _("待审核队列")
    bulk_actions = (Action(name=_("将所选任务分配给我"), viewname="tasks_assign"),)

    @viewprop
    def queryset(self):
        if self.saved_view is not None:
            tasks = review_open_tasks(self.request.user, ClaimFlow.review)
        else:
            tasks = default_queue(self.request.user, ClaimFlow.review)
        return annotate_review_tasks(tasks).order_by(*SORTS["due"])


class ReviewInboxListView(ReviewTaskColumnsMixin, flow_views.FlowInboxListView):
    """我的任务: the review tasks assigned to the reviewer, with the bulk unassign action."""

    title = _("我的待办")
    list_kind = "inbox"
    bulk_actions = (Action(name=_("将所选任务放回队列"), viewname="tasks_unassign"),)

    @viewprop
    def queryset(self):
        return annotate_review_tasks(super().queryset).order_by(*SORTS["due"])


class ReviewArchiveListView(ReviewTaskColumnsMixin, flow_views.FlowArchiveListView):
    """已办任务: the tasks the user finished, with what was decided (同意, or 退回 and why)."""

    title = _("已办任务")
    list_kind = "archive"
    filterset_class = ArchiveTaskFilter
    columns = ("task_id", "demand_title", "claim_org", "finished")

    @viewprop
    def queryset(self):
        return super().queryset.order_by("-finished", "-pk")

    def outcome(self, task, claim):
        """What the task's end says about the claim, from the claim's own record.

        A review done (STATUS.DONE) decided the claim: the claim's decision fields were set
        by the same transaction, and a return keeps its reason. A review cancelled (the
        process was, by a competing approval, a withdrawal or an administrator) decided
        nothing: it shows as closed, with the claim's reason.
        """
        if claim is None:
            return None
        if task.status == STATUS.DONE:
            if claim.status == ClaimStatus.REJECTED:
                return {"code": "rejected", "label": gettext("退回"), "reason": claim.reason}
            return {"code": "approved", "label": gettext("同意"), "reason": ""}
        return {"code": "closed", "label": gettext("未审核即关闭"), "reason": claim.reason}


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
        # The review tasks of the reviewer's league orgs and those escalated to them: the
        # processes claim_processes_for() gives a reviewer, and the one step a reviewer takes.
        tasks = Task.objects.filter(
            claim_reviewable_q(
                self.request.user.reviewer_league_org_ids(), prefix="process__claim__"
            ),
            flow_task=ClaimFlow.review,
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
