"""Claim payloads: `id, demand, org, status, reason` and what a party may see of its process."""

from rest_framework import serializers

from workflows.models import Claim

from .common import OrgRefSerializer


class DemandRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    zone = serializers.CharField()
    status = serializers.CharField()


class ClaimSerializer(serializers.ModelSerializer):
    demand = DemandRefSerializer()
    org = OrgRefSerializer()
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Claim
        fields = [
            "id",
            "demand",
            "org",
            "status",
            "status_label",
            "reason",
            "created_at",
            "decided_at",
        ]
