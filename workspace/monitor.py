"""The provincial administrators' process monitor: list, detail, actions and the dashboard.

Reviewers see the list and the detail of their own league org's processes (the list's scoping
below and ClaimFlow.has_view_permission); the actions, the dashboard and the exports are for
provincial administrators only.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django_filters import ChoiceFilter, DateFilter, FilterSet, ModelChoiceFilter, NumberFilter
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from demands.choices import Zone
from demands.models import Demand, DemandStatus
from orgs.errors import DomainError
from orgs.forms import add_domain_errors
from orgs.models import AuditRecord, City, LeagueOrg
from orgs.validation import REASON_MAX
from workflows import selectors, services
from workflows.flows import ClaimFlow
from workflows.models import Claim, ClaimProcess, ClaimStatus
from workflows.selectors import (
    ACTIVE_TASK_STATES,
    WAITING_NODES,
    claim_processes_scope,
    overdue_review_tasks,
    review_overdue_days,
)

from . import dashboard
from .deadlines import (
    NullsLast,
    claim_review_overdue,
    escalated_level_subquery,
    monitor_due_expression,
    process_deadline,
)
from .text import listing, with_detail

PROCESS_STATUS_LABELS = {
    PROCESS.NEW: _("进行中"),
    PROCESS.DONE: _("已结束"),
    PROCESS.CANCELED: _("已取消"),
}
TASK_STATUS_LABELS = {
    STATUS.NEW: _("待处理"),
    STATUS.ASSIGNED: _("已分配"),
    STATUS.STARTED: _("处理中"),
    STATUS.DONE: _("已完成"),
    STATUS.CANCELED: _("已取消"),
    STATUS.ERROR: _("出错"),
    STATUS.REVIVED: _("已恢复"),
    STATUS.SCHEDULED: _("已计划"),
}
# Audit actions as administrators read them; an unknown code is shown as it is.
AUDIT_ACTION_LABELS = {
    "create": _("创建"),
    "publish": _("发布"),
    "close": _("关闭"),
    "expire": _("过期"),
    "claim": _("被认领"),
    "reopen": _("重新开放"),
    "start_service": _("发布活动"),
    "complete": _("完成"),
    "request": _("申请认领"),
    "approve": _("同意"),
    "reject": _("退回"),
    "withdraw": _("撤销认领"),
    "publish_activity": _("发布活动"),
    "rate_by_league": _("团组织评分"),
    "rate_by_volunteer": _("志愿服务组织评分"),
    "reassign": _("改派审核任务"),
    "cancel": _("取消流程"),
    "follow_up": _("设置跟进时间"),
    "escalate": _("审核上报"),
    "lapse": _("认领失效"),
}
MAX_PAGE_SIZE = 200


def is_admin(user) -> bool:
    return user.is_authenticated and user.is_provincial_admin


def stage_nodes():
    return [getattr(ClaimFlow, name) for name in WAITING_NODES]


# Titles of the nodes that ClaimFlow leaves unannotated (they are wiring, not steps).
UNTITLED_NODES = {
    "split_ratings": _("发起双方评分"),
    "join_ratings": _("等待双方评分"),
    "end": _("结束"),
}


def node_title(node) -> str:
    if node is None:
        return ""
    return str(getattr(node, "task_title", "") or UNTITLED_NODES.get(node.name, node.name))


# -- the list's rows ---------------------------------------------------------------------------


def _active_tasks(*nodes):
    return Task.objects.filter(
        process=OuterRef("pk"), status__in=ACTIVE_TASK_STATES, flow_task__in=list(nodes)
    )


def monitor_annotate(queryset):
    """The columns of the monitor, joined or sub-selected: one query whatever the page size.

    current_node / last_node: the earliest and latest open waiting step (they differ only
    while both ratings are open); review_since: when the open review task was created; due_at:
    the running deadline (the review's while pending, the activity's while approved);
    escalated_org_level: the tier of the org the review was escalated to last.
    """
    nodes = stage_nodes()
    review = ClaimFlow.review
    return queryset.select_related(
        "claim__demand__league_org", "claim__demand__city", "claim__org"
    ).annotate(
        current_node=Subquery(_active_tasks(*nodes).order_by("pk").values("flow_task")[:1]),
        last_node=Subquery(_active_tasks(*nodes).order_by("-pk").values("flow_task")[:1]),
        review_since=Subquery(_active_tasks(review).order_by("pk").values("created")[:1]),
        due_at=monitor_due_expression(),
        escalated_org_level=escalated_level_subquery("claim__"),
    )


def stage_label(process) -> str:
    first, last = process.current_node, process.last_node
    if first is None:
        return ""
    if last is not None and last != first:
        return listing((node_title(first), node_title(last)))
    return node_title(first)


def process_age(process, now=None) -> datetime.timedelta:
    """How long the process has run: until now, or until it finished."""
    end = process.finished or now or timezone.now()
    return end - process.created


def format_age(age: datetime.timedelta) -> str:
    if age >= datetime.timedelta(days=1):
        return ngettext("%(n)d天", "%(n)d天", age.days) % {"n": age.days}
    hours = age.seconds // 3600
    return ngettext("%(n)d小时", "%(n)d小时", hours) % {"n": hours}


# -- filters -----------------------------------------------------------------------------------


def _day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of a day in the platform's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _league_orgs(request):
    orgs = LeagueOrg.objects.order_by("code")
    if request is None or is_admin(request.user):
        return orgs
    return orgs.filter(pk__in=request.user.reviewer_league_org_ids())


class ProcessMonitorFilterForm(forms.Form):
    """The monitor's filters, checked together: a date range must run forwards."""

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("结束日期不能早于开始日期"))
        return data


