"""The league workspace (团组织工作台): a league org's initial demands, publications, ratings
and points.

An Application of the operator Site (workspace.site). Every page is for accounts of a league org
(a league reviewer membership) and shows that org's rows only; anyone else gets 403, another
org's row is 404. The views translate requests into calls to demands.services; the rules,
including who may do what, are the services'.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, RedirectView, TemplateView
from django_fsm import can_proceed
from viewflow.urls import Application
from viewflow.utils import Icon
from viewflow.views import ListModelView

from demands import initial_selectors, selectors, services
from demands.choices import Course, Guarantee, InitialDemandKind, Interest, Zone
from demands.models import Demand, DemandStatus, InitialDemand, InitialDemandStatus
from orgs.errors import DomainError
from orgs.models import LeagueOrg, SmsPurpose
from orgs.sms import sms_code_issue
from scoring import services as scoring_services
from scoring.models import PointsEntry
from scoring.selectors import points_balance, rating_list_given
from workflows.models import Claim, ClaimStatus
from workflows.selectors import claim_list, claim_process_visible
from workflows.todo import claims_to_rate

from .league_forms import (
    DemandContactForm,
    DemandContentForm,
    DemandFilter,
    InitialDemandFilter,
    RatingForm,
    ReasonForm,
    add_domain_errors,
)
from .templatetags.league_format import league_datetime
from .text import with_detail


def is_league_reviewer(user) -> bool:
    return user.is_authenticated and bool(user.reviewer_league_org_ids())


class LeagueReviewerRequired:
    """Accounts of a league org only: others 403 (provincial administrators too, see
    docs/decisions.md); anonymous users are sent to log in."""

    viewset = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_league_reviewer(request.user):
            raise PermissionDenied
        self.prepare(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def prepare(self, **kwargs):
        """Load what the page is about, once the user may see the workspace at all."""

    def has_view_permission(self, user, obj=None):
        # What Viewflow's list view asks before it lists anything.
        return is_league_reviewer(user)

    @property
    def org_ids(self) -> set[int]:
        return self.request.user.reviewer_league_org_ids()

    def url(self, name: str, *args) -> str:
        return self.viewset.reverse(name, args=args or None)


# -- 初始需求 -----------------------------------------------------------------------------------


class InitialDemandListView(LeagueReviewerRequired, ListModelView):
    model = InitialDemand
    title = gettext_lazy("初始需求")
    # Not "title": a column name is looked up on the view first, and the view has a title.
    columns = ("initial_title", "kind", "league_org", "contact_name", "status", "submitted")
    filterset_class = InitialDemandFilter
    paginate_by = 20
    template_name = "workspace/league/initial_list.html"

    def initial_title(self, obj):
        return obj.title

    initial_title.short_description = gettext_lazy("需求标题")

    def submitted(self, obj):
        return league_datetime(obj.created_at)

    submitted.short_description = gettext_lazy("提交时间")

    @property
    def queryset(self):
        # Addressed to the viewer's orgs; a reviewer's own requests as an individual are not
        # the org's work.
        return initial_selectors.initial_demand_list(viewer=self.request.user).filter(
            league_org_id__in=self.org_ids
        )

    def get_object_url(self, obj):
        return self.url("initial_detail", obj.pk)


def _initial_demand_for(view, pk) -> InitialDemand:
    """The org's initial demand, or 404 (another org's answers exactly like a missing one)."""
    try:
        initial = initial_selectors.initial_demand_get(pk=pk, viewer=view.request.user)
    except InitialDemand.DoesNotExist:
        raise Http404 from None
    if initial.league_org_id not in view.org_ids:
        raise Http404
    return initial


def _student_display(record) -> dict:
    courses = dict(Course.choices)
    interests = dict(Interest.choices)
    return {
        "record": record,
        "courses": [
            (courses.get(item.get("course"), item.get("course")), item.get("score"))
            for item in record.courses or []
        ],
        "interests": [interests.get(code, code) for code in record.interests or []],
    }


# Which audit action dates which step of a demand's progress (demands.selectors.demand_progress).
DEMAND_STEP_ACTIONS = {"publish": "publish", "claim": "claim", "activity": "start_service"}
# The ends a demand may come to besides its steps, shown after them with their reason.
DEMAND_ENDS = (
    ("complete", DemandStatus.COMPLETED),
    ("close", DemandStatus.CLOSED),
    ("expire", DemandStatus.EXPIRED),
)


def _demand_timeline(demand: Demand, events: dict) -> list[dict]:
    """The demand's progress as a timeline: each step with the time it was reached, and its
    end (已完成 / 已关闭 / 已过期) with the reason given."""
    steps = []
    for step in selectors.demand_progress(demand):
        record = events.get(DEMAND_STEP_ACTIONS[step["step"]]) if step["done"] else None
        steps.append({**step, "at": record.at if record else None, "reason": ""})
    for action, status in DEMAND_ENDS:
        if demand.status == status:
            record = events.get(action)
            steps.append(
                {
                    "step": action,
                    "label": str(status.label),
                    "done": True,
                    "at": record.at if record else None,
                    "reason": record.reason if record else "",
                }
            )
    return steps


def _with_lapses(steps: list[dict], claims) -> list[dict]:
    """The timeline with each lapsed claim (认领失效: no activity in time, the demand open
    again) after the steps reached, before those still to come and the demand's end, oldest
    first."""
    lapses = [
        {
            "step": "lapse",
            "label": with_detail(ClaimStatus.LAPSED.label, claim.org.name),
            "done": True,
            "lapsed": True,
            "at": claim.lapsed_at,
            "reason": _("未在截止时间前发布活动，需求已重新开放认领"),
        }
        for claim in sorted(claims, key=lambda c: (c.lapsed_at or c.created_at, c.pk))
        if claim.status == ClaimStatus.LAPSED
    ]
    if not lapses:
        return steps
    ends = {action for action, _status in DEMAND_ENDS}
    cut = next(
        (i for i, step in enumerate(steps) if step["step"] in ends or not step["done"]),
        len(steps),
    )
    return steps[:cut] + lapses + steps[cut:]


# The initial demand's steps that its linked demands reach, and the action that reaches them.
INITIAL_STEP_ACTIONS = {"open": "publish", "claimed": "claim", "published": "start_service"}


def _initial_timeline(initial: InitialDemand, linked: list[Demand]) -> list[dict]:
    """initial_demand_progress with dates: submitted, decided (with its reason), and the first
    of its demands to be published, claimed and to have its activity published."""
    events = selectors.demand_events(linked) if linked else {}
    steps = []
    for step in initial_selectors.initial_demand_progress(initial):
        at, reason = None, ""
        if step["step"] == "pending":
            at = initial.created_at
        elif step["step"] in ("adopted", "declined") and step["done"]:
            at, reason = initial.decided_at, initial.decision_reason
        elif step["done"]:
            action = INITIAL_STEP_ACTIONS[step["step"]]
            times = [e[action].at for e in events.values() if action in e]
            at = min(times) if times else None
        steps.append({**step, "at": at, "reason": reason})
    return steps


class InitialDemandDetailView(LeagueReviewerRequired, TemplateView):
    """The request, its student (cloud teaching) and progress; 采用 / 不采用 while pending."""

    title = gettext_lazy("初始需求详情")

    template_name = "workspace/league/initial_demand_detail.html"

    def prepare(self, pk, **kwargs):
        self.initial = _initial_demand_for(self, pk)

    LABELS = {"adopt": gettext_lazy("采用说明"), "decline": gettext_lazy("不采用原因")}

    def reason_form(self, action, data=None):
        return ReasonForm(data, prefix=action, label=self.LABELS[action])

    def get_context_data(self, **kwargs):
        initial = self.initial
        context = super().get_context_data(**kwargs)
        adopt_form = kwargs.get("adopt_form") or self.reason_form("adopt")
        decline_form = kwargs.get("decline_form") or self.reason_form("decline")
        record = getattr(initial, "student", None)
        initial_selectors.student_record_read(initial, viewer=self.request.user, via="workspace")
        linked = list(
            selectors.demand_list(viewer=self.request.user, mine=True).filter(
                initial_demands=initial
            )
        )
        context.update(
            initial=initial,
            student=_student_display(record) if record is not None else None,
            progress=_initial_timeline(initial, linked),
            adopt_form=adopt_form,
            decline_form=decline_form,
            # The decision forms while pending, and a refused one whatever the state.
            show_decisions=can_proceed(initial.adopt) or adopt_form.errors or decline_form.errors,
            linked_demands=[(d, str(d), self.url("demand_detail", d.pk)) for d in linked],
            # 以此发布需求: the wizard, linked to this adopted request.
            publish_from_url=(
                f"{self.url('demand_add')}?initial={initial.pk}"
                if initial.status == InitialDemandStatus.ADOPTED
                else None
            ),
        )
        return context


class InitialDemandDecideView(InitialDemandDetailView):
    """POST 采用 or 不采用 (with an optional reason) through the service."""

    action = None  # "adopt" or "decline"
    http_method_names = ["post"]

    SERVICES = {
        "adopt": (services.initial_demand_adopt, gettext_lazy("已采用该初始需求")),
        "decline": (services.initial_demand_decline, gettext_lazy("已不采用该初始需求")),
    }

    def post(self, request, *args, **kwargs):
        form = self.reason_form(self.action, request.POST)
        if form.is_valid():
            service, done = self.SERVICES[self.action]
            try:
                service(
                    initial_demand=self.initial,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, done)
                return HttpResponseRedirect(self.url("initial_detail", self.initial.pk))
        return self.render_to_response(self.get_context_data(**{f"{self.action}_form": form}))


# -- 我的发布 -----------------------------------------------------------------------------------


class DemandListView(LeagueReviewerRequired, ListModelView):
    model = Demand
    title = gettext_lazy("我的发布")
    columns = (
        "display_title",
        "zone",
        "status",
        "league_org",
        "volunteers_needed",
        "published",
        "created",
    )
    object_link_columns = ("display_title",)
    filterset_class = DemandFilter
    paginate_by = 20
    template_name = "workspace/league/demand_list.html"

    @property
    def queryset(self):
        # Drafts have no publication time: newest written first, whatever the state.
        return selectors.demand_list(viewer=self.request.user, mine=True).order_by(
            "-created_at", "-pk"
        )

    def display_title(self, obj):
        return str(obj)

    display_title.short_description = gettext_lazy("需求标题")

    def published(self, obj):
        return league_datetime(obj.published_at)

    published.short_description = gettext_lazy("发布时间")

    def created(self, obj):
        return league_datetime(obj.created_at)

    created.short_description = gettext_lazy("创建时间")

    def get_object_url(self, obj):
        return self.url("demand_detail", obj.pk)


def _demand_for(view, pk) -> Demand:
    """One of the org's own demands (drafts too), or 404."""
    try:
        demand = selectors.demand_get(pk=pk, viewer=view.request.user)
    except Demand.DoesNotExist:
        raise Http404 from None
    if not selectors.is_demand_owner(demand, view.request.user):
        raise Http404
    return demand


