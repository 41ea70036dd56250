"""通知 in the operator UI (/workspace/notifications/): the list the top bar's bell opens.

An Application of the operator Site (workspace.site mounts it). Every signed-in user has a
list of their own; an item is a button that marks it read and goes to what it is about: a
reviewer's claim to its review task (while open) or its process, ratings and points to the
league workspace's pages, and a volunteer org's or an individual's item to the mobile site's
screen for it (the operator UI is not theirs).
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView
from viewflow.urls import Application
from viewflow.utils import Icon
from viewflow.workflow.models import Task

from workflows.flows import ClaimFlow
from workflows.selectors import ACTIVE_TASK_STATES

from . import selectors, services
from .models import Kind, Notification
from .rendering import notification_body, notification_title

# Told to the claim's league org: its reviewers' items.
REVIEWER_KINDS = {Kind.CLAIM_RECEIVED, Kind.CLAIM_WITHDRAWN, Kind.REVIEW_ESCALATED}
# A review still to do: the item opens the task.
REVIEW_KINDS = {Kind.CLAIM_RECEIVED, Kind.REVIEW_ESCALATED}


def _reverse(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # that app is not mounted
        return None


def open_review_tasks(notifications) -> dict[int, Task]:
    """The open review task of each claim process the items mention: one query a page."""
    processes = {n.claim.process_id for n in notifications if n.claim_id and n.claim.process_id}
    if not processes:
        return {}
    tasks = Task.objects.filter(
        process_id__in=processes, flow_task=ClaimFlow.review, status__in=ACTIVE_TASK_STATES
    ).order_by("pk")
    return {task.process_id: task for task in tasks}


def target_url(notification: Notification, user, tasks: dict[int, Task]) -> str | None:
    """Where the item leads `user` (its recipient), or None."""
    if notification.initial_demand_id is not None:
        return f"/mine/help/{notification.initial_demand_id}"  # the mobile site's 我的求助
    claim = notification.claim
    if claim is None:
        return None
    volunteer_side = (
        notification.kind not in REVIEWER_KINDS
        and claim.org_id in user.operated_volunteer_org_ids()
    )
    if volunteer_side or not user.reviewer_league_org_ids():
        return f"/mine/claims/{claim.pk}"  # the mobile site's 认领详情
    if notification.kind == Kind.POINTS_PAID:
        return _reverse("league:points")
    if notification.kind == Kind.RATING_RECEIVED:
        return _reverse("league:ratings")
    task = tasks.get(claim.process_id)
    if notification.kind in REVIEW_KINDS and task is not None:
        return task.flow_task.reverse("index", args=[task.process_id, task.pk])
    if claim.process_id is None:
        return None
    return _reverse("claim:process_detail", process_pk=claim.process_id)


class SignedIn:
    viewset = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)


class NotificationListView(SignedIn, ListView):
    """The user's notifications, newest first, unread marked; 全部标为已读."""

    title = gettext_lazy("通知")
    template_name = "notifications/list.html"
    paginate_by = 20

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        tasks = open_review_tasks(rows)
        user = self.request.user
        context["items"] = [
            {
                "notification": n,
                "title": notification_title(n),
                "body": notification_body(n),
                "unread": n.read_at is None,
                "has_target": target_url(n, user, tasks) is not None,
            }
            for n in rows
        ]
        context["unread_count"] = selectors.unread_count_for_request(self.request)
        return context


class NotificationReadView(SignedIn, View):
    """POST: mark the item read and go where it leads (back to the list when nowhere)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            notification = services.notification_read(user=request.user, notification_id=pk)
        except Notification.DoesNotExist:
            raise Http404 from None
        tasks = open_review_tasks([notification])
        url = target_url(notification, request.user, tasks)
        return HttpResponseRedirect(url or self.viewset.reverse("index"))


class NotificationReadAllView(SignedIn, View):
    http_method_names = ["post"]

    def post(self, request):
        count = services.notifications_read_all(user=request.user)
        if count:
            messages.success(request, _("已将%(count)d条通知标为已读") % {"count": count})
        return HttpResponseRedirect(self.viewset.reverse("index"))


class NotificationsWorkspace(Application):
    """通知: every signed-in user's own list (the bell in the top bar leads here)."""

    app_name = "notifications"
    title = gettext_lazy("通知")
    icon = Icon("notifications")
    menu_template_name = None
    base_template_name = "workspace/base_page.html"

    def has_view_permission(self, user, obj=None):
        return True  # anyone's own list; an anonymous request is sent to log in by the view

    def page_view(self, view_class, **kwargs):
        return view_class.as_view(viewset=self, **kwargs)

    @property
    def index_path(self):
        return path("", self.page_view(NotificationListView), name="index")

    @property
    def read_path(self):
        return path("<int:pk>/read/", self.page_view(NotificationReadView), name="read")

    @property
    def read_all_path(self):
        return path("read-all/", self.page_view(NotificationReadAllView), name="read_all")