class ProcessMonitorFilter(FilterSet):
    YES, NO = "yes", "no"

    stage = ChoiceFilter(label=_("当前环节"), method="filter_stage")
    city = ModelChoiceFilter(
        label=_("城市"), field_name="claim__demand__city", queryset=City.objects.all()
    )
    zone = ChoiceFilter(label=_("专区"), field_name="claim__demand__zone", choices=Zone.choices)
    league_org = ModelChoiceFilter(
        label=_("团组织"), field_name="claim__demand__league_org", queryset=_league_orgs
    )
    older_than = NumberFilter(
        label=_("发起已超过（天）"), method="filter_older_than", min_value=0, max_value=3650
    )
    overdue = ChoiceFilter(
        label=_("审核超时"), choices=[(YES, _("是")), (NO, _("否"))], method="filter_overdue"
    )
    status = ChoiceFilter(label=_("流程状态"), choices=list(PROCESS_STATUS_LABELS.items()))
    claim_status = ChoiceFilter(
        label=_("认领状态"), field_name="claim__status", choices=ClaimStatus.choices
    )
    escalated = ChoiceFilter(
        label=_("已上报"), choices=[(YES, _("是")), (NO, _("否"))], method="filter_escalated"
    )
    created_from = DateFilter(label=_("发起日期从"), method="filter_created_from")
    created_to = DateFilter(label=_("发起日期至"), method="filter_created_to")

    class Meta:
        model = ClaimProcess
        fields = []
        form = ProcessMonitorFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "stage",
            "city",
            "zone",
            "league_org",
            "overdue",
            "status",
            "claim_status",
            "escalated",
        ):
            self.filters[name].extra["empty_label"] = _("全部")
        self.filters["stage"].field.choices = [
            (node.name, node_title(node)) for node in stage_nodes()
        ]

    def filter_stage(self, queryset, name, value):
        node = getattr(ClaimFlow, value)
        return queryset.filter(Exists(_active_tasks(node)))

    def filter_older_than(self, queryset, name, value):
        return queryset.filter(created__lt=timezone.now() - datetime.timedelta(days=int(value)))

    def filter_created_from(self, queryset, name, value):
        return queryset.filter(created__gte=_day_start(value))

    def filter_created_to(self, queryset, name, value):
        return queryset.filter(created__lt=_day_start(value + datetime.timedelta(days=1)))

    def filter_escalated(self, queryset, name, value):
        escalated = Q(claim__escalation_level__gt=0)
        return queryset.filter(escalated if value == self.YES else ~escalated)

    def filter_overdue(self, queryset, name, value):
        overdue = Exists(
            overdue_review_tasks(review=ClaimFlow.review).filter(process=OuterRef("pk"))
        )
        return queryset.filter(overdue if value == self.YES else ~overdue)


# -- list --------------------------------------------------------------------------------------