def _claim_process_url(claim, user) -> str | None:
    """The claim's process in the claim process app, when the user may open it."""
    if claim.process_id is None or not claim_process_visible(user=user, process=claim.process):
        return None
    try:
        return reverse("claim:process_detail", kwargs={"process_pk": claim.process_id})
    except NoReverseMatch:  # the claim app is not mounted
        return None


class DemandDetailView(LeagueReviewerRequired, TemplateView):
    """Both steps' fields, the progress, linked initial demands and the claims."""

    title = gettext_lazy("需求详情")

    template_name = "workspace/league/demand_detail.html"

    def prepare(self, pk, **kwargs):
        self.demand = _demand_for(self, pk)

    def get_context_data(self, **kwargs):
        demand, user = self.demand, self.request.user
        claims = list(claim_list(viewer=user).filter(demand=demand).order_by("-created_at", "-pk"))
        initial = initial_selectors.initial_demand_list(viewer=user).filter(demands=demand)
        guarantee_labels = dict(Guarantee.choices)
        events = selectors.demand_events([demand])[demand.pk]
        close = events.get("close") if demand.status == DemandStatus.CLOSED else None
        return super().get_context_data(
            demand=demand,
            demand_label=str(demand),
            progress=_with_lapses(_demand_timeline(demand, events), claims),
            close_record=close,
            guarantees=[guarantee_labels.get(g, g) for g in demand.guarantees or []],
            claims=[(claim, _claim_process_url(claim, user)) for claim in claims],
            initial_demands=[(i, self.url("initial_detail", i.pk)) for i in initial],
            is_draft=demand.status == DemandStatus.DRAFT,
            closable=can_proceed(demand.close),
            **kwargs,
        )


