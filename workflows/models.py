"""Claims, their volunteer activities, and the Viewflow process model of a claim."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition
from viewflow.workflow.models import Process

from demands.models import Demand
from orgs.models import VolunteerOrg
from orgs.validation import REASON_MAX, PlainTextModel

from . import deadlines


class ClaimProcess(Process):
    """A claim's process instance (认领流程); the claim links to it."""

    class Meta:
        proxy = True
        verbose_name = _("认领流程")
        verbose_name_plural = _("认领流程")


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    APPROVED = "approved", _("认领成功")
    REJECTED = "rejected", _("认领失败")
    WITHDRAWN = "withdrawn", _("撤销认领")
    ACTIVITY_PUBLISHED = "activity_published", _("待评分")
    COMPLETED = "completed", _("已完成")
    # The approved claimer published no activity by `activity_due_at` (workflows/deadlines.py).
    LAPSED = "lapsed", _("认领失效")


# An org may hold one active claim per demand.
ACTIVE_CLAIM_STATES = [ClaimStatus.PENDING, ClaimStatus.APPROVED, ClaimStatus.ACTIVITY_PUBLISHED]
# A demand is held by at most one claim in these states.
HOLDING_CLAIM_STATES = [
    ClaimStatus.APPROVED,
    ClaimStatus.ACTIVITY_PUBLISHED,
    ClaimStatus.COMPLETED,
]


