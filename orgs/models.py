"""Users, league orgs (a tree), volunteer orgs, memberships, cities and the audit trail."""

import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import LeagueLevel, Registration, Role, ServiceArea, ServiceObject
from .validation import REASON_MAX, PlainTextModel

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
mobile_validator = RegexValidator(MOBILE_RE, _("请输入11位手机号码"), code="invalid_mobile")


class User(PlainTextModel, AbstractUser):
    """An account; its organization and role come from its memberships."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = models.CharField(
        _("手机号码"), max_length=11, blank=True, validators=[mobile_validator]
    )
    # Imported 智慧团建 accounts start with the initial password and must change it first.
    must_change_password = models.BooleanField(_("须修改初始密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    def get_full_name(self):
        """The name people know the account by: its display name (the operator UI's header
        shows it instead of the title-cased username), else Django's first and last name."""
        return self.display_name or super().get_full_name()

    @property
    def is_provincial_admin(self) -> bool:
        return self.is_superuser or any(
            m.role == Role.PROVINCIAL_ADMIN for m in self.cached_memberships
        )

    @property
    def cached_memberships(self) -> list["Membership"]:
        """Memberships with their orgs, read once per user object."""
        if not hasattr(self, "_memberships_cache"):
            self._memberships_cache = (
                list(self.memberships.select_related("league_org", "volunteer_org"))
                if self.pk
                else []
            )
        return self._memberships_cache

    @property
    def works_in_workspace(self) -> bool:
        """Whether the operator UI (/workspace/) is this account's place: league reviewers and
        administrators. Volunteer-org and individual accounts act on the mobile site."""
        return self.is_provincial_admin or bool(self.reviewer_league_org_ids())

    def reviewer_league_org_ids(self) -> set[int]:
        return {m.league_org_id for m in self.cached_memberships if m.role == Role.LEAGUE_REVIEWER}

    def operated_volunteer_org_ids(self) -> set[int]:
        return {m.volunteer_org_id for m in self.cached_memberships if m.role == Role.ORG_OPERATOR}

    @property
    def league_org(self) -> "LeagueOrg | None":
        for m in self.cached_memberships:
            if m.role == Role.LEAGUE_REVIEWER:
                return m.league_org
        return None

    @property
    def volunteer_org(self) -> "VolunteerOrg | None":
        for m in self.cached_memberships:
            if m.role == Role.ORG_OPERATOR:
                return m.volunteer_org
        return None


class City(models.Model):
    """One of Guangdong's 21 prefecture-level cities (reference data, loaded by migration)."""

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("城市")
        verbose_name_plural = _("城市")

    def __str__(self):
        return self.name


