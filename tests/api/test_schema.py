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
