"""Webhooks of my volunteer org: endpoints (the secret shown whole only once) and deliveries."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from webhooks.models import EVENT_KINDS, PING, Delivery, DeliveryStatus, Endpoint

from .common import code_list


class EndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(
        max_length=500, help_text=_("接收事件的 https:// 地址（不能是内网或本机地址）")
    )
    events = code_list(
        EVENT_KINDS,
        required=False,
        allow_empty=False,
        max_length=len(EVENT_KINDS),
        help_text=_("订阅的事件；缺省为全部"),
    )
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    is_active = serializers.BooleanField(required=False, default=True)


class EndpointSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(
        source="secret_masked", help_text=_("签名密钥（仅创建和更换时完整显示）")
    )
    events = code_list(EVENT_KINDS)

    class Meta:
        model = Endpoint
        fields = ["id", "url", "events", "is_active", "description", "secret", "created_at"]
        read_only_fields = fields


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(help_text=_("签名密钥：请立即保存，之后只显示末四位"))


class DeliverySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=[*EVENT_KINDS, PING])
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event_id",
            "kind",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields
