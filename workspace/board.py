"""The provincial administrators' process board (看板): one column per waiting step of the claim
process, each card a claim (demand, org, age), oldest first."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.models import Task

from workflows.flows import ClaimFlow
from workflows.selectors import ACTIVE_TASK_STATES, WAITING_NODES, review_is_overdue

from .monitor import format_age, node_title


class AdminDashboardView(flow_views.DashboardView):
    """看板: every open waiting task of the claim process, a column per step (审核认领,
    发布志愿服务活动, 团组织评分, 志愿服务组织评分).

    Viewflow's own board shows human tasks only; the steps that wait for the volunteer org or
    for the ratings are Handle nodes, completed through the API, so they were missing. The
    columns are read with one grouped count and one query per step (a fixed number, whatever
    the number of processes); each card joins its claim, demand and orgs.
    """

    template_name = "workspace/monitor/board.html"
    title = _("看板")
    MAX_ROWS = 25

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_provincial_admin:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        return [self.template_name]

    @cached_property
    def now(self):
        return timezone.now()

    def open_tasks(self):
        return Task.objects.filter(
            process__flow_class=self.flow_class,
            status__in=ACTIVE_TASK_STATES,
            flow_task__in=[getattr(ClaimFlow, name) for name in WAITING_NODES],
        )

    def get_context_data(self, **kwargs):
        viewset = self.request.resolver_match.flow_viewset
        list_url = viewset.reverse("process_list")
        counts = {
            getattr(row["flow_task"], "name", row["flow_task"]): row["n"]
            for row in self.open_tasks().values("flow_task").annotate(n=Count("pk")).order_by()
        }
        columns = []
        for name in WAITING_NODES:
            node = getattr(ClaimFlow, name)
            tasks = list(
                self.open_tasks()
                .filter(flow_task=node)
                .select_related(
                    "owner",
                    "process__claim__demand__league_org",
                    "process__claim__demand__city",
                    "process__claim__org",
                )
                .order_by("created", "pk")[: self.MAX_ROWS]
            )
            cards = []
            for task in tasks:
                claim = getattr(task.process, "claim", None)
                cards.append(
                    {
                        "task": task,
                        "claim": claim,
                        "age": format_age(self.now - task.created),
                        "overdue": name == "review"
                        and review_is_overdue(claim and claim.review_due_at, self.now),
                        "url": viewset.reverse("process_detail", args=[task.process_id]),
                    }
                )
            total = counts.get(name, 0)
            columns.append(
                {
                    "name": name,
                    "title": node_title(node),
                    "count": total,
                    "more": max(total - len(cards), 0),
                    "cards": cards,
                    "list_url": f"{list_url}?stage={name}&status=NEW",
                }
            )
        return super(flow_views.DashboardView, self).get_context_data(
            columns=columns, list_url=list_url, **kwargs
        )
