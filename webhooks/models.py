"""An org's webhook endpoints and the log of every delivery to them."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs import events
from orgs.models import VolunteerOrg

# The events an org may subscribe to; `ping` is the test event, sent only when asked for.
EVENT_KINDS = (
    events.CLAIM_APPROVED,
    events.CLAIM_REJECTED,
    events.CLAIM_LAPSED,
    events.CLAIM_CANCELLED,
    events.RATING_RECEIVED,
    events.POINTS_PAID,
)
PING = "ping"


def all_event_kinds() -> list[str]:
    return list(EVENT_KINDS)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """An HTTPS address of a volunteer org that receives the events it subscribed to."""

    volunteer_org = models.ForeignKey(
        VolunteerOrg,
        verbose_name=_("志愿服务组织"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("接收地址"), max_length=500)
    # Kept as it is: signing needs it. Shown whole only when created or rotated.
    secret = models.CharField(_("签名密钥"), max_length=100, default=new_secret)
    events = models.JSONField(_("订阅事件"), default=all_event_kinds)
    is_active = models.BooleanField(_("启用"), default=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("Webhook 接收地址")
        verbose_name_plural = _("Webhook 接收地址")

    def __str__(self):
        return self.url

    @property
    def secret_masked(self) -> str:
        return f"{'*' * 8}{self.secret[-4:]}" if self.secret else ""


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    RETRYING = "retrying", _("等待重试")
    SUCCEEDED = "succeeded", _("发送成功")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One event for one endpoint, and how sending it went (the org's delivery log)."""

    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("接收地址"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(_("事件编号"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("事件类型"), max_length=40)
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    # When the next attempt is due (pending: at once); none once it succeeded or failed.
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    # A sender holds the row until then (compare-and-set): two workers never send it at once,
    # and a worker that died while sending leaves it to the next sweep after this time.
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Webhook 投递")
        verbose_name_plural = _("Webhook 投递")
        indexes = [
            # An endpoint's log, newest first.
            models.Index(
                fields=["endpoint", "-created_at", "-id"], name="delivery_endpoint_newest"
            ),
            # The sweep's due deliveries.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status__in=["pending", "retrying"]),
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.endpoint_id} ({self.status})"