class BulkCancelForm(forms.Form):
    """取消所选流程: the processes ticked in the list, one reason for all."""

    process = forms.TypedMultipleChoiceField(label=_("流程"), coerce=int, choices=())
    reason = forms.CharField(
        label=_("取消原因"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any number: the service decides each (a missing or finished one is refused).
        ids = self.data.getlist("process") if hasattr(self.data, "getlist") else []
        self.fields["process"].choices = [(value, value) for value in ids]
        self.fields["process"].error_messages["required"] = _("请至少选择一个流程")


# The columns the list can be sorted by (the `_orderby` parameter, as Viewflow reads it).
SORTABLE = {
    "process_id": "pk",
    "demand_title": "claim__demand__title",
    "claim_org": "claim__org__name",
    "league_org": "claim__demand__league_org__code",
    "city": "claim__demand__city__name",
    "zone": "claim__demand__zone",
    "age": "-created",
    "due": NullsLast(monitor_due_expression()),
    "claim_status": "claim__status",
    "process_status": "status",
}
FILTER_FIELDS = (
    "stage",
    "status",
    "zone",
    "city",
    "league_org",
    "overdue",
    "claim_status",
    "escalated",
    "older_than",
    "created_from",
    "created_to",
)


BULK_RESULT_KEY = "monitor_bulk_cancel"


class ProcessMonitorListView(flow_views.DashboardProcessListView):
    """流程监控: every claim process the user may see, with where it stands and since when.

    One form holds the search and the filters (a filter never drops the search); a bad value
    is answered with the form's error and an empty list, never ignored. Each active filter is a
    chip that removes it; the list's rows are cards on a phone. Administrators tick processes
    and cancel them together (`post`), each through claim_process_cancel on its own.
    """

    title = _("流程监控")
    template_name = "workspace/monitor/process_list.html"
    filterset_class = ProcessMonitorFilter
    search_fields = ("claim__demand__title", "claim__org__name", "claim__demand__league_org__name")
    columns = (
        "process_id",
        "demand_title",
        "claim_org",
        "league_org",
        "city",
        "zone",
        "stage",
        "age",
        "due",
        "overdue",
        "claim_status",
        "process_status",
    )
    object_link_columns = ()
    ordering = "-created"
    page_size_kwarg = "_page_size"

    def is_strict_filter(self):
        # A bad filter value lists nothing (with the form's error), never everything; a page
        # without a query is no filter at all.
        return self.filterset.is_bound

    def search_enabled(self):
        # The search is a field of the monitor's own form (the page's template), applied in
        # get_queryset; Viewflow's second search box in the toolbar is not shown.
        return False

    def get_search_term(self):
        return (self.request.GET.get("_search") or "").strip()

    def get_queryset(self):
        # Viewflow's own get_queryset also counts every process's open tasks, a GROUP BY over
        # the whole task table (seconds at 50,000 processes), for a column the monitor does
        # not show: take the filtered list without it.
        queryset = super(flow_views.DashboardProcessListView, self).get_queryset()
        queryset = claim_processes_scope(
            queryset.filter(flow_class=self.flow_class), user=self.request.user
        )
        term = self.get_search_term()
        if term:
            match = Q()
            for field in self.search_fields:
                match |= Q(**{f"{field}__icontains": term})
            queryset = queryset.filter(match)
        return monitor_annotate(queryset)

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get(self.page_size_kwarg, ""))
        except ValueError:
            return self.paginate_by
        return min(max(size, 1), MAX_PAGE_SIZE)

    @cached_property
    def now(self) -> datetime.datetime:
        # One clock for a whole page, so that ages and badges agree.
        return timezone.now()

    def process_id(self, process):
        url = self.request.resolver_match.flow_viewset.reverse("process_detail", args=[process.pk])
        return format_html('<a href="{}">#{}</a>', url, process.pk)

    process_id.short_description = _("流程")
    process_id.orderby_column = SORTABLE["process_id"]

    def demand_title(self, process):
        claim = _claim_of(process)
        return claim.demand.title if claim else ""

    demand_title.short_description = _("需求标题")
    demand_title.orderby_column = SORTABLE["demand_title"]

    def claim_org(self, process):
        claim = _claim_of(process)
        return claim.org.name if claim else ""

    claim_org.short_description = _("认领组织")
    claim_org.orderby_column = SORTABLE["claim_org"]

    def league_org(self, process):
        claim = _claim_of(process)
        return claim.demand.league_org.name if claim else ""

    league_org.short_description = _("团组织")
    league_org.orderby_column = SORTABLE["league_org"]

    def city(self, process):
        claim = _claim_of(process)
        return claim.demand.city.name if claim and claim.demand.city else ""

    city.short_description = _("城市")
    city.orderby_column = SORTABLE["city"]

    def zone(self, process):
        claim = _claim_of(process)
        return claim.demand.get_zone_display() if claim else ""

    zone.short_description = _("专区")
    zone.orderby_column = SORTABLE["zone"]

    def stage(self, process):
        return stage_label(process)

    stage.short_description = _("当前环节")

    def age(self, process):
        return format_age(process_age(process, self.now))

    age.short_description = _("已持续")
    age.orderby_column = SORTABLE["age"]

    def overdue(self, process):
        if claim_review_overdue(getattr(process, "claim", None), self.now):
            return format_html('<span class="monitor-badge">{}</span>', gettext("审核超时"))
        return ""

    overdue.short_description = _("超时")

    def due(self, process):
        return process_deadline(process, _claim_of(process), self.now)["due"]

    due.short_description = _("截止时间")
    due.orderby_column = SORTABLE["due"]

    def claim_status(self, process):
        claim = _claim_of(process)
        if claim is None:
            return ""
        return gettext("流程已取消") if claim.is_cancelled else claim.get_status_display()

    claim_status.short_description = _("认领状态")
    claim_status.orderby_column = SORTABLE["claim_status"]

    def process_status(self, process):
        return PROCESS_STATUS_LABELS.get(process.status, process.status)

    process_status.short_description = _("流程状态")
    process_status.orderby_column = SORTABLE["process_status"]

    # -- the page around the rows ---------------------------------------------------------------

    def query_without(self, *keys) -> str:
        query = self.request.GET.copy()
        for key in ("page", *keys):
            query.pop(key, None)
        return query.urlencode()

    def filter_chips(self) -> list[dict]:
        """One chip per active filter (and the search), each with the link that removes it."""
        form = self.filterset.form
        cleaned = getattr(form, "cleaned_data", {}) if form.is_bound else {}
        chips = []
        term = self.get_search_term()
        if term:
            chips.append({"label": gettext("搜索"), "value": term, "key": "_search"})
        for name in FILTER_FIELDS:
            value = cleaned.get(name)
            if value in (None, "", []):
                continue
            field = form.fields[name]
            if hasattr(field, "choices") and not hasattr(value, "pk"):
                value = dict(field.choices).get(value, value)
            chips.append({"label": field.label, "value": value, "key": name})
        for chip in chips:
            query = self.query_without(chip["key"])
            chip["url"] = "?" + query if query else self.request.path
        return chips

    def sort_links(self) -> dict:
        """For each sortable column: the link that sorts by it (again: the other way) and the
        current direction."""
        current = self.request.GET.get(self.ordering_kwarg, "")
        links = {}
        base = self.query_without(self.ordering_kwarg)
        for name in SORTABLE:
            if current == name:
                direction, target = "asc", f"-{name}"
            elif current == f"-{name}":
                direction, target = "desc", name
            else:
                direction, target = "", name
            query = f"{base}&" if base else ""
            links[name] = {
                "url": f"?{query}{self.ordering_kwarg}={target}",
                "direction": direction,
            }
        return links

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        viewset = self.request.resolver_match.flow_viewset
        rows = []
        for process in context["object_list"]:
            claim = _claim_of(process)
            rows.append(
                {
                    "process": process,
                    "claim": claim,
                    "url": viewset.reverse("process_detail", args=[process.pk]),
                    "stage": stage_label(process),
                    "age": format_age(process_age(process, self.now)),
                    "deadline": process_deadline(process, claim, self.now),
                    "claim_status": self.claim_status(process),
                    "process_status": self.process_status(process),
                    "selectable": process.status == PROCESS.NEW
                    and claim is not None
                    and claim.status in services.ADMIN_CANCELLABLE,
                }
            )
        page_query = self.query_without()
        bulk_result = self.request.session.pop(BULK_RESULT_KEY, None)
        if bulk_result:
            for result in bulk_result["results"]:
                result["url"] = viewset.reverse("process_detail", args=[result["pk"]])
            done = sum(result["ok"] for result in bulk_result["results"])
            bulk_result.update(done=done, refused=len(bulk_result["results"]) - done)
        context.update(
            bulk_result=bulk_result,
            rows=rows,
            filter_form=self.filterset.form,
            filter_errors=self.filterset.form.is_bound and not self.filterset.form.is_valid(),
            search_term=self.get_search_term(),
            chips=self.filter_chips(),
            sort=self.sort_links(),
            page_query=f"&{page_query}" if page_query else "",
            reset_url=self.request.path,
            current_order=self.request.GET.get(self.ordering_kwarg, ""),
            is_admin=is_admin(self.request.user),
        )
        if context["is_admin"]:
            query = self.query_without()
            suffix = f"?{query}" if query else ""
            context["bulk_form"] = kwargs.get("bulk_form") or BulkCancelForm()
            context["monitor_links"] = {
                "dashboard": viewset.reverse("monitor_dashboard"),
                "processes_csv": viewset.reverse("monitor_export_processes", args=["csv"]) + suffix,
                "processes_xlsx": viewset.reverse("monitor_export_processes", args=["xlsx"])
                + suffix,
                "demands_csv": viewset.reverse("monitor_export_demands", args=["csv"]) + suffix,
                "demands_xlsx": viewset.reverse("monitor_export_demands", args=["xlsx"]) + suffix,
            }
        return context

    # -- bulk cancel ----------------------------------------------------------------------------

    def post(self, request, *args, **kwargs):
        """取消所选流程: each ticked process through claim_process_cancel, in its own
        transaction; the answer lists each one's outcome (cancelled, or refused and why)."""
        if not is_admin(request.user):
            raise PermissionDenied
        form = BulkCancelForm(request.POST)
        if not form.is_valid():
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data(bulk_form=form))
        reason = form.cleaned_data["reason"]
        ids = sorted(set(form.cleaned_data["process"]))
        processes = {
            process.pk: process
            for process in claim_processes_scope(
                ClaimProcess.objects.filter(pk__in=ids, flow_class=self.flow_class),
                user=request.user,
            ).select_related("claim__demand", "claim__org")
        }
        results = []
        for pk in ids:
            process = processes.get(pk)
            claim = _claim_of(process) if process else None
            result = {"pk": pk, "ok": False, "message": "", "title": "", "org": ""}
            if claim is None:
                result["message"] = gettext("流程不存在")
            else:
                result.update(title=claim.demand.title, org=claim.org.name)
                try:
                    services.claim_process_cancel(claim=claim, actor=request.user, reason=reason)
                except DomainError as exc:
                    result["message"] = "；".join(
                        [exc.detail, *map(str, (exc.fields or {}).values())]
                    )
                else:
                    result["ok"] = True
            results.append(result)
        # Post/redirect/get (Turbo follows a redirect): the list shows the outcome once.
        request.session[BULK_RESULT_KEY] = {"reason": reason, "results": results}
        return redirect(request.get_full_path())


