"""API fixtures: token clients per role, the SMS outbox, and the schema's word on a response."""

import pytest
import requests
import schemathesis
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it with the user's token."""

    class Client(APIClient):
        def as_user(self, user):
            token, _ = Token.objects.get_or_create(user=user)
            self.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            return self

    return Client()


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def sms_code(db, client_for, outbox, django_capture_on_commit_callbacks):
    """Ask for a code over HTTP and return it as read from the outbox."""

    def get(phone, purpose="demand_contact"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(None).post(
                "/api/v1/sms/codes/", {"phone": phone, "purpose": purpose}, format="json"
            )
        assert response.status_code == 202, response.content
        return outbox()[-1]["code"]

    return get


@pytest.fixture(scope="session")
def api_schema():
    """The OpenAPI schema as served at /api/schema/, loaded by Schemathesis."""
    # Django's test client, whose handler leaves the test's database connection alone.
    served = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return schemathesis.openapi.from_dict(served.json())


@pytest.fixture
def conforms(api_schema):
    """`conforms(response, "POST /api/v1/demands/")`: the schema documents the response's status
    for that operation, and its content type and body match what it documents."""

    def check(response, operation):
        method, path = operation.split(" ", 1)
        api_operation = api_schema[path][method]
        assert str(response.status_code) in api_operation.definition.raw["responses"], (
            f"{operation} answered an undocumented {response.status_code}"
        )
        api_operation.validate_response(
            schemathesis.Response(
                status_code=response.status_code,
                headers={name: [value] for name, value in response.headers.items()},
                content=response.content,
                request=requests.Request(
                    method, f"http://testserver{response.request['PATH_INFO']}"
                ).prepare(),
                elapsed=0.0,
                verify=False,
            )
        )

    return check
