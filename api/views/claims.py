"""Claims: the parties' list and detail; review, withdrawal, the activity and the ratings."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from scoring import services as scoring_services
from workflows import selectors, services
from workflows.models import Claim, ClaimStatus

from ..filters import StableOrderingFilter
from ..idempotency import IdempotentMixin
from ..permissions import IsLeagueReviewer, IsOrgOperator, IsOrgUser
from ..serializers.claims import (
    ActivitySerializer,
    ClaimDetailSerializer,
    ClaimListSerializer,
    ClaimStateSerializer,
    RatingInputSerializer,
)
from ..serializers.common import errors
from ..serializers.demands import ReasonSerializer, RequiredReasonSerializer
from . import PK_PATTERN


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices)
    # Bounded: an id beyond the database's integer would fail in the query, not in the form.
    demand = django_filters.NumberFilter(
        field_name="demand_id",
        min_value=1,
        max_value=2**63 - 1,
        decimal_places=0,
        help_text="只看该需求的认领（需求 id）",
    )

    class Meta:
        model = Claim
        fields = ["status", "demand"]


DETAIL = ClaimDetailSerializer
# A step's answer: the claim's state after it, not its whole detail (docs/api.md).
STATE = ClaimStateSerializer
ACTION_ERRORS = (400, 401, 403, 404, 409, 422)


@extend_schema_view(
    list=extend_schema(
        summary="我的申请 (volunteer org) / 待审核 (league org): the viewer's claims",
        responses={200: ClaimListSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Claim detail with its activity, ratings and process progress",
        responses={200: DETAIL, **errors(401, 404)},
    ),
)
class ClaimViewSet(
    IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Claims (认领) as their parties see them, and the steps of the claim process they take."""

    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ClaimFilter
    lookup_value_regex = PK_PATTERN
    ordering_fields = ["created_at", "decided_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return selectors.claim_list(viewer=self.request.user)

    def get_object(self):
        """The claim if the viewer is a party to it; a 404 for anyone else, as if it were not."""
        claim = selectors.claim_get(pk=int(self.kwargs["pk"]), viewer=self.request.user)
        self.check_object_permissions(self.request, claim)
        return claim

    def _claim_ref(self):
        """The claim an action acts on: its ids only, as the service locks and re-reads it."""
        claim = selectors.claim_ref(pk=int(self.kwargs["pk"]), viewer=self.request.user)
        self.check_object_permissions(self.request, claim)
        return claim

    def get_serializer_class(self):
        return ClaimListSerializer if self.action == "list" else DETAIL

    def get_permissions(self):
        # Role gates only; a party's right to act on this claim is the service's to decide.
        gate = {
            "list": IsOrgUser,
            "retrieve": permissions.IsAuthenticated,
            "approve": IsLeagueReviewer,
            "reject": IsLeagueReviewer,
            "withdraw": IsOrgOperator,
            "activity": IsOrgOperator,
            "rating": IsLeagueReviewer | IsOrgOperator,
        }.get(self.action)
        return [*super().get_permissions(), *([gate()] if gate else [])]

    def _state(self, claim, code=status.HTTP_200_OK, *, rated=False):
        """The claim as the service left it: no second read (the detail costs four queries)."""
        context = {**self.get_serializer_context(), "rated": rated}
        return Response(STATE(claim, context=context).data, status=code)

    @extend_schema(
        summary="同意: approve a pending claim (closes the demand's other pending claims)",
        request=None,
        responses={200: STATE, **errors(401, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        claim = services.claim_approve(claim=self._claim_ref(), actor=request.user)
        return self._state(claim)

    @extend_schema(
        summary="退回: reject a pending claim with a reason",
        request=RequiredReasonSerializer,
        responses={200: STATE, **errors(*ACTION_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        claim = self._claim_ref()
        body = RequiredReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        claim = services.claim_reject(
            claim=claim, actor=request.user, reason=body.validated_data["reason"]
        )
        return self._state(claim)

    @extend_schema(
        summary="撤销认领: withdraw my org's claim (before its activity is published)",
        request=ReasonSerializer,
        responses={200: STATE, **errors(*ACTION_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        claim = self._claim_ref()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        claim = services.claim_withdraw(
            claim=claim, actor=request.user, reason=body.validated_data["reason"]
        )
        return self._state(claim)

    @extend_schema(
        summary="发布志愿服务活动 for my org's approved claim",
        request=ActivitySerializer,
        responses={201: STATE, **errors(*ACTION_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def activity(self, request, pk=None):
        claim = self._claim_ref()
        body = ActivitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        activity = services.activity_publish(
            claim=claim, actor=request.user, data=dict(body.validated_data)
        )
        return self._state(activity.claim, status.HTTP_201_CREATED)

    @extend_schema(
        summary="评分: rate the other party (1–5 stars); blind until both have rated",
        request=RatingInputSerializer,
        responses={201: STATE, **errors(*ACTION_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def rating(self, request, pk=None):
        claim = self._claim_ref()
        body = RatingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rating = scoring_services.rating_submit(
            claim=claim, actor=request.user, **body.validated_data
        )
        return self._state(rating.claim, status.HTTP_201_CREATED, rated=True)


def register(router):
    router.register("claims", ClaimViewSet, basename="claim")


urlpatterns: list = []
