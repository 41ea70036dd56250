"""Initial demands (with cloud-teaching student records), demands, favorites, likes, reports."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from orgs.choices import ServiceArea
from orgs.models import MOBILE_RE, City, LeagueOrg, mobile_validator
from orgs.validation import REASON_MAX, PlainTextModel

from .choices import (
    MAX_COURSES,
    MAX_INTERESTS,
    MAX_SCORE,
    ZONE_TITLE_PREFIXES,
    Course,
    Gender,
    Grade,
    Guarantee,
    InitialDemandKind,
    Interest,
    Zone,
)


def title_prefix_error(zone: str, title: str) -> str | None:
    """The message for a title that lacks its zone's prefix, or None."""
    prefixes = ZONE_TITLE_PREFIXES.get(zone, ())
    if prefixes and not title.startswith(prefixes):
        return _("标题须以%(prefixes)s开头，格式如“%(example)s招募志愿服务团队”") % {
            "prefixes": "或".join(prefixes),
            "example": prefixes[0],
        }
    return None


def code_list_error(values, allowed, *, max_items: int | None = None) -> str | None:
    if not isinstance(values, list) or any(not isinstance(v, str) for v in values):
        return _("须为代码列表")
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        return _("未知的代码：%(codes)s") % {"codes": ", ".join(unknown)}
    if len(set(values)) != len(values):
        return _("不能重复选择")
    if max_items is not None and len(values) > max_items:
        return _("最多选择%(n)d项") % {"n": max_items}
    return None


class InitialDemandStatus(models.TextChoices):
    PENDING = "pending", _("待采用")
    ADOPTED = "adopted", _("已采用")
    DECLINED = "declined", _("不采用")


