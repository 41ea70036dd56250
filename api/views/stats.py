"""Home-page reads for anyone: statistics as of yesterday and the feed of successful claims."""

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from demands.choices import Zone
from demands.stats import stats_as_of_yesterday
from workflows import selectors as claim_selectors
from workflows.models import Claim

from ..pagination import KeysetPagination
from ..serializers.common import errors
from ..serializers.orgs import ClaimFeedSerializer, StatsSerializer


class StatsView(APIView):
    @extend_schema(
        summary="数据统计 数据截止至昨日: demands published and claims approved per zone",
        responses={200: StatsSerializer, **errors(403)},
    )
    def get(self, request):
        return Response(StatsSerializer(stats_as_of_yesterday()).data)


class ClaimFeedFilter(django_filters.FilterSet):
    zone = django_filters.ChoiceFilter(field_name="demand__zone", choices=Zone.choices)
    # Bounded like ClaimFilter's: a too large id fails in the form, not in the query.
    demand = django_filters.NumberFilter(
        field_name="demand_id",
        min_value=1,
        max_value=2**63 - 1,
        decimal_places=0,
        help_text="需求详情的认领信息：该需求的成功认领",
    )

    class Meta:
        model = Claim
        fields = ["zone", "demand"]


@extend_schema_view(
    list=extend_schema(
        summary="认领信息: recent successful claims (filters zone, demand; pages)",
        responses={200: ClaimFeedSerializer(many=True), **errors(400)},
    ),
)
class ClaimFeedViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ClaimFeedSerializer
    filterset_class = ClaimFeedFilter
    pagination_class = KeysetPagination  # a feed scrolls; it has no page numbers
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self):
        return claim_selectors.claim_feed()


def register(router):
    router.register("feeds/claims", ClaimFeedViewSet, basename="claim-feed")


urlpatterns: list = [path("stats/", StatsView.as_view(), name="stats")]