def _claim_of(process):
    try:
        return process.claim
    except Claim.DoesNotExist:
        return None


# -- detail ------------------------------------------------------------------------------------


def audit_trail(claim: Claim) -> list[AuditRecord]:
    """The audit records of a claim and of its demand, oldest first."""
    types = ContentType.objects.get_for_models(Claim, Demand)
    records = (
        AuditRecord.objects.filter(
            Q(content_type=types[Claim], object_id=claim.pk)
            | Q(content_type=types[Demand], object_id=claim.demand_id)
        )
        .select_related("actor", "org")
        .order_by("at", "id")
    )
    subjects = {
        types[Claim].pk: (_("认领"), dict(ClaimStatus.choices)),
        types[Demand].pk: (_("需求"), dict(DemandStatus.choices)),
    }
    rows = []
    for record in records:
        record.subject, states = subjects[record.content_type_id]
        record.from_label = states.get(record.from_state, record.from_state)
        record.to_label = states.get(record.to_state, record.to_state)
        record.action_label = AUDIT_ACTION_LABELS.get(record.action, record.action)
        record.actor_label = (
            (record.actor.get_full_name() or record.actor.username)
            if record.actor
            else gettext("系统")
        )
        rows.append(record)
    return rows


@method_decorator(login_required, name="dispatch")
class ProcessMonitorDetailView(flow_views.DetailProcessView):
    """One claim process: its chart, tasks, audit trail, claim, demand, activity and ratings.

    Viewflow's dispatch keeps `flow.has_view_permission(user, process)`: a reviewer opens
    their own league org's processes only.
    """

    template_name = "workspace/monitor/process_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "claim__demand__league_org",
                "claim__demand__city",
                "claim__org",
                "claim__requested_by",
                "claim__decided_by",
                "claim__cancelled_by",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        process = context["process"]
        viewset = self.request.resolver_match.flow_viewset
        claim = _claim_of(process)
        tasks = list(process.task_set.select_related("owner").order_by("created", "pk"))
        for task in tasks:
            task.node_label = node_title(task.flow_task)
            task.status_label = TASK_STATUS_LABELS.get(task.status, task.status)
        competing = []
        demand_url = ""
        if claim:
            competing = list(
                Claim.objects.filter(demand_id=claim.demand_id)
                .exclude(pk=claim.pk)
                .select_related("org", "cancelled_by")
                .order_by("created_at", "pk")
            )
            for other in competing:
                other.process_url = (
                    viewset.reverse("process_detail", args=[other.process_id])
                    if other.process_id
                    else ""
                )
                other.status_label = (
                    gettext("流程已取消") if other.is_cancelled else other.get_status_display()
                )
            # The league workspace's demand page opens for the demand's own reviewers only.
            if claim.demand.league_org_id in self.request.user.reviewer_league_org_ids():
                demand_url = reverse("league:demand_detail", args=[claim.demand_id])
        context.update(
            competing_claims=competing,
            demand_url=demand_url,
            claim_status_label=(
                (gettext("流程已取消") if claim.is_cancelled else claim.get_status_display())
                if claim
                else ""
            ),
            task_list=tasks,
            claim=claim,
            demand=claim.demand if claim else None,
            activity=getattr(claim, "activity", None) if claim else None,
            ratings=list(claim.ratings.select_related("rater")) if claim else [],
            audit_trail=audit_trail(claim) if claim else [],
            escalations=selectors.deciding_orgs(claim)[1:] if claim else [],
            process_status_label=PROCESS_STATUS_LABELS.get(process.status, process.status),
            chart_url=viewset.reverse("process_chart", args=[process.pk]),
            list_url=viewset.reverse("process_list"),
            is_admin=is_admin(self.request.user),
        )
        if claim and context["is_admin"]:
            running = process.status == PROCESS.NEW
            context.update(
                can_cancel=running and claim.status in services.ADMIN_CANCELLABLE,
                can_reassign=running
                and any(
                    t.flow_task == ClaimFlow.review and t.status in ACTIVE_TASK_STATES
                    for t in tasks
                ),
                cancel_url=viewset.reverse("process_cancel", args=[process.pk]),
                reassign_url=viewset.reverse("process_reassign", args=[process.pk]),
                dashboard_url=viewset.reverse("monitor_dashboard"),
            )
        return context


