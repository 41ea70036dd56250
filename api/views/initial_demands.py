"""Initial demands (初始需求): an individual's help request, and its league org's adopt/decline."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from demands import initial_selectors as selectors
from demands import services
from demands.choices import InitialDemandKind
from demands.models import InitialDemand, InitialDemandStatus

from ..idempotency import IdempotentMixin
from ..serializers.common import errors
from ..serializers.demands import ReasonSerializer
from ..serializers.initial_demands import (
    InitialDemandDetailSerializer,
    InitialDemandSerializer,
    InitialDemandWriteSerializer,
)
from . import PK_PATTERN


class InitialDemandFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=InitialDemandStatus.choices)
    kind = django_filters.ChoiceFilter(choices=InitialDemandKind.choices)

    class Meta:
        model = InitialDemand
        fields = ["status", "kind"]


@extend_schema_view(
    list=extend_schema(
        summary="我的求助 (individual) or 初始需求 addressed to my league org (reviewer)",
        responses={200: InitialDemandSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Initial demand detail with student and progress (submitter or its league org)",
        responses={200: InitialDemandDetailSerializer, **errors(401, 403, 404)},
    ),
)
class InitialDemandViewSet(
    IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    lookup_value_regex = PK_PATTERN
    filterset_class = InitialDemandFilter
    search_fields = ["title"]
    ordering_fields = ["created_at", "decided_at"]
    ordering = ["-created_at", "-id"]

    def get_permissions(self):
        return [*super().get_permissions(), permissions.IsAuthenticated()]

    def get_queryset(self):
        # The linked demands' states, for each row's progress: one query a page.
        return selectors.initial_demand_list(viewer=self.request.user).prefetch_related(
            selectors.linked_demands_prefetch()
        )

    def get_object(self):
        initial = selectors.initial_demand_get(pk=self.kwargs["pk"], viewer=self.request.user)
        self.check_object_permissions(self.request, initial)
        return initial

    def get_serializer_class(self):
        return InitialDemandSerializer if self.action == "list" else InitialDemandDetailSerializer

    def _answer(self, initial, code=status.HTTP_200_OK):
        """The detail, student included: every answer with it is a reading of the record, logged
        (the one after adopt or decline too)."""
        selectors.student_record_read(initial, viewer=self.request.user, via="api")
        return Response(
            InitialDemandDetailSerializer(initial, context=self.get_serializer_context()).data,
            status=code,
        )

    def _detail(self, initial, code=status.HTTP_200_OK):
        return self._answer(
            selectors.initial_demand_get(pk=initial.pk, viewer=self.request.user), code
        )

    def retrieve(self, request, pk=None):
        return self._answer(self.get_object())

    @extend_schema(
        summary="提交求助: ordinary or cloud_teaching (with student), mobile verified by SMS code",
        request=InitialDemandWriteSerializer,
        responses={201: InitialDemandDetailSerializer, **errors(400, 401, 403, 422, 429)},
    )
    def create(self, request):
        body = InitialDemandWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        league_org = fields.pop("league_org")
        kind = fields.pop("kind")
        sms_code = fields.pop("sms_code")
        student = fields.pop("student", None)
        initial = services.initial_demand_submit(
            actor=request.user,
            league_org=league_org,
            kind=kind,
            data=fields,
            student=dict(student) if student else None,
            sms_code=sms_code,
        )
        return self._detail(initial, status.HTTP_201_CREATED)

    def _decide(self, request, service):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        initial = service(
            initial_demand=self.get_object(),
            actor=request.user,
            reason=body.validated_data["reason"],
        )
        return self._detail(initial)

    @extend_schema(
        summary="采用 (league org reviewer)",
        request=ReasonSerializer,
        responses={200: InitialDemandDetailSerializer, **errors(400, 401, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        return self._decide(request, services.initial_demand_adopt)

    @extend_schema(
        summary="不采用 (league org reviewer)",
        request=ReasonSerializer,
        responses={200: InitialDemandDetailSerializer, **errors(400, 401, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(request, services.initial_demand_decline)


def register(router):
    router.register("initial-demands", InitialDemandViewSet, basename="initial-demand")


urlpatterns: list = []
