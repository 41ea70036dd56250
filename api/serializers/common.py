"""Fields shared by the API's serializers: codes, cities, org references, error docs."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from orgs.models import City


class CityField(serializers.SlugRelatedField):
    """A city by its Chinese name (广州市 …), one of Guangdong's 21."""

    default_error_messages = {
        "does_not_exist": _("“{value}”不是广东省的地级市"),
        "invalid": _("请填写城市名称"),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="name", queryset=City.objects.all(), **kwargs)


def code_list(choices, **kwargs):
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), **kwargs)


class OrgRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


ERROR_SCHEMA = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.CharField(), required=False),
    },
)


ERROR_DESCRIPTIONS = {
    400: _("输入有误：fields 按字段给出原因"),
    401: _("未登录"),
    403: _("无权进行此操作，或须先修改初始密码（password_change_required）"),
    404: _("不存在或无权查看"),
    409: _("当前状态不允许此操作，或已被同时修改"),
    415: _("不支持该请求体格式（Content-Type），请用 application/json"),
    422: _("Idempotency-Key 已用于另一个请求体"),
    429: _("请求过于频繁"),
}
# Documented by api.schema.document_common_errors where they apply, rather than by errors().
PAGE_NOT_FOUND = _("页码超出范围")
TOKEN_REFUSED = _("令牌无效或已过期（不带令牌则按匿名用户处理）")
PASSWORD_CHANGE_REQUIRED = _("须先修改初始密码（password_change_required）")


def errors(*statuses: int) -> dict:
    """OpenAPI responses for the error statuses an endpoint can answer.

    Those that DRF's machinery answers are added to every operation they apply to by
    api.schema.document_common_errors, not here: 404 for a page out of range on a list, 415 for
    an unsupported request body format, 401 for a bad token and 403 for an account that must
    change its initial password, also on operations open to anonymous callers.
    """
    return {
        s: OpenApiResponse(ERROR_SCHEMA, description=str(ERROR_DESCRIPTIONS[s])) for s in statuses
    }