# -- administrators' actions -------------------------------------------------------------------


class AdminRequiredMixin(LoginRequiredMixin):
    """Provincial administrators only; anyone else signed in gets 403."""

    viewset = None
    flow_class = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_provincial_admin:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReassignForm(ReasonForm):
    to_user = forms.ModelChoiceField(label=_("改派给"), queryset=None)

    field_order = ["to_user", "reason"]

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = candidates
        self.fields["to_user"].label_from_instance = lambda user: (
            with_detail(user.display_name, user.username) if user.display_name else user.username
        )


class ProcessActionView(AdminRequiredMixin, generic.FormView):
    """A form about one claim process whose submission calls one service."""

    template_name = "workspace/monitor/process_action.html"
    action_title = ""
    success_message = ""
    submit_label = _("提交")
    danger = False

    @cached_property
    def process(self):
        process = (
            ClaimProcess.objects.filter(pk=self.kwargs["process_pk"], flow_class=self.flow_class)
            .select_related("claim__demand__league_org", "claim__org")
            .first()
        )
        if process is None or _claim_of(process) is None:
            raise Http404
        return process

    @property
    def claim(self):
        return self.process.claim

    def detail_url(self):
        return self.viewset.reverse("process_detail", args=[self.process.pk])

    def open_tasks(self) -> list[dict]:
        """Where the process waits now, and who holds each open task."""
        tasks = (
            self.process.task_set.filter(status__in=ACTIVE_TASK_STATES)
            .select_related("owner")
            .order_by("pk")
        )
        rows = []
        for task in tasks:
            if task.owner:
                holder = task.owner.get_full_name() or task.owner.username
            elif task.flow_task == ClaimFlow.review:
                holder = gettext("未分配（在%(org)s的审核队列中）") % {
                    "org": self.claim.demand.league_org.name
                }
            else:
                holder = gettext("等待%(org)s（手机端）") % {"org": self.claim.org.name}
            rows.append({"step": node_title(task.flow_task), "holder": holder})
        return rows

    def consequences(self) -> list[str]:
        return []

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            process=self.process,
            claim=self.claim,
            action_title=self.action_title,
            detail_url=self.detail_url(),
            open_tasks=self.open_tasks(),
            consequences=self.consequences(),
            submit_label=self.submit_label,
            danger=self.danger,
            **kwargs,
        )

    def call_service(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.call_service(form)
        except DomainError as exc:
            add_domain_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.detail_url())


