"""Initial-demand payloads: the submission form (with the cloud-teaching student) and the views.

The input serializers check types and codes only; the rules (≤3 courses, scores, title prefix,
mobile format) are the service's, which names the fields it refuses (`student.courses`).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from demands.choices import Course, Gender, Grade, InitialDemandKind, Interest
from demands.initial_selectors import initial_demand_progress, is_initial_demand_party
from demands.models import InitialDemand, StudentRecord
from orgs.models import LeagueOrg

from .common import CityField, OrgRefSerializer, code_list
from .demands import ProgressStepSerializer


class ScoreField(serializers.FloatField):
    """Last term's score: a number; whole numbers stay integers."""

    def to_internal_value(self, data):
        if isinstance(data, bool):  # float(True) would pass as 1
            self.fail("invalid")
        value = super().to_internal_value(data)
        return int(value) if value.is_integer() else value

    def to_representation(self, value):
        return value if isinstance(value, int) else super().to_representation(value)


class CourseScoreSerializer(serializers.Serializer):
    course = serializers.ChoiceField(choices=Course.choices)
    score = ScoreField(help_text="上学期该课程分数 (0–150)")


class StudentWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices)
    grade = serializers.ChoiceField(choices=Grade.choices)
    school = serializers.CharField(max_length=50)
    city = CityField(help_text="所在市，如 深圳市")
    address = serializers.CharField(max_length=100)
    courses = serializers.ListField(
        child=CourseScoreSerializer(), help_text="需所需辅导课程，最多3项，每项附上学期分数"
    )
    interests = code_list(
        Interest.choices, required=False, default=list, help_text="其他课程，最多3项"
    )
    remarks = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class InitialDemandWriteSerializer(serializers.Serializer):
    """提交求助: ordinary, or cloud teaching with the student's details."""

    kind = serializers.ChoiceField(choices=InitialDemandKind.choices)
    league_org = serializers.PrimaryKeyRelatedField(
        queryset=LeagueOrg.objects.all(), help_text="所在组织：求助的团组织"
    )
    title = serializers.CharField(max_length=50)
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    contact_name = serializers.CharField(max_length=50)
    contact_mobile = serializers.CharField(max_length=11)
    sms_code = serializers.CharField(
        max_length=6,
        write_only=True,
        help_text="The code sent to contact_mobile (purpose initial_demand_contact).",
    )
    student = StudentWriteSerializer(
        required=False, allow_null=True, help_text="Required for kind cloud_teaching only."
    )


class StudentSerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="city.name")
    gender_label = serializers.CharField(source="get_gender_display")
    grade_label = serializers.CharField(source="get_grade_display")
    courses = CourseScoreSerializer(many=True)

    class Meta:
        model = StudentRecord
        fields = [
            "name",
            "gender",
            "gender_label",
            "grade",
            "grade_label",
            "school",
            "city",
            "address",
            "courses",
            "interests",
            "remarks",
        ]


class InitialDemandSerializer(serializers.ModelSerializer):
    """A row of 我的求助 / 初始需求: only ever listed to its submitter and its league org."""

    league_org = OrgRefSerializer()
    submitter = serializers.IntegerField(source="submitter_id")
    status_label = serializers.CharField(source="get_status_display")
    progress = serializers.SerializerMethodField(
        help_text="待采用 → 已采用 → 待认领 → 已认领 → 已发布 (or 待采用 → 不采用)"
    )

    class Meta:
        model = InitialDemand
        fields = [
            "id",
            "kind",
            "title",
            "league_org",
            "submitter",
            "contact_name",
            "status",
            "status_label",
            "created_at",
            "decided_at",
            "progress",
        ]

    @extend_schema_field(ProgressStepSerializer(many=True))
    def get_progress(self, initial):
        return ProgressStepSerializer(initial_demand_progress(initial), many=True).data


class InitialDemandDetailSerializer(InitialDemandSerializer):
    student = serializers.SerializerMethodField()

    class Meta(InitialDemandSerializer.Meta):
        fields = [
            *InitialDemandSerializer.Meta.fields,
            "description",
            "contact_mobile",
            "decision_reason",
            "student",
        ]

    @extend_schema_field(StudentSerializer(allow_null=True))
    def get_student(self, initial):
        # A minor's data: the submitter and the addressed org only, whoever else asks.
        record = getattr(initial, "student", None)
        if record is None or not is_initial_demand_party(initial, self.context["request"].user):
            return None
        return StudentSerializer(record).data
