"""Claim payloads: `id, demand, org, status, reason` and what a party may see of its process."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from demands.choices import Guarantee
from demands.selectors import can_see_contact_mobile
from orgs.choices import ServiceObject
from orgs.privacy import mask_mobile
from scoring.models import Rating
from scoring.selectors import rating_list_visible
from scoring.services import rating_side
from workflows import deadlines
from workflows.models import Activity, Claim, ClaimStatus, Suitability
from workflows.selectors import WAITING_NODES, claim_current_step, claim_progress

from .common import OrgRefSerializer, code_list
from .demands import ProgressStepSerializer


class DemandRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    zone = serializers.CharField()
    status = serializers.CharField()


class ClaimSerializer(serializers.ModelSerializer):
    demand = DemandRefSerializer()
    org = OrgRefSerializer()
    status_label = serializers.SerializerMethodField(
        help_text="The state's label; 流程已取消 for a claim an administrator cancelled"
    )
    cancelled = serializers.BooleanField(
        source="is_cancelled",
        read_only=True,
        help_text="取消流程: a provincial administrator stopped the process; `reason` says why "
        "(the claim is then rejected or withdrawn, but neither side did it)",
    )
    escalation_level = serializers.IntegerField(
        read_only=True,
        help_text="How many league orgs above the demand's own the review reached (0: none; "
        "1: the parent org; …); the reviewers of each may decide it",
    )
    due_state = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "demand",
            "org",
            "status",
            "status_label",
            "reason",
            "cancelled",
            "cancelled_at",
            "created_at",
            "decided_at",
            "review_due_at",
            "escalation_level",
            "activity_due_at",
            "lapsed_at",
            "due_state",
        ]
        read_only_fields = ["review_due_at", "activity_due_at", "lapsed_at"]
        extra_kwargs = {
            "review_due_at": {
                "help_text": "When the review is due (REVIEW_DUE_DAYS after the claim)"
            },
            "activity_due_at": {
                "help_text": "When the approved claimer's activity is due; the claim lapses after it"
            },
            "lapsed_at": {"help_text": "When the claim lapsed (认领失效), or null"},
        }

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["overdue", "due_soon", ""],
            allow_blank=True,
            help_text="The current deadline's state: the review while pending, the activity "
            'while approved; "overdue" from the due time on, "due_soon" the day before, "" else',
        )
    )
    def get_due_state(self, claim) -> str:
        return deadlines.due_state(claim.running_due_at)

    def get_status_label(self, claim) -> str:
        if claim.is_cancelled:
            return str(_("流程已取消"))
        return claim.get_status_display()


class ClaimDemandRefSerializer(DemandRefSerializer):
    status_label = serializers.CharField(source="get_status_display")
    league_org = OrgRefSerializer()


current_step_field = serializers.ChoiceField(
    choices=WAITING_NODES,
    allow_null=True,
    help_text="The process node waiting for someone (review, publish_activity, rate_by_…), or null",
)


class ClaimListSerializer(ClaimSerializer):
    """A row of 我的申请 / 待审核: the claim, its demand's league org, and where it waits."""

    demand = ClaimDemandRefSerializer()
    current_step = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "current_step"]

    @extend_schema_field(current_step_field)
    def get_current_step(self, claim):
        return claim_current_step(claim)


class ClaimDemandSerializer(ClaimDemandRefSerializer):
    # The demand's 确认组织信息 contact: name and landline are public on the demand's detail
    # anyway; only the mobile waits for the approval.
    contact_name = serializers.CharField(help_text="The demand's responsible person (负责人)")
    contact_landline = serializers.CharField(help_text="固定电话")
    contact_mobile = serializers.SerializerMethodField(
        help_text="Masked (188****0174) unless the viewer owns the demand or holds its claim"
    )

    def get_contact_mobile(self, demand) -> str:
        viewer = self.context["request"].user
        if not demand.contact_mobile or can_see_contact_mobile(demand, viewer):
            return demand.contact_mobile
        return mask_mobile(demand.contact_mobile)


