"""Every answer under /api/ is JSON, whatever DEBUG is; nothing a client sends is a 500."""

import pytest
from django.test import Client

from api.parsers import MAX_DEPTH, nesting_depth
from tests import factories as f

DEEP = "[" * 1200 + "]" * 1200


@pytest.mark.parametrize(
    ("path", "as_reviewer"),
    [("/api/v1/auth/token/", False), ("/api/v1/sms/codes/", False), ("/api/v1/demands/", True)],
)
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1200, 100_000])
def test_a_deeply_nested_body_is_a_400(client_for, reviewer, path, as_reviewer, depth):
    # Found by the attack: 1,000 levels raised RecursionError, a 500, for anonymous callers.
    body = "[" * depth + "]" * depth
    client = client_for(reviewer if as_reviewer else None)
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "malformed_body"


def test_nesting_up_to_the_bound_parses(client_for, reviewer):
    body = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    response = client_for(reviewer).post("/api/v1/demands/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] != "malformed_body"


def test_nesting_depth_walks_without_recursion():
    assert nesting_depth("text") == 0
    assert nesting_depth({"a": [1, {"b": []}]}) == 4
    value = []
    for _ in range(50_000):
        value = [value]
    assert nesting_depth(value) > MAX_DEPTH


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize(
    "path",
    ["/api/v1/demands/abc/", "/api/v1/nothing/", "/api/nothing", "/api/v1/claims/x/approve/"],
)
def test_unknown_paths_and_ids_are_json_404s_whatever_debug_is(db, debug, path):
    # Found by the attack: under `make run` (DEBUG on) these were Django's HTML 404 page.
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_an_oversized_body_is_a_json_413(db, debug, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post(
        "/api/v1/auth/token/", '{"username": "' + "x" * 2000 + '"}', "application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_csrf_failure_is_json(reviewer, debug):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post("/api/v1/auth/logout/")
    assert response.status_code == 403 and response["Content-Type"] == "application/json"


def test_an_error_rendered_for_a_browser_is_json_too(db, debug):
    response = Client().get("/api/v1/claims/", HTTP_ACCEPT="text/html")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_json_errors_keep_their_headers(db):
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION="Token bad", HTTP_ACCEPT="text/html")
    assert response.status_code == 401 and "WWW-Authenticate" in response


def test_a_wrong_method_names_the_method(db, debug):
    response = Client().delete("/api/v1/stats/", HTTP_ACCEPT="text/html")
    assert response.status_code in (401, 405)
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("accept", ["application/json", "text/html", "*/*"])
def test_api_docs_with_a_bad_token_are_no_500(db, accept):
    # Found by the attack: the page authenticated while it rendered, after the error handling.
    response = Client().get("/api/docs/", HTTP_ACCEPT=accept, HTTP_AUTHORIZATION="Token bad")
    assert response.status_code in (200, 406)
    if response.status_code == 406:
        assert response.json()["code"] == "not_acceptable"


def test_api_docs_and_schema_for_a_session_on_the_initial_password(db):
    user = f.UserFactory(username="imported", must_change_password=True)
    client = Client()
    client.force_login(user)
    assert client.get("/api/docs/").status_code == 200
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
