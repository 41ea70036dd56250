"""In-app notifications: one row per recipient of a domain event, rendered when read."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from demands.models import Demand, InitialDemand
from orgs import events
from workflows.models import Claim


class Kind(models.TextChoices):
    """The events that notify someone (orgs.events); the codes are the events' kinds."""

    CLAIM_RECEIVED = events.CLAIM_RECEIVED, _("收到认领申请")
    CLAIM_APPROVED = events.CLAIM_APPROVED, _("认领申请已通过")
    CLAIM_REJECTED = events.CLAIM_REJECTED, _("认领申请未通过")
    CLAIM_WITHDRAWN = events.CLAIM_WITHDRAWN, _("认领已撤销")
    CLAIM_CANCELLED = events.CLAIM_CANCELLED, _("认领流程已取消")
    CLAIM_LAPSE_WARNING = events.CLAIM_LAPSE_WARNING, _("认领即将失效")
    CLAIM_LAPSED = events.CLAIM_LAPSED, _("认领已失效")
    REVIEW_ESCALATED = events.REVIEW_ESCALATED, _("认领审核已上报")
    RATING_RECEIVED = events.RATING_RECEIVED, _("收到评价")
    POINTS_PAID = events.POINTS_PAID, _("积分到账")
    INITIAL_DEMAND_ADOPTED = events.INITIAL_DEMAND_ADOPTED, _("求助已采用")
    INITIAL_DEMAND_DECLINED = events.INITIAL_DEMAND_DECLINED, _("求助未被采用")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """What one user is told about one event. The title and body are not stored: they are
    rendered from `kind` and `params` in the reader's language (notifications.rendering)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # the indexes below start with the user
    )
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    # What it is about, for the link. Claims, demands and initial demands are never deleted
    # (PROTECT elsewhere); SET_NULL keeps a notification from blocking a clean-up that does.
    claim = models.ForeignKey(
        Claim,
        verbose_name=_("认领"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    demand = models.ForeignKey(
        Demand,
        verbose_name=_("需求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    initial_demand = models.ForeignKey(
        InitialDemand,
        verbose_name=_("初始需求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The words to render: titles, names, a reason, stars, points, a date. Never a contact
    # mobile nor a student's details.
    params = models.JSONField(_("参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=False)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            # A user's list, newest first (the keyset pages walk it).
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_newest"),
            # The unread count of every page's bell, and ?unread=true.
            models.Index(
                fields=["user", "-created_at", "-id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_user_unread",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.user}"
