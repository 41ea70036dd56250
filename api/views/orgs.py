"""The volunteer-org directory (组织信息) with completed claims and stars; the league-org lookup."""

import django_filters
from django.db import connection
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from orgs.choices import LeagueLevel, Registration, ServiceArea
from orgs.models import LeagueOrg, VolunteerOrg
from scoring import selectors as scoring_selectors

from ..serializers.common import errors
from ..serializers.orgs import LeagueOrgSerializer, VolunteerOrgSerializer
from . import PK_PATTERN


class VolunteerOrgFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city__name", help_text="城市名称，如 深圳市")
    service_area = django_filters.ChoiceFilter(
        choices=ServiceArea.choices, method="filter_service_area", help_text="服务领域代码"
    )
    registration = django_filters.ChoiceFilter(choices=Registration.choices)

    class Meta:
        model = VolunteerOrg
        fields = ["city", "service_area", "registration"]

    def filter_service_area(self, queryset, name, value):
        if connection.features.supports_json_field_contains:
            return queryset.filter(service_areas__contains=[value])  # PostgreSQL: jsonb @>
        # SQLite has no JSON containment; the code quoted as it is stored matches one element
        # exactly (the value is a known code, so it holds no quote or wildcard).
        return queryset.filter(service_areas__icontains=f'"{value}"')


@extend_schema_view(
    list=extend_schema(
        summary="组织信息: volunteer org directory (filters city, service_area; search; pages)",
        responses={200: VolunteerOrgSerializer(many=True), **errors(400)},
    ),
    retrieve=extend_schema(
        summary="A volunteer org's public profile",
        responses={200: VolunteerOrgSerializer, **errors(404)},
    ),
)
class VolunteerOrgViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = VolunteerOrgSerializer
    lookup_value_regex = PK_PATTERN
    filterset_class = VolunteerOrgFilter
    search_fields = ["name", "intro"]
    ordering_fields = ["name", "volunteer_count", "completed_claims", "average_stars", "created_at"]
    ordering = ["-completed_claims", "id"]

    def get_queryset(self):
        return scoring_selectors.volunteer_org_directory()


class LeagueOrgFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city__name", help_text="城市名称，如 深圳市")
    level = django_filters.ChoiceFilter(choices=LeagueLevel.choices)

    class Meta:
        model = LeagueOrg
        fields = ["city", "level"]


@extend_schema_view(
    list=extend_schema(
        summary="所在组织: find a league org by name (search), city or level",
        responses={200: LeagueOrgSerializer(many=True), **errors(400)},
    ),
)
class LeagueOrgViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Public: the league orgs a help request may be addressed to (its `league_org` id)."""

    serializer_class = LeagueOrgSerializer
    filterset_class = LeagueOrgFilter
    search_fields = ["name"]
    ordering_fields = ["name", "code"]
    ordering = ["code", "id"]  # the 智慧团建 code

    def get_queryset(self):
        return LeagueOrg.objects.select_related("city")


def register(router):
    router.register("orgs", VolunteerOrgViewSet, basename="org")
    router.register("league-orgs", LeagueOrgViewSet, basename="league-org")


urlpatterns: list = []