class DemandFormView(LeagueReviewerRequired, FormView):
    """A step of the 发布需求 wizard: the button pressed (`action`) says what happens next."""

    title = gettext_lazy("发布需求")

    demand = None
    drafts_only = True  # only a draft's content is edited (the service refuses the rest)
    wizard_step = True  # a step of the wizard (DemandStepForm), not 关闭需求

    def prepare(self, pk=None, **kwargs):
        if pk is not None:
            self.demand = _demand_for(self, pk)

    def get(self, request, *args, **kwargs):
        if self.drafts_only and self.demand and self.demand.status != DemandStatus.DRAFT:
            messages.info(request, _("只有草稿可以修改"))
            return HttpResponseRedirect(self.url("demand_detail", self.demand.pk))
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.wizard_step:
            # 下一步 / 发布 check what publishing needs of this step; 保存草稿 does not.
            kwargs["advance"] = self.request.method == "POST" and self.request.POST.get(
                "action"
            ) in ("next", "publish")
        return kwargs

    def get_context_data(self, **kwargs):
        label = str(self.demand) if self.demand else None
        return super().get_context_data(demand=self.demand, demand_label=label, **kwargs)

    def form_valid(self, form):
        action = self.request.POST.get("action", "draft")
        try:
            demand = self.save(form, action)
        except DomainError as exc:
            add_domain_errors(form, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(self.next_url(demand, action))


class DemandContentView(DemandFormView):
    """Step 1, 填写需求内容: 保存草稿 or 下一步; both save the draft through the service."""

    form_class = DemandContentForm
    template_name = "workspace/league/demand_content.html"

    def get_form_kwargs(self):
        user = self.request.user
        org_ids = [self.demand.league_org_id] if self.demand else self.org_ids
        orgs = LeagueOrg.objects.filter(pk__in=org_ids).order_by("code")
        linkable = initial_selectors.initial_demand_list(viewer=user).filter(
            league_org_id__in=org_ids, status=InitialDemandStatus.ADOPTED
        )
        return {
            **super().get_form_kwargs(),
            "league_orgs": orgs,
            "initial_demands": linkable,
            "demand": self.demand,
        }

    def get_initial(self):
        """以此发布需求 (?initial=<id>): a new demand starts linked to that adopted request, by
        its org, in the cloud-teaching zone for a cloud-teaching request."""
        initial = super().get_initial()
        pk = self.request.GET.get("initial", "")
        if self.demand is None and pk.isdigit():
            source = (
                initial_selectors.initial_demand_list(viewer=self.request.user)
                .filter(pk=pk, league_org_id__in=self.org_ids, status=InitialDemandStatus.ADOPTED)
                .first()
            )
            if source is not None:
                initial |= {"initial_demands": [source.pk], "league_org": source.league_org_id}
                if source.kind == InitialDemandKind.CLOUD_TEACHING:
                    initial["zone"] = Zone.CLOUD_TEACHING
        return initial

    def save(self, form, action):
        data = form.data_for_service()
        if self.demand is None:
            demand = services.demand_create(
                actor=self.request.user,
                league_org=form.cleaned_data["league_org"],
                data=data,
                verify_mobile=True,
            )
        else:
            demand = services.demand_update(
                demand=self.demand, actor=self.request.user, data=data, verify_mobile=True
            )
        if action != "next":
            messages.success(self.request, _("草稿已保存"))
        return demand

    def next_url(self, demand, action):
        name = "demand_contact" if action == "next" else "demand_detail"
        return self.url(name, demand.pk)


class DemandContactView(DemandFormView):
    """Step 2, 确认组织信息: 保存草稿 or 发布; a new mobile needs the SMS code."""

    form_class = DemandContactForm
    template_name = "workspace/league/demand_contact.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "demand": self.demand}

    def save(self, form, action):
        demand = services.demand_update(
            demand=self.demand,
            actor=self.request.user,
            data=form.data_for_service(),
            sms_code=form.cleaned_data["sms_code"] or None,
            verify_mobile=True,
        )
        if action == "publish":
            # The contact is saved as a draft even when publishing is refused below.
            demand = services.demand_publish(demand=demand, actor=self.request.user)
            messages.success(self.request, _("需求已发布，等待志愿服务组织认领"))
        else:
            messages.success(self.request, _("草稿已保存"))
        return demand

    def next_url(self, demand, action):
        return self.url("demand_detail", demand.pk)


class DemandSendCodeView(DemandContactView):
    """发送验证码: POSTed by the step-2 form, so what was typed is shown again afterwards."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        form.full_clean()
        code_sent = False
        try:
            sms_code_issue(
                phone=request.POST.get("contact_mobile", "").strip(),
                purpose=SmsPurpose.DEMAND_CONTACT,
            )
        except DomainError as exc:
            add_domain_errors(form, exc, aliases={"phone": "contact_mobile"})
        else:
            code_sent = True
            messages.success(request, _("验证码已发送"))
        return self.render_to_response(self.get_context_data(form=form, code_sent=code_sent))


class DemandCloseView(DemandFormView):
    """关闭需求 (a draft or an open one), with an optional reason."""

    title = gettext_lazy("关闭需求")

    form_class = ReasonForm
    template_name = "workspace/league/demand_close.html"
    drafts_only = False
    wizard_step = False

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "label": gettext_lazy("关闭原因")}

    def save(self, form, action):
        demand = services.demand_close(
            demand=self.demand, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, _("需求已关闭"))
        return demand

    def next_url(self, demand, action):
        return self.url("demand_detail", demand.pk)


# -- 评分 ------------------------------------------------------------------------------------------


class RatingsView(LeagueReviewerRequired, TemplateView):
    """待评分: the claims whose activity is published and that this league org has yet to rate
    (the rows behind the 待评分 count, workflows.todo.claims_to_rate), a form for each, and the
    ratings given so far."""

    template_name = "workspace/league/ratings.html"
    title = gettext_lazy("评分")

    def get_context_data(self, **kwargs):
        user = self.request.user
        failed = kwargs.pop("failed", None)  # (claim id, form) of a refused rating
        owed = (
            claims_to_rate(user=user)
            .select_related("demand__league_org", "org", "activity")
            .order_by("updated_at", "pk")
        )
        rows = []
        for claim in owed:
            form = failed[1] if failed and failed[0] == claim.pk else RatingForm(prefix=claim.pk)
            rows.append((claim, form, self.url("rating_submit", claim.pk)))
        if failed and failed[0] not in {c.pk for c, _f, _u in rows}:
            messages.error(self.request, " ".join(failed[1].non_field_errors()))
        return super().get_context_data(
            rows=rows,
            given=rating_list_given(league_org_ids=self.org_ids)[:50],
            **kwargs,
        )


class RatingSubmitView(RatingsView):
    """POST one claim's rating through scoring.services.rating_submit (as the API does)."""

    http_method_names = ["post"]

    def post(self, request, pk, **kwargs):
        try:
            claim = claim_list(viewer=request.user).get(
                pk=pk, demand__league_org_id__in=self.org_ids
            )
        except (Claim.DoesNotExist, ValueError):
            raise Http404 from None
        form = RatingForm(request.POST, prefix=claim.pk)
        if form.is_valid():
            try:
                scoring_services.rating_submit(
                    claim=claim,
                    actor=request.user,
                    stars=form.cleaned_data["stars"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("已为「%(org)s」评分") % {"org": claim.org})
                return HttpResponseRedirect(self.url("ratings") + "#given")
        return self.render_to_response(self.get_context_data(failed=(claim.pk, form)))


# -- 我的积分 -----------------------------------------------------------------------------------


class PointsView(LeagueReviewerRequired, ListModelView):
    model = PointsEntry
    title = gettext_lazy("我的积分")
    columns = ("entry_time", "league_org", "points", "reason_text", "claim")
    object_link_columns = ()
    paginate_by = 20
    template_name = "workspace/league/points.html"

    @property
    def queryset(self):
        return PointsEntry.objects.filter(league_org_id__in=self.org_ids).select_related(
            "league_org", "claim__org", "claim__demand", "rating"
        )

    def reason_text(self, obj):
        return obj.reason_text

    reason_text.short_description = gettext_lazy("说明")

    def entry_time(self, obj):
        return league_datetime(obj.created_at)

    entry_time.short_description = gettext_lazy("时间")

    def balances(self):
        orgs = LeagueOrg.objects.filter(pk__in=self.org_ids).order_by("code")
        return [(org, points_balance(org=org)) for org in orgs]


# -- the Application ------------------------------------------------------------------------------


class IndexView(LeagueReviewerRequired, RedirectView):
    def get_redirect_url(self, *args, **kwargs):
        return self.url("initial_list")


class LeagueWorkspace(Application):
    """团组织工作台: 初始需求, 我的发布 (with the two-step 发布需求), 评分, 我的积分."""

    app_name = "league"
    title = gettext_lazy("团组织工作台")
    icon = Icon("groups")
    menu_template_name = "workspace/league/menu.html"
    # The workspace's page chrome, with the to-do counts in the top bar.
    base_template_name = "workspace/base_page.html"

    MENU = (
        ("initial_list", gettext_lazy("初始需求"), "inbox"),
        ("demand_list", gettext_lazy("我的发布"), "campaign"),
        ("demand_add", gettext_lazy("发布需求"), "add_circle"),
        ("ratings", gettext_lazy("评分"), "star_rate"),
        ("points", gettext_lazy("我的积分"), "stars"),
    )

    @property
    def menu_links(self):
        return [(self.reverse(name), label, icon) for name, label, icon in self.MENU]

    def has_view_permission(self, user, obj=None):
        # The menu shows the app to league accounts only; an anonymous request gets through
        # to the view, which sends it to log in.
        return not user.is_authenticated or is_league_reviewer(user)

    def page_view(self, view_class, **kwargs):
        return view_class.as_view(viewset=self, **kwargs)

    @property
    def index_path(self):
        return path("", self.page_view(IndexView), name="index")

    @property
    def initial_list_path(self):
        return path("initial/", self.page_view(InitialDemandListView), name="initial_list")

    @property
    def initial_detail_path(self):
        return path(
            "initial/<int:pk>/", self.page_view(InitialDemandDetailView), name="initial_detail"
        )

    @property
    def initial_adopt_path(self):
        return path(
            "initial/<int:pk>/adopt/",
            self.page_view(InitialDemandDecideView, action="adopt"),
            name="initial_adopt",
        )

    @property
    def initial_decline_path(self):
        return path(
            "initial/<int:pk>/decline/",
            self.page_view(InitialDemandDecideView, action="decline"),
            name="initial_decline",
        )

    @property
    def demand_list_path(self):
        return path("demands/", self.page_view(DemandListView), name="demand_list")

    @property
    def demand_add_path(self):
        return path("demands/add/", self.page_view(DemandContentView), name="demand_add")

    @property
    def demand_detail_path(self):
        return path("demands/<int:pk>/", self.page_view(DemandDetailView), name="demand_detail")

    @property
    def demand_edit_path(self):
        return path("demands/<int:pk>/edit/", self.page_view(DemandContentView), name="demand_edit")

    @property
    def demand_contact_path(self):
        return path(
            "demands/<int:pk>/contact/", self.page_view(DemandContactView), name="demand_contact"
        )

    @property
    def demand_send_code_path(self):
        return path(
            "demands/<int:pk>/contact/send-code/",
            self.page_view(DemandSendCodeView),
            name="demand_send_code",
        )

    @property
    def demand_close_path(self):
        return path("demands/<int:pk>/close/", self.page_view(DemandCloseView), name="demand_close")

    @property
    def ratings_path(self):
        return path("ratings/", self.page_view(RatingsView), name="ratings")

    @property
    def rating_submit_path(self):
        return path("ratings/<int:pk>/", self.page_view(RatingSubmitView), name="rating_submit")

    @property
    def points_path(self):
        return path("points/", self.page_view(PointsView), name="points")
