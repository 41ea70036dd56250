"""Demands: the public list and detail; a league org's drafts, publish and close; marks; claims."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from demands import selectors, services
from demands.choices import Zone
from demands.models import Demand, DemandStatus
from orgs.choices import ServiceArea
from workflows import services as claim_services

from ..cache import anonymous_cached
from ..idempotency import IdempotentMixin
from ..pagination import PageOrCursorPagination
from ..permissions import IsLeagueReviewer, IsOrgOperator
from ..serializers.claims import ClaimStateSerializer
from ..serializers.common import errors
from ..serializers.demands import (
    DemandDetailSerializer,
    DemandSerializer,
    DemandWriteSerializer,
    ReasonSerializer,
    ReportSerializer,
    RequiredReasonSerializer,
    ToggleSerializer,
)
from . import PK_PATTERN


class DemandFilter(django_filters.FilterSet):
    zone = django_filters.ChoiceFilter(choices=Zone.choices)
    city = django_filters.CharFilter(field_name="city__name", help_text="城市名称，如 深圳市")
    type = django_filters.ChoiceFilter(choices=ServiceArea.choices)
    status = django_filters.ChoiceFilter(choices=DemandStatus.choices)
    mine = django_filters.BooleanFilter(
        method="filter_noop", help_text="我的发布：本团组织的需求，含草稿"
    )
    recommended = django_filters.BooleanFilter(
        method="filter_recommended", help_text="推荐：与本组织服务领域和所在市匹配的待认领需求"
    )

    class Meta:
        model = Demand
        fields = ["zone", "city", "type", "status"]

    def filter_noop(self, queryset, name, value):
        return queryset  # applied by the view, which picks the base queryset

    def filter_recommended(self, queryset, name, value):
        if not value:
            return queryset
        return selectors.demand_recommend(queryset, viewer=self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary="需求信息 list (filters, search, ordering, pages)",
        responses={200: DemandSerializer(many=True), **errors(400)},
    ),
    retrieve=extend_schema(
        summary="Demand detail with progress steps",
        responses={200: DemandDetailSerializer, **errors(404)},
    ),
)
class DemandViewSet(
    IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """需求: the public list and detail, a league org's drafts and transitions, marks, claims."""

    filterset_class = DemandFilter
    pagination_class = PageOrCursorPagination
    lookup_value_regex = PK_PATTERN
    search_fields = ["title", "content"]
    ordering_fields = ["published_at", "end_date", "created_at", "volunteers_needed"]
    ordering = ["-published_at", "-id"]

    def list(self, request, *args, **kwargs):
        return anonymous_cached(self, request, lambda: super(DemandViewSet, self).list(request))

    def retrieve(self, request, *args, **kwargs):
        return anonymous_cached(
            self, request, lambda: super(DemandViewSet, self).retrieve(request, *args, **kwargs)
        )

    def get_queryset(self):
        mine = self.request.query_params.get("mine") in ("true", "1", "True")
        return selectors.demand_list(viewer=self.request.user, mine=mine).only(
            *selectors.LIST_COLUMNS
        )

    def get_object(self):
        demand = selectors.demand_get(pk=self.kwargs["pk"], viewer=self.request.user)
        self.check_object_permissions(self.request, demand)
        return demand

    def get_serializer_class(self):
        return DemandDetailSerializer if self.action != "list" else DemandSerializer

    def get_permissions(self):
        if self.action in ("create", "partial_update", "publish", "close"):
            return [*super().get_permissions(), IsLeagueReviewer()]
        if self.action == "claims":
            return [*super().get_permissions(), IsOrgOperator()]
        if self.action in ("favorite", "like", "reports"):
            return [*super().get_permissions(), permissions.IsAuthenticated()]
        return super().get_permissions()

    def _detail(self, demand, code=status.HTTP_200_OK):
        demand = selectors.demand_get(pk=demand.pk, viewer=self.request.user)
        return Response(
            DemandDetailSerializer(demand, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        summary="Create a draft (保存草稿)",
        request=DemandWriteSerializer,
        responses={201: DemandDetailSerializer, **errors(400, 401, 403, 422)},
    )
    def create(self, request):
        data = DemandWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        sms_code = fields.pop("sms_code", None)
        demand = services.demand_create(
            actor=request.user, league_org=request.user.league_org, data=fields, sms_code=sms_code
        )
        return self._detail(demand, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a draft",
        request=DemandWriteSerializer,
        responses={200: DemandDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def partial_update(self, request, pk=None):
        demand = self.get_object()
        data = DemandWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        sms_code = fields.pop("sms_code", None)
        demand = services.demand_update(
            demand=demand, actor=request.user, data=fields, sms_code=sms_code
        )
        return self._detail(demand)

    @extend_schema(
        summary="Publish a draft (待认领)",
        request=None,
        responses={200: DemandDetailSerializer, **errors(400, 401, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        demand = services.demand_publish(demand=self.get_object(), actor=request.user)
        return self._detail(demand)

    @extend_schema(
        summary="Close a draft or an open demand",
        request=ReasonSerializer,
        responses={200: DemandDetailSerializer, **errors(400, 401, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        demand = services.demand_close(
            demand=self.get_object(), actor=request.user, reason=body.validated_data["reason"]
        )
        return self._detail(demand)

    def _toggle(self, request, setter, counter):
        demand = self.get_object()
        setter(actor=request.user, demand=demand, on=request.method == "POST")
        count = getattr(demand, counter).count()
        return Response({"active": request.method == "POST", "count": count})

    @extend_schema(
        summary="收藏 (POST) / 取消收藏 (DELETE)",
        request=None,
        responses={200: ToggleSerializer, **errors(401, 404, 409)},
    )
    @action(detail=True, methods=["post", "delete"])
    def favorite(self, request, pk=None):
        return self._toggle(request, services.favorite_set, "favorites")

    @extend_schema(
        summary="点赞 (POST) / 取消点赞 (DELETE)",
        request=None,
        responses={200: ToggleSerializer, **errors(401, 404, 409)},
    )
    @action(detail=True, methods=["post", "delete"])
    def like(self, request, pk=None):
        return self._toggle(request, services.like_set, "likes")

    @extend_schema(
        summary="举报",
        request=RequiredReasonSerializer,
        responses={201: ReportSerializer, **errors(400, 401, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"])
    def reports(self, request, pk=None):
        body = RequiredReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.report_submit(
            actor=request.user, demand=self.get_object(), reason=body.validated_data["reason"]
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="我要认领: claim this demand for my volunteer org",
        request=None,
        responses={201: ClaimStateSerializer, **errors(400, 401, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"])
    def claims(self, request, pk=None):
        # The demand's ids only: the service locks and re-reads it.
        demand = selectors.demand_ref(pk=self.kwargs["pk"], viewer=request.user)
        self.check_object_permissions(request, demand)
        claim = claim_services.claim_request(
            demand=demand, org=request.user.volunteer_org, actor=request.user
        )
        context = self.get_serializer_context()
        return Response(
            ClaimStateSerializer(claim, context=context).data, status=status.HTTP_201_CREATED
        )


def register(router):
    router.register("demands", DemandViewSet, basename="demand")


urlpatterns: list = []
