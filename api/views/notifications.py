"""我的通知: the caller's in-app notifications, newest first, and marking them read."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from notifications import selectors, services
from notifications.models import Notification

from ..idempotency import IdempotentMixin
from ..pagination import KeysetPagination
from ..serializers.common import errors
from ..serializers.notifications import NotificationSerializer, ReadAllSerializer
from . import PK_PATTERN


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        method="filter_unread", help_text="true: unread only; false: read only"
    )

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value)


@extend_schema_view(
    list=extend_schema(
        summary="我的通知: my notifications, newest first (cursor pages; filter unread)",
        responses={200: NotificationSerializer(many=True), **errors(400, 401, 403)},
    ),
)
class NotificationViewSet(IdempotentMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    pagination_class = KeysetPagination  # a list that scrolls, newest first
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = PK_PATTERN

    queryset = Notification.objects.none()  # the model, for the schema

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return self.queryset
        return selectors.notification_list(user=self.request.user)

    @extend_schema(
        summary="Mark one of my notifications read (again: no change)",
        request=None,
        responses={200: NotificationSerializer, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        try:
            notification = services.notification_read(user=request.user, notification_id=pk)
        except Notification.DoesNotExist:
            raise NotFound() from None
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark all my notifications read; how many were unread",
        request=None,
        responses={200: ReadAllSerializer, **errors(401, 403)},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"count": services.notifications_read_all(user=request.user)})


def register(router):
    router.register("me/notifications", NotificationViewSet, basename="notification")


urlpatterns: list = []