class ProcessCancelView(ProcessActionView):
    """取消流程: rejects a pending claim or withdraws an approved one, then cancels."""

    form_class = ReasonForm
    action_title = _("取消流程")
    success_message = _("流程已取消")
    submit_label = _("确认取消流程")
    danger = True

    def consequences(self) -> list[str]:
        claim = self.claim
        names = {"org": claim.org.name, "league": claim.demand.league_org.name}
        if claim.status == ClaimStatus.APPROVED:
            lines = [
                gettext(
                    "认领将变为「撤销认领」，并标明「流程已取消」；等待发布活动的任务随之取消。"
                ),
                gettext("需求将重新开放为「待认领」，其他组织可以再次认领。"),
            ]
        elif claim.status == ClaimStatus.PENDING:
            lines = [
                gettext("认领将变为「认领失败」，并标明「流程已取消」，不算作团组织的退回。"),
                gettext("审核任务从%(league)s的审核队列中撤下；需求保持「待认领」。") % names,
            ]
        else:
            return [
                gettext("认领当前状态为「%(state)s」，不能取消流程。")
                % {"state": claim.get_status_display()}
            ]
        lines.append(
            gettext(
                "%(org)s和%(league)s会在认领详情和操作记录中看到「取消流程」和填写的原因；"
                "不发送短信。"
            )
            % names
        )
        return lines

    def call_service(self, form):
        services.claim_process_cancel(
            claim=self.claim, actor=self.request.user, reason=form.cleaned_data["reason"]
        )


