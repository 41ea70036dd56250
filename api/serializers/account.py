"""Payloads of the account endpoints: token, password, SMS codes, me, profile, points."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.choices import ServiceArea, ServiceObject
from orgs.models import MOBILE_RE, SmsPurpose
from scoring.models import PointsEntry

from .common import CityField, OrgRefSerializer, code_list


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    must_change_password = serializers.BooleanField()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False)


class RegisterSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=11, help_text="11位手机号码，即登录用户名")
    sms_code = serializers.CharField(
        max_length=6, write_only=True, help_text="The code sent to mobile (purpose register)."
    )
    password = serializers.CharField(
        trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )
    display_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )


class PasswordResetSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=11)
    sms_code = serializers.CharField(
        max_length=6,
        write_only=True,
        help_text="The code sent to mobile (purpose password_reset).",
    )
    new_password = serializers.CharField(
        trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )
    username = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed only when several accounts have this mobile (400 username_required).",
    )


class PasswordResetDoneSerializer(serializers.Serializer):
    detail = serializers.CharField()
    username = serializers.CharField(
        help_text="The account whose password was set: log in with it."
    )


class SmsCodeRequestSerializer(serializers.Serializer):
    phone = serializers.RegexField(MOBILE_RE, error_messages={"invalid": _("请输入11位手机号码")})
    purpose = serializers.ChoiceField(choices=SmsPurpose.choices)


class SmsCodeSentSerializer(serializers.Serializer):
    detail = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="seconds")


class TodoSerializer(serializers.Serializer):
    to_confirm = serializers.IntegerField(help_text="待确认 (an individual: help requests 待采用)")
    to_claim = serializers.IntegerField(
        help_text="待认领 (an individual: adopted help requests whose demand is 待认领)"
    )
    to_rate = serializers.IntegerField(help_text="待评分 (always 0 for an individual)")


class VolunteerOrgRefSerializer(OrgRefSerializer):
    profile_complete = serializers.BooleanField()
    profile_missing = serializers.ListField(
        child=serializers.CharField(), source="profile_missing_list"
    )


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    roles = serializers.ListField(
        child=serializers.CharField(),
        help_text="league_reviewer, org_operator, provincial_admin; individual without any",
    )
    is_provincial_admin = serializers.BooleanField()
    must_change_password = serializers.BooleanField()
    league_org = OrgRefSerializer(allow_null=True)
    volunteer_org = VolunteerOrgRefSerializer(allow_null=True)
    todo = TodoSerializer()
    unread_notifications = serializers.IntegerField(
        help_text="未读通知数 (GET /me/notifications/?unread=true lists them)"
    )


class VolunteerOrgProfileSerializer(serializers.Serializer):
    """完善信息 of a volunteer org."""

    kind = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "enum": ["volunteer"]})
    def get_kind(self, org):
        return "volunteer"

    name = serializers.CharField(max_length=100)
    city = CityField()
    service_areas = code_list(ServiceArea.choices, allow_empty=False)
    service_objects = code_list(ServiceObject.choices, allow_empty=False)
    volunteer_count = serializers.IntegerField(min_value=1)
    contact_name = serializers.CharField(max_length=50)
    contact_mobile = serializers.CharField(max_length=11)
    intro = serializers.CharField(max_length=500)


class LeagueOrgProfileSerializer(serializers.Serializer):
    """组织信息管理 of a league org; every field optional."""

    kind = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "enum": ["league"]})
    def get_kind(self, org):
        return "league"

    name = serializers.CharField(read_only=True)
    contact_name = serializers.CharField(max_length=50, allow_blank=True, required=False)
    contact_landline = serializers.CharField(max_length=20, allow_blank=True, required=False)
    contact_mobile = serializers.CharField(max_length=11, allow_blank=True, required=False)
    intro = serializers.CharField(max_length=500, allow_blank=True, required=False)


class PointsEntrySerializer(serializers.ModelSerializer):
    # In the reader's language (Accept-Language), rendered from the rating, not stored prose.
    reason = serializers.CharField(source="reason_text", read_only=True)

    class Meta:
        model = PointsEntry
        fields = ["id", "points", "reason", "claim", "created_at"]


class PointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    entries = PointsEntrySerializer(many=True)
