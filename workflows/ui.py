"""The operator UI on Viewflow's frontend: one Site, the claim process as an Application.

Reviewers see their own league org's processes and tasks only; provincial administrators see
all. Viewflow's task queue is already scoped by the per-org review permission
(orgs.backends); the process and task lists are scoped here.
"""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from viewflow.urls import Site
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow import views as flow_views

from demands.ui import LeagueWorkspace

from .flows import ClaimFlow
from .selectors import claim_processes_for
from .ui_reviewer import ReviewInboxListView, ReviewQueueListView


class ScopedProcessListView(flow_views.DashboardProcessListView):
    def get_queryset(self):
        visible = claim_processes_for(self.request.user).values("pk")
        return super().get_queryset().filter(pk__in=visible)


class ScopedTaskListView(flow_views.DashboardTaskListView):
    def get_queryset(self):
        visible = claim_processes_for(self.request.user).values("pk")
        return super().get_queryset().filter(process_id__in=visible)


class AdminDashboardView(flow_views.DashboardView):
    """The kanban of every open task: for provincial administrators."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_provincial_admin:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class WorkspaceIndexView(RedirectView):
    """One click to the work: a reviewer lands on the queue, an administrator on the monitor."""

    viewset = None

    def get_redirect_url(self, *args, **kwargs):
        name = "dashboard" if self.request.user.is_provincial_admin else "queue"
        return self.viewset.reverse(name)


class ClaimFlowAppViewset(FlowAppViewset):
    process_list_view_class = ScopedProcessListView
    task_list_view_class = ScopedTaskListView
    dashboard_view_class = AdminDashboardView
    queue_view_class = ReviewQueueListView
    inbox_view_class = ReviewInboxListView
    base_template_name = "workflows/base_page.html"

    @property
    def index_path(self):
        return path("", WorkspaceIndexView.as_view(viewset=self), name="index")

    @property
    def dashboard_path(self):
        return path("dashboard/", self.dashboard_view, name="dashboard")


site = Site(
    title=_("i志愿供需服务平台"),
    viewsets=[ClaimFlowAppViewset(ClaimFlow, icon="assignment"), LeagueWorkspace()],
)
