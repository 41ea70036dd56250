"""The operator UI on Viewflow's frontend: one Site, the claim process as an Application.

Reviewers see their own league org's processes and tasks only; provincial administrators see
all. Viewflow's task queue is already scoped by the per-org review permission
(orgs.backends); the task lists are scoped here, the process list in workspace.monitor, the
queue's and inbox's bulk actions in workspace.queue. The process list has no bulk action.
"""

from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django_filters import FilterSet
from viewflow.urls import Site
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.flow.views.filters import DashboardTaskListViewFilter

from notifications.views import NotificationsWorkspace
from workflows.flows import ClaimFlow
from workflows.models import ClaimProcess
from workflows.selectors import claim_processes_scope

from .board import AdminDashboardView
from .exports import DemandExportView, ProcessExportView
from .league import LeagueWorkspace
from .monitor import (
    MonitorDashboardView,
    ProcessCancelView,
    ProcessMonitorDetailView,
    ProcessMonitorListView,
    ReviewReassignView,
)
from .queue import (
    BulkAssignView,
    BulkUnassignView,
    ReviewArchiveListView,
    ReviewInboxListView,
    ReviewQueueListView,
    default_queue,
    flow_step_choices,
    saved_filters,
)


class ClaimBriefMixin:
    """A task list shows each task's process by its brief, the claim (org → demand): joined
    into the page's query instead of read row by row."""

    def get_queryset(self):
        return (
            super().get_queryset().select_related("process__claim__demand", "process__claim__org")
        )


class TaskListFilter(DashboardTaskListViewFilter):
    """Viewflow's task-list filter, offering the flow's steps as they are.

    Viewflow reads them from the tasks with a SELECT DISTINCT over the whole task table (0.4 s
    at 500,000 tasks) on every page.
    """

    def __init__(self, *args, **kwargs):
        FilterSet.__init__(self, *args, **kwargs)
        # each step by its title (in the user's language), not its code name
        titles = {get_task_ref(node): node.task_title for node in ClaimFlow.instance.nodes()}
        self.filters["flow_task"].field.choices = [
            (ref, titles.get(ref) or label) for ref, label in flow_step_choices()
        ]


class ScopedTaskListView(ClaimBriefMixin, flow_views.DashboardTaskListView):
    filterset_class = TaskListFilter

    def flow_task(self, task):
        return task.title  # the node's title; the field shows its code name ("Split Ratings")

    flow_task.short_description = _("任务")

    def process_summary(self, task):
        return super().process_summary(task)

    # Viewflow labels the column by the method's name, untranslated.
    process_summary.short_description = _("认领")

    def get_queryset(self):
        return claim_processes_scope(
            super().get_queryset(), user=self.request.user, field="process_id"
        )


