"""The orjson renderer writes the bytes DRF's JSONRenderer wrote, answers and errors alike."""

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import JSONRenderer

from api.renderers import ORJSONRenderer

from .. import factories as f

VALUES = [
    {"a": 1, "b": [1, 2.5, None, True, False], "c": {"d": "广州市"}},
    {"detail": _("未登录"), "code": "not_authenticated"},
    {"at": datetime.datetime(2026, 5, 1, 8, 30, 1, 123456, tzinfo=datetime.UTC)},
    {"day": datetime.date(2026, 5, 1), "time": datetime.time(8, 30), "n": decimal.Decimal("1.50")},
    {"id": uuid.UUID(int=7), "s": 'line\u2028separator\u2029and "quotes" \\ \n\t'},
    {0: ["第一项有误"], "fields": {"guarantees": {1: ["无效选项"]}}},
    [],
    "text",
    12345678901234567890,
    2**70,  # beyond orjson: DRF's renderer writes it
]


@pytest.mark.parametrize("data", VALUES)
def test_the_same_bytes_as_drf(data):
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_nothing_renders_as_no_body():
    assert ORJSONRenderer().render(None) == b""


def test_an_indent_asked_for_is_honoured():
    data = {"a": [1, "二"]}
    media = "application/json; indent=2"
    assert ORJSONRenderer().render(data, media) == JSONRenderer().render(data, media)


def test_answers_and_errors_are_rendered_as_before(client_for, reviewer):
    client = client_for(reviewer)
    f.open_demand(reviewer)
    for response in (
        client.get("/api/v1/demands/"),
        client.post("/api/v1/demands/", {"zone": "nowhere"}, format="json"),  # 400
        client_for(None).post("/api/v1/demands/", {}, format="json"),  # 401
        client.get("/api/v1/demands/999999/"),  # 404
    ):
        assert response["Content-Type"] == "application/json"
        assert response.content == JSONRenderer().render(response.data)


def test_the_browsable_api_is_still_there(client_for, reviewer):
    response = client_for(reviewer).get("/api/v1/demands/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
