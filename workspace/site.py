"""The operator UI on Viewflow's frontend: one Site, the claim process as an Application.

Reviewers see their own league org's processes and tasks only; provincial administrators see
all. Viewflow's task queue is already scoped by the per-org review permission
(orgs.backends); the task lists are scoped here, the process list in workspace.monitor, the
queue's and inbox's bulk actions in workspace.queue. The process list has no bulk action.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django_filters import FilterSet
from viewflow.urls import Site
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.flow.views.filters import DashboardTaskListViewFilter

from workflows.flows import ClaimFlow
from workflows.models import ClaimProcess
from workflows.selectors import claim_processes_scope, review_queue

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
        self.filters["flow_task"].field.choices = flow_step_choices()


class ScopedTaskListView(ClaimBriefMixin, flow_views.DashboardTaskListView):
    filterset_class = TaskListFilter

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

    def get_context_data(self, request):
        """The menu's counts; the queue's as the queue page reads it (one indexed query)."""
        queue = review_queue(request.user, ClaimFlow.review)
        filters = saved_filters(request.user)  # the queue's saved filters, one query
        return super().get_context_data(request) | {"user_queue": queue, "queue_filters": filters}

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


site = Site(
    title=_("i志愿供需服务平台"),
    viewsets=[ClaimFlowAppViewset(ClaimFlow, icon="assignment"), LeagueWorkspace()],
)