class Claim(ConcurrentTransitionMixin, PlainTextModel):
    """A volunteer org's claim (认领) of a demand; one Viewflow process each."""

    demand = models.ForeignKey(
        Demand, verbose_name=_("需求"), on_delete=models.PROTECT, related_name="claims"
    )
    org = models.ForeignKey(
        VolunteerOrg, verbose_name=_("认领组织"), on_delete=models.PROTECT, related_name="claims"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = FSMField(
        _("状态"),
        max_length=20,
        choices=ClaimStatus.choices,
        default=ClaimStatus.PENDING,
        protected=True,
    )
    # Why it was returned (退回) or withdrawn; for a competing claim, the system's reason.
    reason = models.CharField(_("原因"), max_length=REASON_MAX, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # Set by `cancel` only: an administrator stopped the process (its reason is `reason`).
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取消人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    # Deadlines (docs/deadlines.md). The review is due at `review_due_at` (set when the claim is
    # made: REVIEW_DUE_DAYS calendar days later, Asia/Shanghai); a reviewer may set a follow-up
    # time that keeps it out of the default queue until then. `escalation_level` counts the
    # league orgs above the demand's own that may decide it too (ReviewEscalation, one row per
    # level). Once approved, the activity is due at `activity_due_at` (CLAIM_ACTIVITY_DAYS, never
    # after the demand's period); the claimer is warned before it (`lapse_warned_at`), and the
    # claim lapses after it (`lapsed_at`, state 认领失效).
    review_due_at = models.DateTimeField(_("审核截止时间"), null=True, blank=True)
    review_follow_up_at = models.DateTimeField(_("跟进时间"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("上报层级"), default=0)
    activity_due_at = models.DateTimeField(_("发布活动截止时间"), null=True, blank=True)
    lapse_warned_at = models.DateTimeField(_("失效提醒时间"), null=True, blank=True)
    lapsed_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    process = models.OneToOneField(
        ClaimProcess,
        verbose_name=_("流程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claim",
    )
    created_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        indexes = [
            # 我的申请 (an org's claims) and the administrators' list, newest first
            models.Index(fields=["org", "-created_at", "-id"], name="claim_org_newest"),
            models.Index(fields=["-created_at", "-id"], name="claim_newest"),
            # a demand's pending claims (closing competitors, to-do counts)
            models.Index(fields=["demand", "status"]),
            # 认领信息: the claims that hold their demand, latest decision first
            models.Index(
                fields=["-decided_at", "-id"],
                condition=models.Q(status__in=HOLDING_CLAIM_STATES),
                name="claim_holding_decided",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "org"],
                condition=models.Q(status__in=ACTIVE_CLAIM_STATES),
                name="one_active_claim_per_org_and_demand",
            ),
            models.UniqueConstraint(
                fields=["demand"],
                condition=models.Q(status__in=HOLDING_CLAIM_STATES),
                name="one_holding_claim_per_demand",
            ),
        ]

    def __str__(self):
        return f"{self.org} → {self.demand}"

    @transition(field=status, source=ClaimStatus.PENDING, target=ClaimStatus.APPROVED)
    def approve(self, *, by, demand_end: datetime.date | None = None):
        """`demand_end`: the end of the demand's period, which the activity is due by at the
        latest (deadlines.activity_due)."""
        self.decided_by = by
        self.decided_at = timezone.now()
        self.activity_due_at = deadlines.activity_due(self.decided_at, demand_end)

    @transition(field=status, source=ClaimStatus.PENDING, target=ClaimStatus.REJECTED)
    def reject(self, *, by, reason: str):
        self.decided_by = by
        self.decided_at = timezone.now()
        self.reason = reason

    @transition(
        field=status,
        source=[ClaimStatus.PENDING, ClaimStatus.APPROVED],
        target=ClaimStatus.WITHDRAWN,
    )
    def withdraw(self, *, reason: str = ""):
        self.reason = reason

    @transition(
        field=status,
        source=[ClaimStatus.PENDING, ClaimStatus.APPROVED],
        # DESIGN's states stay as they are: a cancelled claim did not succeed (pending →
        # rejected 认领失败) or no longer holds its demand (approved → withdrawn 撤销认领);
        # `cancelled_at` tells the cancellation apart from a return or a withdrawal.
        target=GET_STATE(
            lambda claim, **kwargs: (
                ClaimStatus.REJECTED
                if claim.status == ClaimStatus.PENDING
                else ClaimStatus.WITHDRAWN
            ),
            states=[ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN],
        ),
    )
    def cancel(self, *, by, reason: str):
        """取消流程: a provincial administrator stops the claim's process, with a reason."""
        self.cancelled_by = by
        self.cancelled_at = timezone.now()
        self.reason = reason

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def running_due_at(self):
        """The deadline that runs now: the review's while pending, the activity's while
        approved, none after (workspace.deadlines.monitor_due_expression says it in SQL)."""
        if self.status == ClaimStatus.PENDING:
            return self.review_due_at
        if self.status == ClaimStatus.APPROVED:
            return self.activity_due_at
        return None

    @transition(field=status, source=ClaimStatus.APPROVED, target=ClaimStatus.ACTIVITY_PUBLISHED)
    def publish_activity(self):
        pass

    @transition(field=status, source=ClaimStatus.ACTIVITY_PUBLISHED, target=ClaimStatus.COMPLETED)
    def complete(self):
        pass

    @transition(field=status, source=ClaimStatus.APPROVED, target=ClaimStatus.LAPSED)
    def lapse(self):
        """认领失效: the approved claimer published no activity by `activity_due_at`."""
        self.lapsed_at = timezone.now()


class AttendanceMethod(models.TextChoices):
    QR_CODE = "qr_code", _("扫码签到签退")
    VOLUNTEER_CARD = "volunteer_card", _("志愿者证签到签退")
    QR_OR_CARD = "qr_or_card", _("扫码或者志愿者证签到签退")


class ActivityType(models.TextChoices):
    VOLUNTEER_SERVICE = "volunteer_service", _("志愿服务活动（计入服务时长）")
    OTHER = "other", _("其他活动（不计入服务时长）")


class ActivityCategory(models.TextChoices):
    CIVILIZATION_PRACTICE = "civilization_practice", _("文明实践")
    COMMUNITY_SERVICE = "community_service", _("社区服务")
    EDUCATION = "education", _("助学支教")
    CULTURE_SPORTS = "culture_sports", _("文化体育")
    ELDERLY_DISABLED = "elderly_disabled", _("扶老助残")
    ENVIRONMENT = "environment", _("生态环保")
    MEDICAL = "medical", _("医疗卫生")
    LEGAL = "legal", _("法律服务")
    EMERGENCY = "emergency", _("应急救援")
    OTHER = "other", _("其他")


class SignupScope(models.TextChoices):
    ALL = "all", _("所有志愿者可报名")
    ORG_MEMBERS = "org_members", _("仅本组织志愿者可报名")


class Suitability(models.TextChoices):
    FAMILY = "family", _("适合亲子体验")
    STUDENTS = "students", _("适合中小学生参加")
    SENIORS = "seniors", _("适合老年人参加")
    DISABLED = "disabled", _("适合残障人士参加")


class Activity(PlainTextModel):
    """The volunteer activity (志愿服务活动) the approved claimer publishes for the demand."""

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="activity")
    title = models.CharField(_("活动标题"), max_length=50)
    attendance_method = models.CharField(
        _("考勤方式"), max_length=20, choices=AttendanceMethod.choices
    )
    activity_type = models.CharField(
        _("活动类型"),
        max_length=20,
        choices=ActivityType.choices,
        default=ActivityType.VOLUNTEER_SERVICE,
    )
    category = models.CharField(_("活动类别"), max_length=30, choices=ActivityCategory.choices)
    recruit_count = models.PositiveIntegerField(_("招募人数"), validators=[MinValueValidator(1)])
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    recruit_start_at = models.DateTimeField(_("招募开始时间"))
    start_at = models.DateTimeField(_("活动开始时间"))
    end_at = models.DateTimeField(_("活动结束时间"))
    address = models.CharField(_("活动地址"), max_length=100)
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    checkin_radius_km = models.DecimalField(
        _("考勤地理范围（公里）"),
        max_digits=5,
        decimal_places=2,
        default=3,
        validators=[MinValueValidator(0)],
    )
    signup_scope = models.CharField(
        _("报名限制"), max_length=20, choices=SignupScope.choices, default=SignupScope.ALL
    )
    suitability = models.JSONField(_("适合人群"), default=list, blank=True)
    service_objects = models.JSONField(_("服务对象"), default=list, blank=True)
    guarantees = models.JSONField(_("活动保障"), default=list, blank=True)
    description = models.CharField(_("活动简介"), max_length=500)
    service_content = models.CharField(_("服务内容"), max_length=500, blank=True)
    cover = models.ImageField(_("活动图片"), upload_to="activities/", blank=True)
    certificate_consent = models.BooleanField(
        _("同意供志愿者生成打印《志愿服务记录证书》"), default=False
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        constraints = [
            models.CheckConstraint(
                name="activity_times_ordered",
                condition=models.Q(end_at__gt=models.F("start_at"))
                & models.Q(recruit_start_at__lte=models.F("start_at")),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def counts_service_hours(self) -> bool:
        return self.activity_type == ActivityType.VOLUNTEER_SERVICE


class ReviewEscalation(models.Model):
    """A claim's review reached one more league org up the tree (district → city → province).

    Level 1 is the demand's league org's parent, level 2 its grandparent, and so on. The
    reviewers of every org a claim's review reached may see and decide it, as its own org's
    reviewers still may. Written in the transaction that raises `Claim.escalation_level`.
    """

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("认领")
    )
    league_org = models.ForeignKey(
        "orgs.LeagueOrg", on_delete=models.PROTECT, related_name="+", verbose_name=_("团组织")
    )
    level = models.PositiveSmallIntegerField(_("上报层级"))
    escalated_at = models.DateTimeField(_("上报时间"), default=timezone.now)

    class Meta:
        ordering = ["claim", "level"]
        verbose_name = _("审核上报")
        verbose_name_plural = _("审核上报")
        constraints = [
            models.UniqueConstraint(fields=["claim", "level"], name="one_escalation_per_level"),
            models.UniqueConstraint(fields=["claim", "league_org"], name="one_escalation_per_org"),
        ]
        indexes = [models.Index(fields=["league_org", "claim"], name="escalation_org_claim")]

    def __str__(self):
        return f"{self.claim_id} → {self.league_org_id} (level {self.level})"


class ReviewReminder(models.Model):
    """An overdue-review SMS sent to one reviewer about one review task on one day.

    The row is written with the SMS queued after it commits; it keeps a task's reviewers from
    being reminded of it twice on one day (Asia/Shanghai), however often the reminder runs.
    """

    task = models.ForeignKey(
        "viewflow.Task", on_delete=models.CASCADE, related_name="+", verbose_name=_("审核任务")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("审核员"),
    )
    day = models.DateField(_("提醒日期"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审核超期提醒")
        verbose_name_plural = _("审核超期提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "user", "day"], name="review_reminder_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.day} task {self.task_id} → {self.user_id}"