class ActivitySerializer(serializers.ModelSerializer):
    """The volunteer activity; as input, its types and codes (the service checks the rules)."""

    suitability = code_list(Suitability.choices, required=False)
    service_objects = code_list(ServiceObject.choices, required=False)
    guarantees = code_list(Guarantee.choices, required=False)

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "attendance_method",
            "activity_type",
            "category",
            "recruit_count",
            "contact_name",
            "contact_phone",
            "recruit_start_at",
            "start_at",
            "end_at",
            "address",
            "longitude",
            "latitude",
            "checkin_radius_km",
            "signup_scope",
            "suitability",
            "service_objects",
            "guarantees",
            "description",
            "service_content",
            "cover",
            "certificate_consent",
            "published_by",
            "published_at",
        ]
        # The cover is an upload, not part of the JSON body.
        read_only_fields = ["id", "cover", "published_by", "published_at"]


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["side", "stars", "comment", "created_at"]


class RatingInputSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ClaimDetailSerializer(ClaimListSerializer):
    """A claim as its parties see it: the demand, the activity, the ratings, the progress."""

    demand = ClaimDemandSerializer()
    activity = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField()
    my_rating_side = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta(ClaimListSerializer.Meta):
        fields = [
            *ClaimListSerializer.Meta.fields,
            "activity",
            "ratings",
            "my_rating_side",
            "progress",
        ]
        read_only_fields = fields

    @property
    def viewer(self):
        return self.context["request"].user

    @extend_schema_field(ActivitySerializer(allow_null=True))
    def get_activity(self, claim):
        activity = getattr(claim, "activity", None)
        return ActivitySerializer(activity, context=self.context).data if activity else None

    @extend_schema_field(RatingSerializer(many=True))
    def get_ratings(self, claim):
        # Blind: each side sees only its own rating until both are in.
        return RatingSerializer(
            rating_list_visible(claim=claim, viewer=self.viewer), many=True
        ).data

    # A CharField, not a second enum of Side's codes (the schema would name the set twice).
    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text="The side the viewer rates for: league or volunteer; null for a non-party",
        )
    )
    def get_my_rating_side(self, claim):
        return rating_side(claim, self.viewer)

    @extend_schema_field(ProgressStepSerializer(many=True))
    def get_progress(self, claim):
        return ProgressStepSerializer(claim_progress(claim), many=True).data


# The steps of the claim process a party takes through the API, as the verbs of their paths.
CLAIM_ACTIONS = ("approve", "reject", "withdraw", "activity", "rating")


def claim_actions(claim: Claim, viewer, *, rated: bool = False) -> list[str]:
    """The claim's next steps the viewer may take now, for a client's buttons (the services
    decide). From the claim's state and the viewer's roles, without a query: `rated` says
    whether the viewer's side has rated (a transition's answer knows it)."""
    reviewer = claim.demand.league_org_id in viewer.reviewer_league_org_ids()
    operator = claim.org_id in viewer.operated_volunteer_org_ids()
    status = claim.status
    actions = []
    if reviewer and status == ClaimStatus.PENDING:
        actions += ["approve", "reject"]
    if operator and status in (ClaimStatus.PENDING, ClaimStatus.APPROVED):
        actions.append("withdraw")
    if operator and status == ClaimStatus.APPROVED:
        actions.append("activity")
    if (reviewer or operator) and status == ClaimStatus.ACTIVITY_PUBLISHED and not rated:
        actions.append("rating")
    return actions


class ClaimStateDemandSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")


class ClaimStateSerializer(serializers.ModelSerializer):
    """What a step of the claim process answers: the claim's state after it, built from the
    object the service returned (no second read). `GET /claims/{id}/` has the whole detail.

    Context: `request`, and `rated` (the viewer's side has rated, for `actions`)."""

    demand = ClaimStateDemandSerializer(help_text="The claim's demand and its state now")
    org = OrgRefSerializer()
    status_label = serializers.CharField(source="get_status_display")
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "status",
            "status_label",
            "reason",
            "created_at",
            "decided_at",
            "demand",
            "org",
            "actions",
        ]

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=CLAIM_ACTIONS),
            help_text="The steps the viewer may take now (POST /claims/{id}/<action>/)",
        )
    )
    def get_actions(self, claim):
        return claim_actions(
            claim, self.context["request"].user, rated=self.context.get("rated", False)
        )
