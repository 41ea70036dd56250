"""What the API keeps for itself: each Idempotency-Key, from before its request runs, for 24 h."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyState(models.TextChoices):
    IN_FLIGHT = "in_flight", _("处理中")
    DONE = "done", _("已完成")


class IdempotencyRecord(models.Model):
    """One per user and key: recorded before the request runs, its answer stored after.

    Only callers who are logged in may send a key (api.idempotency), so `user` is never empty
    and the unique constraint holds: a NULL user would make every row distinct.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # method, path and body of the first request
    state = models.CharField(
        max_length=16, choices=IdempotencyState.choices, default=IdempotencyState.IN_FLIGHT
    )
    status = models.PositiveSmallIntegerField(null=True)  # the answer's, once done
    # The answer's body with each mobile masked and any student record left out.
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    # When the request that holds the key took it: it expires, and in flight is abandoned, from
    # then on. A request that takes over an abandoned or expired key sets it again.
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_at")]

    def __str__(self):
        return self.key
