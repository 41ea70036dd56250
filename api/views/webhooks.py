"""My volunteer org's webhooks: endpoints, their secret, a test event and the delivery log."""

from django.shortcuts import get_object_or_404
from django.urls import re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from webhooks import services
from webhooks.models import Delivery, Endpoint

from ..permissions import IsOrgOperator
from ..serializers.common import errors
from ..serializers.webhooks import (
    DeliverySerializer,
    EndpointInputSerializer,
    EndpointSerializer,
    EndpointWithSecretSerializer,
)
from . import PK_PATTERN

ENDPOINT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="接收地址 id")
DELIVERY_ID = OpenApiParameter("delivery_id", int, OpenApiParameter.PATH, description="投递 id")


def my_org(request):
    """The org whose webhooks the caller manages: the one /me/org/ shows (MyOrgView)."""
    org = request.user.volunteer_org
    if org is None:  # IsOrgOperator let only operators in
        raise PermissionDenied(_("只有志愿服务组织账号可以进行此操作"))
    return org


def my_endpoint(request, pk) -> Endpoint:
    """One of my org's endpoints; another org's is a 404, as if it were not."""
    return get_object_or_404(Endpoint, pk=int(pk), volunteer_org=my_org(request))


@extend_schema_view(
    list=extend_schema(
        summary="My org's webhook endpoints (the secret masked)",
        responses={200: EndpointSerializer(many=True), **errors(401, 403)},
    ),
    create=extend_schema(
        summary="Register a webhook endpoint: the answer holds its secret, shown this once",
        description=(
            "The URL must be https:// and resolve to public addresses only (400 on `url` "
            "otherwise). At most 5 endpoints per org (400 `too_many_endpoints`). `events` "
            "defaults to every kind. See docs/webhooks.md for payloads and signatures."
        ),
        request=EndpointInputSerializer,
        responses={201: EndpointWithSecretSerializer, **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One webhook endpoint of my org",
        responses={200: EndpointSerializer, **errors(401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change an endpoint's url, events, description or is_active",
        request=EndpointInputSerializer(partial=True),
        responses={200: EndpointSerializer, **errors(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete an endpoint and its delivery log",
        responses={204: None, **errors(401, 403, 404)},
    ),
)
class WebhookViewSet(viewsets.GenericViewSet):
    """Volunteer-org operators manage their org's endpoints; nobody else sees them."""

    permission_classes = [IsOrgOperator]
    serializer_class = EndpointSerializer
    lookup_value_regex = PK_PATTERN
    pagination_class = None  # a handful per org (WEBHOOK_MAX_ENDPOINTS_PER_ORG)
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Endpoint.objects.filter(volunteer_org=my_org(self.request)).order_by(
            "created_at", "id"
        )

    def list(self, request):
        return Response(EndpointSerializer(self.get_queryset(), many=True).data)

    def create(self, request):
        body = EndpointInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(
            org=my_org(request), actor=request.user, **body.validated_data
        )
        return Response(EndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(EndpointSerializer(my_endpoint(request, pk)).data)

    def partial_update(self, request, pk=None):
        endpoint = my_endpoint(request, pk)
        body = EndpointInputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(
            endpoint=endpoint, actor=request.user, data=body.validated_data
        )
        return Response(EndpointSerializer(endpoint).data)

    def destroy(self, request, pk=None):
        services.endpoint_delete(endpoint=my_endpoint(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Replace the endpoint's secret: the answer holds the new one, shown this once",
        request=None,
        responses={200: EndpointWithSecretSerializer, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = services.endpoint_rotate_secret(
            endpoint=my_endpoint(request, pk), actor=request.user
        )
        return Response(EndpointWithSecretSerializer(endpoint).data)

    @extend_schema(
        summary="Send a test event (`ping`) to the endpoint; logged like any delivery",
        description=(
            "Answers 202 with the delivery. Where tasks run inline (no broker) the first "
            "attempt has been made when the answer comes, and the delivery shows its outcome."
        ),
        request=None,
        responses={202: DeliverySerializer, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = services.webhook_test_send(endpoint=my_endpoint(request, pk), actor=request.user)
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryListView(generics.ListAPIView):
    """The endpoint's delivery log, newest first."""

    permission_classes = [IsOrgOperator]
    serializer_class = DeliverySerializer
    filter_backends: list = []

    def get_queryset(self):
        endpoint = my_endpoint(self.request, self.kwargs["id"])
        return Delivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")

    @extend_schema(
        summary="The endpoint's deliveries (status, attempts, last error), newest first",
        parameters=[ENDPOINT_ID],
        responses={200: DeliverySerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RedeliverView(APIView):
    permission_classes = [IsOrgOperator]

    @extend_schema(
        summary="Send a finished delivery again (the same event id; attempts start over)",
        parameters=[ENDPOINT_ID, DELIVERY_ID],
        request=None,
        responses={202: DeliverySerializer, **errors(401, 403, 404, 409)},
    )
    def post(self, request, id, delivery_id):
        endpoint = my_endpoint(request, id)
        delivery = get_object_or_404(Delivery, pk=int(delivery_id), endpoint=endpoint)
        delivery = services.delivery_redeliver(delivery=delivery, actor=request.user)
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


def register(router):
    router.register("me/webhooks", WebhookViewSet, basename="webhook")


urlpatterns = [
    re_path(
        rf"^me/webhooks/(?P<id>{PK_PATTERN})/deliveries/$",
        DeliveryListView.as_view(),
        name="webhook-deliveries",
    ),
    re_path(
        rf"^me/webhooks/(?P<id>{PK_PATTERN})/deliveries/(?P<delivery_id>{PK_PATTERN})/redeliver/$",
        RedeliverView.as_view(),
        name="webhook-redeliver",
    ),
]