class InitialDemand(ConcurrentTransitionMixin, PlainTextModel):
    """A help request (初始需求) an individual addresses to a league org."""

    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="initial_demands",
    )
    league_org = models.ForeignKey(
        LeagueOrg,
        verbose_name=_("所在需求组织"),
        on_delete=models.PROTECT,
        related_name="initial_demands",
    )
    kind = models.CharField(_("需求类别"), max_length=20, choices=InitialDemandKind.choices)
    title = models.CharField(_("需求标题"), max_length=50)
    description = models.CharField(_("需求描述"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人姓名"), max_length=50)
    contact_mobile = models.CharField(
        _("联系人手机号码"), max_length=11, validators=[mobile_validator]
    )
    status = FSMField(
        _("状态"),
        max_length=20,
        choices=InitialDemandStatus.choices,
        default=InitialDemandStatus.PENDING,
        protected=True,
    )
    decision_reason = models.CharField(_("处理说明"), max_length=REASON_MAX, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("初始需求")
        verbose_name_plural = _("初始需求")
        indexes = [models.Index(fields=["league_org", "status", "-created_at"])]

    def __str__(self):
        return self.title

    @transition(
        field=status, source=InitialDemandStatus.PENDING, target=InitialDemandStatus.ADOPTED
    )
    def adopt(self, reason: str = ""):
        self.decision_reason = reason
        self.decided_at = timezone.now()

    @transition(
        field=status, source=InitialDemandStatus.PENDING, target=InitialDemandStatus.DECLINED
    )
    def decline(self, reason: str = ""):
        self.decision_reason = reason
        self.decided_at = timezone.now()

    def validation_errors(self) -> dict[str, str]:
        errors = {}
        if self.kind == InitialDemandKind.CLOUD_TEACHING:
            message = title_prefix_error(Zone.CLOUD_TEACHING, self.title)
            if message:
                errors["title"] = message
        if not MOBILE_RE.match(self.contact_mobile or ""):
            errors["contact_mobile"] = _("请输入11位手机号码")
        return errors


class StudentRecord(PlainTextModel):
    """The student of a cloud-teaching initial demand: a minor's data, shown to few."""

    initial_demand = models.OneToOneField(
        InitialDemand, on_delete=models.CASCADE, related_name="student"
    )
    name = models.CharField(_("学生姓名"), max_length=50)
    gender = models.CharField(_("学生性别"), max_length=10, choices=Gender.choices)
    grade = models.CharField(_("当前所在年级"), max_length=20, choices=Grade.choices)
    school = models.CharField(_("所在学校"), max_length=50)
    city = models.ForeignKey(City, verbose_name=_("所在市"), on_delete=models.PROTECT)
    address = models.CharField(_("详细联系地址"), max_length=100)
    # [{"course": "math", "score": 76}, ...] — at most 3
    courses = models.JSONField(_("所需辅导课程"), default=list)
    # ["painting", "chess", ...] — at most 3
    interests = models.JSONField(_("其他课程"), default=list, blank=True)
    remarks = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("云支教学生信息")
        verbose_name_plural = _("云支教学生信息")

    def __str__(self):
        return self.name

    def validation_errors(self) -> dict[str, str]:
        errors = {}
        courses = self.courses
        if not isinstance(courses, list) or not courses:
            errors["courses"] = _("请至少选择一项辅导课程")
        elif len(courses) > MAX_COURSES:
            errors["courses"] = _("最多选择%(n)d项") % {"n": MAX_COURSES}
        else:
            seen = set()
            for item in courses:
                if not isinstance(item, dict) or item.get("course") not in Course.values:
                    errors["courses"] = _("未知的课程")
                    break
                score = item.get("score")
                if isinstance(score, bool) or not isinstance(score, int | float):
                    errors["courses"] = _("请为每门课程输入上学期分数")
                    break
                if not 0 <= score <= MAX_SCORE:
                    errors["courses"] = _("分数须在0到%(max)d之间") % {"max": MAX_SCORE}
                    break
                if item["course"] in seen:
                    errors["courses"] = _("不能重复选择")
                    break
                seen.add(item["course"])
        message = code_list_error(self.interests, Interest.values, max_items=MAX_INTERESTS)
        if message:
            errors["interests"] = message
        return errors


class DemandStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    IN_SERVICE = "in_service", _("已发布活动")
    COMPLETED = "completed", _("已完成")
    CLOSED = "closed", _("已关闭")
    EXPIRED = "expired", _("已过期")


# What the public lists show: every published demand, whatever became of it (not drafts).
PUBLIC_STATES = [s for s in DemandStatus.values if s != DemandStatus.DRAFT]


# Fields a demand needs before it can be published (step 1 content, step 2 contact).
DEMAND_REQUIRED_FIELDS = (
    "title",
    "type",
    "volunteers_needed",
    "content",
    "start_date",
    "end_date",
    "city",
    "contact_name",
    "contact_landline",
    "contact_mobile",
)


PUBLIC = models.Q(status__in=PUBLIC_STATES)

# The most volunteers one demand may ask for (docs/workspace.md): the seeds' largest
# count is 9999; a larger number is a typo, not a plan. Read by the form and the API (the
# model field's validator), so both refuse the same and the schema shows the maximum.
MAX_VOLUNTEERS_NEEDED = 10_000


def period_errors(
    start: datetime.date | None, end: datetime.date | None, *, today: datetime.date | None = None
) -> dict[str, str]:
    """The rule of a demand's period, by field: it starts today or later (Asia/Shanghai) and
    ends no earlier than it starts. Checked whenever a period is written and at publish."""
    today = today or timezone.localdate()
    errors = {}
    if start is not None and start < today:
        errors["start_date"] = _("开始日期不能早于今天")
    if end is not None and end < today:
        errors["end_date"] = _("需求周期已结束")
    elif start is not None and end is not None and end < start:
        errors["end_date"] = _("结束日期不能早于开始日期")
    return errors


class Demand(ConcurrentTransitionMixin, PlainTextModel):
    """A formal demand (正式需求) a league org publishes for volunteer orgs to claim."""

    league_org = models.ForeignKey(
        LeagueOrg, verbose_name=_("团组织"), on_delete=models.PROTECT, related_name="demands"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    zone = models.CharField(_("专区"), max_length=20, choices=Zone.choices)
    # Step 1: content
    title = models.CharField(_("需求标题"), max_length=50, blank=True)
    initial_demands = models.ManyToManyField(
        InitialDemand, verbose_name=_("关联的求助需求"), blank=True, related_name="demands"
    )
    type = models.CharField(_("需求类型"), max_length=30, choices=ServiceArea.choices, blank=True)
    type_other = models.CharField(_("其他类型说明"), max_length=20, blank=True)
    volunteers_needed = models.PositiveIntegerField(
        _("志愿者需求人数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VOLUNTEERS_NEEDED)],
    )
    content = models.CharField(_("需求内容"), max_length=200, blank=True)
    start_date = models.DateField(_("需求周期开始"), null=True, blank=True)
    end_date = models.DateField(_("需求周期结束"), null=True, blank=True)
    guarantees = models.JSONField(_("能为志愿者提供的保障"), default=list, blank=True)
    # Step 2: the org's contact details
    city = models.ForeignKey(
        City, verbose_name=_("所在市"), null=True, blank=True, on_delete=models.PROTECT
    )
    district = models.CharField(_("区县"), max_length=50, blank=True)
    contact_name = models.CharField(_("负责人姓名"), max_length=50, blank=True)
    contact_landline = models.CharField(_("固定电话"), max_length=20, blank=True)
    # Shown only to the owner, and to the approved claimer once a claim is approved.
    contact_mobile = models.CharField(
        _("负责人手机号码"), max_length=11, blank=True, validators=[mobile_validator]
    )
    service_content = models.CharField(_("可提供的志愿服务内容"), max_length=200, blank=True)

    status = FSMField(
        _("状态"),
        max_length=20,
        choices=DemandStatus.choices,
        default=DemandStatus.DRAFT,
        protected=True,
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        # One per filter and ordering of the lists (docs/performance.md). The public list shows
        # the published states only, so its indexes hold those rows only, in the list's order
        # (every ordering ends with the id); a descending ordering reads them backwards.
        indexes = [
            models.Index(
                fields=["-published_at", "-id"], condition=PUBLIC, name="demand_public_newest"
            ),
            models.Index(
                fields=["zone", "-published_at", "-id"], condition=PUBLIC, name="demand_public_zone"
            ),
            models.Index(
                fields=["city", "-published_at", "-id"], condition=PUBLIC, name="demand_public_city"
            ),
            models.Index(
                fields=["type", "-published_at", "-id"], condition=PUBLIC, name="demand_public_type"
            ),
            models.Index(fields=["end_date", "id"], condition=PUBLIC, name="demand_public_end"),
            models.Index(
                fields=["created_at", "id"], condition=PUBLIC, name="demand_public_created"
            ),
            models.Index(
                fields=["volunteers_needed", "id"], condition=PUBLIC, name="demand_public_needed"
            ),
            # ?status= (and 推荐, open demands); 我的发布 (mine=true, drafts too)
            models.Index(fields=["status", "-published_at", "-id"], name="demand_status_newest"),
            models.Index(
                fields=["league_org", "-published_at", "-id"], name="demand_league_newest"
            ),
            # expire_demands: open demands whose period has ended
            models.Index(fields=["status", "end_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="demand_period_ordered",
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
            ),
        ]

    def __str__(self):
        return self.title or str(_("（未命名草稿）"))

    # -- rules -------------------------------------------------------------------------

    def validation_errors(self, *, for_publish: bool = False) -> dict[str, str]:
        """Every broken field rule, by field name; `for_publish` also requires step 1 and 2."""
        errors: dict[str, str] = {}
        if self.title:
            message = title_prefix_error(self.zone, self.title)
            if message:
                errors["title"] = message
        if self.type == ServiceArea.OTHER and not self.type_other.strip():
            errors["type_other"] = _("需求类型为“其他”时须填写说明（20字以内）")
        if self.volunteers_needed is not None and self.volunteers_needed < 1:
            errors["volunteers_needed"] = _("志愿者需求人数至少为1")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("结束日期不能早于开始日期")
        message = code_list_error(self.guarantees, Guarantee.values)
        if message:
            errors["guarantees"] = message
        if self.contact_mobile and not MOBILE_RE.match(self.contact_mobile):
            errors["contact_mobile"] = _("请输入11位手机号码")
        if for_publish:
            for field, message in period_errors(self.start_date, self.end_date).items():
                errors.setdefault(field, message)
            for field in DEMAND_REQUIRED_FIELDS:
                value = getattr(self, field + "_id" if field == "city" else field)
                if value in (None, "") and field not in errors:
                    errors[field] = _("发布前须填写此项")
        return errors

    def is_publishable(self) -> bool:
        """Complete, its rules kept, and its period not over (publish's condition)."""
        return not self.validation_errors(for_publish=True)

    def period_ended(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.end_date is not None and self.end_date < today

    # -- transitions (guards and in-memory changes only) -------------------------------

    @transition(
        field=status,
        source=DemandStatus.DRAFT,
        target=DemandStatus.OPEN,
        conditions=[is_publishable],
    )
    def publish(self):
        self.published_at = timezone.now()

    @transition(
        field=status, source=[DemandStatus.DRAFT, DemandStatus.OPEN], target=DemandStatus.CLOSED
    )
    def close(self):
        pass

    @transition(field=status, source=DemandStatus.OPEN, target=DemandStatus.CLAIMED)
    def claim(self):
        """An approved claim takes the demand."""

    @transition(field=status, source=DemandStatus.CLAIMED, target=DemandStatus.OPEN)
    def reopen(self):
        """The approved claim was withdrawn before its activity."""

    @transition(field=status, source=DemandStatus.CLAIMED, target=DemandStatus.IN_SERVICE)
    def start_service(self):
        """The approved claimer published the activity."""

    @transition(field=status, source=DemandStatus.IN_SERVICE, target=DemandStatus.COMPLETED)
    def complete(self):
        """Both sides rated each other."""

    @transition(
        field=status,
        source=DemandStatus.OPEN,
        target=DemandStatus.EXPIRED,
        conditions=[period_ended],
    )
    def expire(self):
        """The period ended while nobody's claim was approved."""


class DemandMark(models.Model):
    """A user's mark on a demand, at most one of each kind per user and demand."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="%(class)ss")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["user", "demand"], name="unique_%(class)s")]

    def __str__(self):
        return f"{self.user} · {self.demand}"


class Favorite(DemandMark):
    """收藏."""

    class Meta(DemandMark.Meta):
        verbose_name = _("收藏")
        verbose_name_plural = _("收藏")
        # 我的收藏: a user's favorites, newest first
        indexes = [models.Index(fields=["user", "-created_at"], name="favorite_user_newest")]


class Like(DemandMark):
    """点赞."""

    class Meta(DemandMark.Meta):
        verbose_name = _("点赞")
        verbose_name_plural = _("点赞")


class Report(PlainTextModel):
    """A user's report (举报) of a demand, for administrators to look at."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports"
    )
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("举报原因"), max_length=REASON_MAX)
    created_at = models.DateTimeField(_("举报时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("举报")
        verbose_name_plural = _("举报")

    def __str__(self):
        return f"{self.demand}: {self.reason}"


class StudentRecordAccess(models.Model):
    """Who read which minor's record, when, and through what (API or operator UI)."""

    record = models.ForeignKey(StudentRecord, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("查看人"),
    )
    at = models.DateTimeField(_("查看时间"), auto_now_add=True, db_index=True)
    via = models.CharField(_("途径"), max_length=20)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("学生信息查看记录")
        verbose_name_plural = _("学生信息查看记录")

    def __str__(self):
        return f"{self.user} · {self.record} · {self.at:%Y-%m-%d %H:%M}"


class StatsSnapshot(models.Model):
    """One zone's home-page figures as of the end of one day (demands.stats), kept for good.

    Taken once, after the day is over, by the periodic task or the first reader of the day;
    every web process then serves the same figures, whichever computed them.
    """

    date = models.DateField(_("截止日期"))  # the figures run to the end of this day, Asia/Shanghai
    zone = models.CharField(_("专区"), max_length=20, choices=Zone.choices)
    demand_count = models.PositiveIntegerField(_("已发布需求数"))
    claim_count = models.PositiveIntegerField(_("认领成功数"))
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        ordering = ["-date", "zone"]
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        constraints = [
            models.UniqueConstraint(fields=["date", "zone"], name="stats_snapshot_one_per_day_zone")
        ]

    def __str__(self):
        return f"{self.date} {self.zone}: {self.demand_count}/{self.claim_count}"