class ReviewReassignView(ProcessActionView):
    """改派审核任务 to another reviewer of the demand's league org."""

    form_class = ReassignForm
    action_title = _("改派审核任务")
    success_message = _("审核任务已改派")
    submit_label = _("确认改派")

    def consequences(self) -> list[str]:
        return [
            gettext("审核任务交给所选审核员，出现在其「我的任务」中；认领的状态不变。"),
            gettext("操作记录写明原处理人、新处理人和填写的原因。"),
        ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["candidates"] = services.review_reassign_candidates(claim=self.claim)
        return kwargs

    def call_service(self, form):
        services.review_task_reassign(
            claim=self.claim,
            actor=self.request.user,
            to_user=form.cleaned_data["to_user"],
            reason=form.cleaned_data["reason"],
        )


# -- dashboard ---------------------------------------------------------------------------------


def _nice_max(value: float) -> int:
    """A round upper bound for an axis: 1, 2, 5, 10, 20, 50, …"""
    value = max(value, 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


# The charts are SVG that fills its card: horizontal positions are percentages of the card's
# width, vertical ones pixels, so that a label stays 13 px at any width (a viewBox would scale
# the text with the chart: 8 px on a phone).
BAR_PLOT = 84  # % of the width for the longest bar; the rest for its value


def bar_chart(rows, *, bar=16, row_height=44) -> dict:
    """Horizontal bars for `rows` of {label, count}: each label above its bar, whole (a city
    or a league org's name is never cut)."""
    top = _nice_max(max((row["count"] for row in rows), default=0))
    bars = []
    for index, row in enumerate(rows):
        y = index * row_height
        width = round(BAR_PLOT * row["count"] / top, 2)
        bars.append(
            {
                "label": row["label"],
                "count": row["count"],
                "label_y": y + 14,
                "y": y + 20,
                "text_y": y + 20 + bar - 3,
                "width": width,
                "value_x": round(width + 1, 2),
            }
        )
    return {"height": len(rows) * row_height, "bar": bar, "bars": bars}


def line_chart(days, series, *, height=240, top=16, bottom=44, left=7, right=2):
    """Lines over the days for each of `series` [(key, label, color)]: x in % of the width
    (left and right margins too), y in px."""
    maximum = _nice_max(max((day[key] for day in days for key, _l, _c in series), default=0))
    plot_h = height - top - bottom
    plot_w = 100 - left - right
    step = plot_w / max(len(days) - 1, 1)

    def x(i):
        return round(left + i * step, 2)

    def y(value):
        return round(top + plot_h - plot_h * value / maximum, 1)

    lines = []
    for key, label, color in series:
        points = [(x(i), y(day[key])) for i, day in enumerate(days)]
        lines.append(
            {
                "label": label,
                "color": color,
                # the inner SVG's own units: x 0..1000 over the plot, y in px
                "points": " ".join(
                    f"{round((px - left) / plot_w * 1000, 1)},{py}" for px, py in points
                ),
                "dots": [
                    {"x": px, "y": py, "value": day[key], "day": day["day"]}
                    for (px, py), day in zip(points, days, strict=True)
                ],
            }
        )
    tick_step = maximum // 5 if maximum >= 5 else 1
    ticks = [{"value": v, "y": y(v)} for v in range(0, maximum + 1, tick_step)]
    every = max(1, -(-len(days) // 7))  # about seven dates along the axis
    labels = [
        {"x": x(i), "text": day["day"].strftime("%m-%d")}
        for i, day in enumerate(days)
        if i % every == 0 or i == len(days) - 1
    ]
    if len(labels) > 1 and labels[-1]["x"] - labels[-2]["x"] < plot_w / 14:
        del labels[-2]  # the last date would overlap the one before
    return {
        "height": height,
        "top": top,
        "plot_h": plot_h,
        "left": left,
        "right": 100 - right,
        "plot_w": plot_w,
        "baseline": top + plot_h,
        "label_y": top + plot_h + 18,
        "legend_y": height - 6,
        "lines": lines,
        "ticks": ticks,
        "labels": labels,
    }


class DashboardFilterForm(forms.Form):
    """数据看板's period (7, 30 or 90 days, or from–to), zone and city."""

    PERIODS = [("7", _("近7天")), ("30", _("近30天")), ("90", _("近90天")), ("range", _("自定义"))]

    period = forms.ChoiceField(label=_("统计周期"), choices=PERIODS, required=False)
    start = forms.DateField(label=_("开始日期"), required=False)
    end = forms.DateField(label=_("结束日期"), required=False)
    zone = forms.ChoiceField(
        label=_("专区"), choices=[("", _("全部专区")), *Zone.choices], required=False
    )
    city = forms.ModelChoiceField(
        label=_("城市"), queryset=City.objects.all(), required=False, empty_label=_("全部城市")
    )

    MAX_DAYS = 366

    def clean(self):
        data = super().clean()
        period = data.get("period") or "30"
        data["period"] = period
        if period == "range":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("自定义周期须填写开始和结束日期"))
            if start > end:
                self.add_error("end", _("结束日期不能早于开始日期"))
            elif (end - start).days >= self.MAX_DAYS:
                self.add_error("end", _("周期最长一年"))
        return data

    def scope(self, today: datetime.date) -> dashboard.Scope:
        data = self.cleaned_data
        if data["period"] == "range":
            first, last = data["start"], data["end"]
        else:
            first, last = today - datetime.timedelta(days=int(data["period"]) - 1), today
        return dashboard.Scope(
            first=first, last=last, zone=data.get("zone") or None, city=data.get("city")
        )


class MonitorDashboardView(AdminRequiredMixin, generic.TemplateView):
    """数据看板: the platform's figures as charts, with the numbers in tables beside them; for a
    period, a zone and a city, as of the moment the page was made."""

    template_name = "workspace/monitor/dashboard.html"
    title = _("数据看板")

    def get_context_data(self, **kwargs):
        now = timezone.now()
        today = timezone.localdate(now)
        form = DashboardFilterForm(self.request.GET or {"period": "30"})
        if form.is_valid():
            scope = form.scope(today)
        else:  # the form shows its errors; the figures stay those of the last 30 days
            scope = dashboard.Scope(first=today - datetime.timedelta(days=29), last=today)
        figures = dashboard.dashboard_figures(now=now, scope=scope)
        funnel = figures["funnel"]
        published = funnel["published"] or 0
        funnel_rows = [
            {"label": gettext("已发布"), "count": funnel["published"]},
            {"label": gettext("已认领"), "count": funnel["claimed"]},
            {"label": gettext("已发布活动"), "count": funnel["activity"]},
            {"label": gettext("已完成"), "count": funnel["completed"]},
        ]
        for row in funnel_rows:
            row["percent"] = round(100 * row["count"] / published) if published else 0
        overdue_rows = figures["overdue"]
        list_url = self.viewset.reverse("process_list")
        narrow = "".join(
            f"&{name}={value}"
            for name, value in (
                ("zone", scope.zone or ""),
                ("city", scope.city.pk if scope.city is not None else ""),
            )
            if value
        )
        return super().get_context_data(
            form=form,
            scope=scope,
            as_of=now,
            figures=figures,
            funnel_rows=funnel_rows,
            daily_chart=line_chart(
                figures["daily"],
                [
                    ("demands", gettext("发布需求"), "#1976d2"),
                    ("claims", gettext("认领申请"), "#e65100"),
                ],
            ),
            city_chart=bar_chart(figures["per_city"]),
            zone_chart=bar_chart(figures["per_zone"]),
            funnel_chart=bar_chart(funnel_rows),
            overdue_chart=bar_chart(overdue_rows),
            overdue_days=review_overdue_days(),
            list_url=list_url,
            overdue_list_url=f"{list_url}?overdue=yes&status=NEW{narrow}",
            overdue_narrow=narrow,
            **kwargs,
        )
