"""The OpenAPI schema is valid, documents errors, and the Swagger UI is served."""

from django.core.management import call_command


def test_schema_validates_without_warnings(db, tmp_path):
    # --fail-on-warn turns any undocumented or unresolvable piece into a failure
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/demands/{id}/publish/" in paths
    assert "409" in paths["/api/v1/demands/{id}/publish/"]["post"]["responses"]
    assert client.get("/api/docs/").status_code == 200


def test_errors_raised_outside_the_views_are_documented_everywhere(api_schema):
    """api.schema.document_common_errors: 404 on lists, 415 on bodies, 401/403 with a token."""
    initial_password_ok = {"/api/v1/auth/password/", "/api/v1/auth/token/", "/api/v1/auth/logout/"}
    for operation in (result.ok() for result in api_schema.get_all_operations()):
        raw = operation.definition.raw
        responses = raw["responses"]
        label = operation.label
        if any(p["name"] == "page" for p in raw.get("parameters", [])):
            assert "404" in responses, label
        if "requestBody" in raw:
            assert "415" in responses, label
        if any("tokenAuth" in requirement for requirement in raw.get("security", [])):
            assert "401" in responses, label
            if operation.path not in initial_password_ok:
                assert "403" in responses, label
