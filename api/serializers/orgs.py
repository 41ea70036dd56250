"""Public home-page payloads: the volunteer-org directory, the claims feed, the statistics.

Nothing here carries a contact name or mobile: these are read by anyone, signed in or not.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from demands.choices import Zone
from orgs.choices import ServiceArea, ServiceObject
from orgs.models import LeagueOrg, VolunteerOrg
from workflows.models import Claim

from .common import OrgRefSerializer, code_list


class VolunteerOrgSerializer(serializers.ModelSerializer):
    """A volunteer org's public profile with what it did: completed claims, stars received."""

    city = serializers.CharField(source="city.name", default=None, allow_null=True)
    service_areas = code_list(ServiceArea.choices)
    service_objects = code_list(ServiceObject.choices)
    registration_label = serializers.CharField(source="get_registration_display")
    endorsed_by = OrgRefSerializer(allow_null=True)
    completed_claims = serializers.IntegerField(
        help_text="Claims of this org that reached 已完成 (both sides rated)."
    )
    average_stars = serializers.SerializerMethodField(
        help_text="Average stars league orgs gave it on completed claims; null before any."
    )

    class Meta:
        model = VolunteerOrg
        fields = [
            "id",
            "name",
            "city",
            "service_areas",
            "service_objects",
            "volunteer_count",
            "intro",
            "photo",
            "registration",
            "registration_label",
            "endorsed_by",
            "completed_claims",
            "average_stars",
        ]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_average_stars(self, org) -> float | None:
        value = org.average_stars
        return None if value is None else round(float(value), 2)


class LeagueOrgSerializer(serializers.ModelSerializer):
    """A league org as 所在组织 of a help request: who it is and where, never a contact."""

    city = serializers.CharField(source="city.name", default=None, allow_null=True)
    level_label = serializers.CharField(source="get_level_display")

    class Meta:
        model = LeagueOrg
        fields = ["id", "name", "level", "level_label", "city"]


class ClaimFeedDemandSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    zone = serializers.ChoiceField(choices=Zone.choices)


class ClaimFeedSerializer(serializers.ModelSerializer):
    """认领信息: who claimed which demand of which league org, and when it was approved."""

    demand = ClaimFeedDemandSerializer()
    org = OrgRefSerializer()
    league_org = OrgRefSerializer(source="demand.league_org")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Claim
        fields = ["id", "demand", "org", "league_org", "decided_at", "status", "status_label"]


class ZoneStatsSerializer(serializers.Serializer):
    zone = serializers.ChoiceField(choices=Zone.choices)
    label = serializers.CharField()
    demand_count = serializers.IntegerField()
    claim_count = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    """数据统计 数据截止至昨日."""

    as_of = serializers.DateTimeField(help_text="The end of yesterday, Asia/Shanghai.")
    zones = ZoneStatsSerializer(many=True)
