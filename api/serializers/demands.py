"""Demand payloads: the contract's field names; codes as in DESIGN.md."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils.field_mapping import get_field_kwargs

from demands.choices import Guarantee, Zone
from demands.models import Demand, Report
from demands.selectors import can_see_contact_mobile, demand_progress, demand_ratings
from demands.services import DEMAND_FIELDS
from orgs.choices import ServiceArea
from orgs.privacy import mask_mobile
from orgs.validation import REASON_MAX

from .common import CityField, OrgRefSerializer, code_list


def model_bounded_integer(model, name: str) -> serializers.IntegerField:
    """An IntegerField bounded as the model field's validators bound it (the schema shows the
    minimum and maximum), the way a ModelSerializer would build it."""
    options = get_field_kwargs(name, model._meta.get_field(name))
    keep = ("min_value", "max_value", "allow_null", "required")
    return serializers.IntegerField(**{k: options[k] for k in keep if k in options})


class DemandSerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="city.name", default=None, allow_null=True)
    league_org = OrgRefSerializer()
    contact_mobile = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    initial_demands = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    like_count = serializers.IntegerField(read_only=True)
    favorite_count = serializers.IntegerField(read_only=True)
    liked = serializers.BooleanField(read_only=True, help_text="我已点赞 (false when anonymous)")
    favorited = serializers.BooleanField(
        read_only=True, help_text="我已收藏 (false when anonymous)"
    )
    guarantees = code_list(Guarantee.choices)

    class Meta:
        model = Demand
        fields = [
            "id",
            *DEMAND_FIELDS,
            "status",
            "status_label",
            "league_org",
            "initial_demands",
            "like_count",
            "favorite_count",
            "liked",
            "favorited",
            "published_at",
            "created_at",
        ]

    def get_contact_mobile(self, demand) -> str:
        viewer = self.context["request"].user
        if not demand.contact_mobile or can_see_contact_mobile(demand, viewer):
            return demand.contact_mobile
        return mask_mobile(demand.contact_mobile)


class ProgressStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()


class DemandRatingSerializer(serializers.Serializer):
    """One side's rating on a completed claim of the demand."""

    claim = serializers.IntegerField(source="claim_id")
    org = OrgRefSerializer(source="claim.org", help_text="The volunteer org of the claim")
    side = serializers.CharField(
        help_text="league: the league org rated the volunteer org; volunteer: the other way"
    )
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class DemandDetailSerializer(DemandSerializer):
    progress = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField(
        help_text="评分信息: both sides' ratings of each completed claim; none before both rated"
    )

    class Meta(DemandSerializer.Meta):
        fields = [*DemandSerializer.Meta.fields, "progress", "ratings"]

    @extend_schema_field(ProgressStepSerializer(many=True))
    def get_progress(self, demand):
        return ProgressStepSerializer(demand_progress(demand), many=True).data

    @extend_schema_field(DemandRatingSerializer(many=True))
    def get_ratings(self, demand):
        return DemandRatingSerializer(demand_ratings(demand), many=True).data


class DemandWriteSerializer(serializers.Serializer):
    """Create or edit a draft; every field is optional until publishing."""

    zone = serializers.ChoiceField(choices=Zone.choices)
    title = serializers.CharField(max_length=50, allow_blank=True, required=False)
    type = serializers.ChoiceField(choices=ServiceArea.choices, allow_blank=True, required=False)
    type_other = serializers.CharField(max_length=20, allow_blank=True, required=False)
    volunteers_needed = model_bounded_integer(Demand, "volunteers_needed")
    content = serializers.CharField(max_length=200, allow_blank=True, required=False)
    start_date = serializers.DateField(allow_null=True, required=False)
    end_date = serializers.DateField(allow_null=True, required=False)
    guarantees = code_list(Guarantee.choices, required=False)
    city = CityField(allow_null=True, required=False)
    district = serializers.CharField(max_length=50, allow_blank=True, required=False)
    contact_name = serializers.CharField(max_length=50, allow_blank=True, required=False)
    contact_landline = serializers.CharField(max_length=20, allow_blank=True, required=False)
    contact_mobile = serializers.CharField(max_length=11, allow_blank=True, required=False)
    service_content = serializers.CharField(max_length=200, allow_blank=True, required=False)
    # Plain ids, checked by the service: an id of another org's request and one that does
    # not exist get the same answer, so the field tells nobody which ids exist.
    initial_demands = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=50,
    )
    sms_code = serializers.CharField(
        max_length=6,
        required=False,
        write_only=True,
        help_text="The code sent to contact_mobile (purpose demand_contact) when it is set or changed.",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX, required=False, allow_blank=True, default=""
    )


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX)


class ToggleSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    count = serializers.IntegerField()


class ReportSerializer(serializers.ModelSerializer):
    demand = serializers.IntegerField(source="demand_id")

    class Meta:
        model = Report
        fields = ["id", "demand", "reason", "created_at"]
