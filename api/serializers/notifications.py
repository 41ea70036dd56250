"""In-app notifications (我的通知): rows rendered in the caller's language."""

from rest_framework import serializers

from notifications.models import Kind, Notification
from notifications.rendering import notification_body, notification_title


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    title = serializers.SerializerMethodField(help_text="rendered in the caller's language")
    body = serializers.SerializerMethodField(help_text="rendered in the caller's language")
    claim = serializers.IntegerField(
        source="claim_id", allow_null=True, read_only=True, help_text="认领 id (认领详情)"
    )
    demand = serializers.IntegerField(
        source="demand_id", allow_null=True, read_only=True, help_text="需求 id (需求详情)"
    )
    initial_demand = serializers.IntegerField(
        source="initial_demand_id",
        allow_null=True,
        read_only=True,
        help_text="初始需求 id (我的求助)",
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "created_at",
            "read_at",
            "claim",
            "demand",
            "initial_demand",
        ]
        read_only_fields = fields

    def get_title(self, notification) -> str:
        return notification_title(notification)

    def get_body(self, notification) -> str:
        return notification_body(notification)


class ReadAllSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="how many were unread and are now read")
