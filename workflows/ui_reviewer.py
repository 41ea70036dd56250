"""The reviewer's queue and inbox: Viewflow's task lists with the claim, its age and overdue mark."""

import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django_filters import NumberFilter
from viewflow.views import Action
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.flow.views.filters import FlowUserTaskListFilter
from viewflow.workflow.models import Task

from .stats import overdue_cutoff

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


def overdue_days() -> int:
    return settings.PLATFORM["REVIEW_OVERDUE_DAYS"]


def is_overdue(created: datetime.datetime, now: datetime.datetime | None = None) -> bool:
    return created < overdue_cutoff(now)


def flow_step_choices(*, human_only: bool = False) -> list[tuple[str, str]]:
    """The claim flow's steps as a task filter offers them (without reading any task)."""
    from .flows import ClaimFlow

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
        if not is_overdue(task.created, self.now):
            return ""
        return format_html(
            '<span class="review-overdue" title="{}" style="display:inline-block;padding:2px 8px;'
            'border-radius:12px;background:#b00020;color:#fff;font-size:12px">{}</span>',
            gettext("提交超过%(days)d天未审核") % {"days": overdue_days()},
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


class ReviewInboxListView(ReviewTaskColumnsMixin, flow_views.FlowInboxListView):
    """我的任务: the review tasks assigned to the reviewer, with the bulk unassign action."""

    title = _("我的待办")
    bulk_actions = (Action(name=_("将所选任务放回队列"), viewname="tasks_unassign"),)