class LeagueOrg(PlainTextModel):
    """A Communist Youth League organization; province → city → district → street → branch."""

    code = models.CharField(_("智慧团建组织编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("层级"), max_length=16, choices=LeagueLevel.choices)
    city = models.ForeignKey(
        City, verbose_name=_("所在市"), null=True, blank=True, on_delete=models.PROTECT
    )
    district = models.CharField(_("区县"), max_length=50, blank=True)
    contact_name = models.CharField(_("负责人姓名"), max_length=50, blank=True)
    contact_landline = models.CharField(_("固定电话"), max_length=20, blank=True)
    contact_mobile = models.CharField(
        _("负责人手机号码"), max_length=11, blank=True, validators=[mobile_validator]
    )
    intro = models.TextField(_("组织简介"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("团组织")
        verbose_name_plural = _("团组织")

    def __str__(self):
        return self.name


class VolunteerOrg(PlainTextModel):
    """A volunteer service organization: registered with civil affairs, or endorsed by one."""

    code = models.CharField(_("组织编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    registration = models.CharField(
        _("登记方式"), max_length=16, choices=Registration.choices, default=Registration.REGISTERED
    )
    endorsed_by = models.ForeignKey(
        "self",
        verbose_name=_("背书组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="endorsed",
    )
    # Profile (完善信息)
    city = models.ForeignKey(
        City, verbose_name=_("所在市"), null=True, blank=True, on_delete=models.PROTECT
    )
    service_areas = models.JSONField(_("服务领域"), default=list, blank=True)
    service_objects = models.JSONField(_("服务对象"), default=list, blank=True)
    volunteer_count = models.PositiveIntegerField(_("志愿者人数"), default=0)
    contact_name = models.CharField(_("联系人姓名"), max_length=50, blank=True)
    contact_mobile = models.CharField(
        _("联系人手机号码"), max_length=11, blank=True, validators=[mobile_validator]
    )
    intro = models.TextField(_("组织简介"), max_length=500, blank=True)
    photo = models.ImageField(_("组织/团体照片"), upload_to="orgs/photos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("志愿服务组织")
        verbose_name_plural = _("志愿服务组织")
        constraints = [
            models.CheckConstraint(
                name="endorsed_org_has_endorser",
                condition=models.Q(registration=Registration.REGISTERED, endorsed_by__isnull=True)
                | models.Q(registration=Registration.ENDORSED, endorsed_by__isnull=False),
            )
        ]

    def __str__(self):
        return self.name

    def profile_missing(self) -> list[str]:
        """Names of the profile fields still missing before the org may claim (完善信息)."""
        missing = []
        for field in ("name", "contact_name", "intro"):
            if not getattr(self, field).strip():
                missing.append(field)
        if self.city_id is None:
            missing.append("city")
        if not self.service_areas or set(self.service_areas) - set(ServiceArea.values):
            missing.append("service_areas")
        if not self.service_objects or set(self.service_objects) - set(ServiceObject.values):
            missing.append("service_objects")
        if self.volunteer_count < 1:
            missing.append("volunteer_count")
        if not MOBILE_RE.match(self.contact_mobile or ""):
            missing.append("contact_mobile")
        return missing

    @property
    def profile_complete(self) -> bool:
        return not self.profile_missing()


class Membership(models.Model):
    """A user's role in one organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    league_org = models.ForeignKey(
        LeagueOrg, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    volunteer_org = models.ForeignKey(
        VolunteerOrg, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        verbose_name = _("成员角色")
        verbose_name_plural = _("成员角色")
        constraints = [
            models.CheckConstraint(
                name="membership_org_matches_role",
                condition=(
                    models.Q(
                        role__in=[Role.LEAGUE_REVIEWER, Role.PROVINCIAL_ADMIN],
                        league_org__isnull=False,
                        volunteer_org__isnull=True,
                    )
                    | models.Q(
                        role=Role.ORG_OPERATOR,
                        league_org__isnull=True,
                        volunteer_org__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "league_org", "volunteer_org"], name="unique_membership"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.league_org or self.volunteer_org}"


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses the bulk paths around a model's own append-only save() and delete()."""

    def update(self, **kwargs):
        raise ValueError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise ValueError(f"{self.model.__name__} rows are append-only")


class AuditRecord(models.Model):
    """One state change: who, when, which object, from, to, why. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The league org through which the actor acted (a reviewer of several orgs, or of an org a
    # review was escalated to); for an escalation, the org the review reached.
    org = models.ForeignKey(
        "orgs.LeagueOrg",
        verbose_name=_("操作人所属组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=30, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30)
    reason = models.CharField(_("原因"), max_length=REASON_MAX, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor or 'system'} {self.action} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit records are append-only")


class SmsPurpose(models.TextChoices):
    DEMAND_CONTACT = "demand_contact", _("需求负责人手机号验证")
    INITIAL_DEMAND_CONTACT = "initial_demand_contact", _("求助联系人手机号验证")
    REGISTER = "register", _("个人用户注册")
    # Sent only when an account has the phone as its mobile (orgs/sms.py).
    PASSWORD_RESET = "password_reset", _("找回密码")


class SmsCode(models.Model):
    """A verification code sent to a phone; only its keyed hash is stored."""

    phone = models.CharField(max_length=11, validators=[mobile_validator])
    purpose = models.CharField(max_length=30, choices=SmsPurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"])]

    def __str__(self):
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.purpose}"


class LoginFailure(models.Model):
    """One failed password check, kept for an hour: the login throttle counts them.

    A check is written here before the password is looked at and removed when it turns out
    right (orgs/security.py), so while it runs it counts as a failure.
    """

    # The username as typed, normalized (NFKC, case-folded); it need not be an account's.
    username = models.CharField(max_length=150)
    # The client's address as counted: an IPv4 address, or an IPv6 address's /64 network.
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["ip", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.ip or '-'}"


class LoginSuccess(models.Model):
    """The last successful login of a username from an address, kept for 30 days.

    An account locked for strangers (too many failures from many addresses) still logs in
    from the addresses it used before.
    """

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("登录成功地址")
        verbose_name_plural = _("登录成功地址")
        indexes = [models.Index(fields=["username", "ip"]), models.Index(fields=["at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.ip}"


class SmsRequest(models.Model):
    """One request for a code, written before the code is made and counted (orgs/sms.py).

    Kept for a day: per phone, per client address and platform-wide limits count these rows.
    """

    phone = models.CharField(max_length=11)
    # As counted: an IPv4 address, or an IPv6 address's /64 network; none without an address.
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("验证码申请记录")
        verbose_name_plural = _("验证码申请记录")
        indexes = [
            models.Index(fields=["phone", "at"]),
            models.Index(fields=["ip", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.phone[:3]}****{self.phone[-4:]} {self.ip or '-'}"


class SmsCodeFailure(models.Model):
    """One wrong code entered for a phone, kept for an hour (whatever code it was meant for).

    Like a login failure, it is written before the code is compared and removed when the
    code was right or there was nothing to compare.
    """

    phone = models.CharField(max_length=11)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("验证码错误记录")
        verbose_name_plural = _("验证码错误记录")
        indexes = [models.Index(fields=["phone", "at"]), models.Index(fields=["at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.phone[:3]}****{self.phone[-4:]}"