class ScopedChartView(flow_views.FlowChartView):
    """The flow's chart for anyone in the app; one process's chart only for those who see it."""

    def dispatch(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        if process_pk is not None:
            process = get_object_or_404(ClaimProcess, pk=process_pk)
            if not self.flow_class.instance.has_view_permission(request.user, process):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class WorkspaceIndexView(RedirectView):
    """One click to the work: a reviewer lands on the queue, an administrator on the monitor."""

    viewset = None

    def get_redirect_url(self, *args, **kwargs):
        name = "dashboard" if self.request.user.is_provincial_admin else "queue"
        return self.viewset.reverse(name)


class MenuEntry(NamedTuple):
    """One entry of the claim app's sidebar. `pages`: the URL names it stands for (the entry is
    highlighted on them); `count`: a queryset whose count the entry shows, or None."""

    name: str
    label: str
    icon: str
    pages: tuple[str, ...] = ()
    count: object = None


# The sidebar of the claim app, in order; `admin`: provincial administrators only (the pages
# answer 403 to others), `reviewer`: league reviewers only (a task queue that does not apply to
# an administrator is not shown to one).
ADMIN_ENTRIES = (
    MenuEntry("dashboard", _("看板"), "view_kanban"),
    MenuEntry(
        "process_list",
        _("流程监控"),
        "account_tree",
        ("process_detail", "process_cancel", "process_reassign", "process_chart"),
    ),
    MenuEntry("monitor_dashboard", _("数据看板"), "insights"),
)
REVIEWER_ENTRIES = (
    MenuEntry("queue", _("待审核队列"), "schedule"),
    MenuEntry("inbox", _("我的任务"), "inbox"),
    MenuEntry("archive", _("已办任务"), "archive"),
)


class ClaimFlowAppViewset(FlowAppViewset):
    process_list_view_class = ProcessMonitorListView
    process_detail_view_class = ProcessMonitorDetailView
    task_list_view_class = ScopedTaskListView
    chart_view_class = ScopedChartView
    dashboard_view_class = AdminDashboardView
    queue_view_class = ReviewQueueListView
    inbox_view_class = ReviewInboxListView
    tasks_assign_view_class = BulkAssignView
    tasks_unassign_view_class = BulkUnassignView
    archive_view_class = ReviewArchiveListView
    base_template_name = "workspace/base_page.html"
    # Our sidebar: labelled entries by role, highlighted server-side, reachable with Tab.
    menu_template_name = "workspace/flow_menu.html"

    def get_context_data(self, request):
        """The menu's entries and counts; the queue's as the queue page reads it (one indexed
        query; the tasks put aside for a follow-up are not counted until their time)."""
        context = super().get_context_data(request)
        context["user_queue"] = default_queue(request.user, ClaimFlow.review)
        context["queue_filters"] = saved_filters(request.user)  # the queue's saved filters
        context["claim_menu"] = self.menu_entries(request, context)
        return context

    def menu_entries(self, request, counts) -> list[dict]:
        user, match = request.user, request.resolver_match
        entries = []
        if user.is_provincial_admin:
            entries += ADMIN_ENTRIES
        if user.reviewer_league_org_ids():
            entries += REVIEWER_ENTRIES
        # A page of this app is named by its URL name; a task's pages (claim:review:index …)
        # belong to no entry.
        current = match.url_name if match and match.namespaces[-1:] == [self.app_name] else None
        return [
            {
                "name": entry.name,
                "url": self.reverse(entry.name),
                "label": entry.label,
                "icon": entry.icon,
                "count": counts.get(f"user_{entry.name}"),
                "selected": current in (entry.name, *entry.pages),
            }
            for entry in entries
        ]

    @property
    def index_path(self):
        return path("", WorkspaceIndexView.as_view(viewset=self), name="index")

    @property
    def dashboard_path(self):
        return path("dashboard/", self.dashboard_view, name="dashboard")

    def monitor_url(self, route: str, view_class, name: str):
        """A monitor page, given the flow and this viewset as Viewflow gives its own pages
        (filter_kwargs)."""
        return path(route, view_class.as_view(**self.filter_kwargs(view_class)), name=name)

    @property
    def process_cancel_path(self):
        # Viewflow's own cancel would stop the process and leave the claim as it was: route
        # its URL name to the administrators' cancel, which goes through the claim service.
        return self.monitor_url("<int:process_pk>/cancel/", ProcessCancelView, "process_cancel")

    @property
    def process_reassign_path(self):
        return self.monitor_url(
            "<int:process_pk>/reassign/", ReviewReassignView, "process_reassign"
        )

    @property
    def monitor_dashboard_path(self):
        return self.monitor_url("monitor/dashboard/", MonitorDashboardView, "monitor_dashboard")

    @property
    def monitor_export_processes_path(self):
        return self.monitor_url(
            "monitor/export/processes.<str:fmt>", ProcessExportView, "monitor_export_processes"
        )

    @property
    def monitor_export_demands_path(self):
        return self.monitor_url(
            "monitor/export/demands.<str:fmt>", DemandExportView, "monitor_export_demands"
        )


class WorkspaceSite(Site):
    """The operator UI: its list of applications in our words, in the Tab order."""

    menu_template_name = "workspace/site_menu.html"


site = WorkspaceSite(
    title=_("i志愿供需服务平台"),
    viewsets=[
        ClaimFlowAppViewset(ClaimFlow, icon="assignment"),
        LeagueWorkspace(),
        NotificationsWorkspace(),
    ],
)
