"""Production settings: secrets only from the environment, check --deploy clean, HTTPS headers
and the content security policy on the operator UI; no demo accounts outside development."""

import importlib
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from orgs.models import LeagueOrg, User
from tests import factories as f

BASE_DIR = settings.BASE_DIR
# Settings of the environment that would leak into the child process and change its answer.
OWN_VARIABLES = ("DJANGO_", "DATABASE_URL", "ALLOW_DEMO_DATA", "API_TOKEN_TTL_HOURS")

pytestmark = pytest.mark.skipif(
    (BASE_DIR / ".env").exists(), reason="a .env file would supply the variables under test"
)


def production_env(tmp_path, **changes) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_VARIABLES)}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_no_warning(tmp_path):
    env = production_env(tmp_path)
    assert len(env["DJANGO_SECRET_KEY"]) == 60
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(tmp_path, missing):
    result = manage(production_env(tmp_path, **{missing: None}), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"DJANGO_DEBUG": "False", "DJANGO_SECRET_KEY": None}, True),
        ({"DJANGO_DEBUG": "False"}, False),  # a real key
        ({"DJANGO_DEBUG": "True", "DJANGO_SECRET_KEY": None}, False),  # local development
    ],
)
def test_debug_off_refuses_the_development_key(tmp_path, changes, refused):
    # Found by the attack: `make serve` without production settings ran with DEBUG off and the
    # public development key, so anyone could forge sessions and signed values.
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.dev", **changes)
    result = manage(env, "check")
    assert (result.returncode != 0) == refused, result.stderr
    if refused:
        assert "DJANGO_SECRET_KEY is not set" in result.stderr


# -- the settings' values, loaded in this process --------------------------------------------


@pytest.fixture
def production(monkeypatch, tmp_path):
    """The production settings module's values for a given environment."""

    def load(**changes) -> dict:
        for name in [n for n in os.environ if n.startswith(OWN_VARIABLES)]:
            monkeypatch.delenv(name)
        for name, value in production_env(tmp_path, **changes).items():
            monkeypatch.setenv(name, value)
        module = importlib.reload(importlib.import_module("config.settings.production"))
        return {name: getattr(module, name) for name in dir(module) if name.isupper()}

    return load


# What the HTTP layer takes from the production settings (not the database or the secret key).
HTTP_SETTINGS = (
    "ALLOWED_HOSTS",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
    "MIDDLEWARE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CSP",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_HSTS_SECONDS",
    "SECURE_REFERRER_POLICY",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "X_FRAME_OPTIONS",
)


def test_the_production_values(production):
    values = production()
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["example.org"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"]
    assert values["CSRF_COOKIE_SECURE"]
    assert "SECURE_PROXY_SSL_HEADER" not in values  # opt-in only
    assert values["ALLOW_DEMO_DATA"] is False
    assert values["DATABASES"]["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    # content-hashed static files, cached for good (tests/test_runtime.py tests the storage)
    storage = values["STORAGES"]["staticfiles"]["BACKEND"]
    assert storage == "config.storage.ManifestStaticFilesStorage"

    values = production(
        DJANGO_CSRF_TRUSTED_ORIGINS="https://example.org,https://www.example.org",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        ALLOW_DEMO_DATA="1",
    )
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://example.org", "https://www.example.org"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["ALLOW_DEMO_DATA"] is True

    with pytest.raises(ImproperlyConfigured):
        production(DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")


def test_workspace_pages_carry_the_security_headers(production, reviewer):
    values = production()
    with override_settings(**{name: values[name] for name in HTTP_SETTINGS}):
        client = Client(HTTP_HOST="example.org")
        plain = client.get("/workspace/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://example.org/")

        login = client.post(
            "/accounts/login/", {"username": "reviewer", "password": f.PASSWORD}, secure=True
        )
        assert login.status_code == 302
        assert login.cookies["sessionid"]["secure"] and login.cookies["sessionid"]["httponly"]

        page = client.get("/workspace/claim/queue/", secure=True)
        assert page.status_code == 200
        csp = page["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
        assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert page["X-Frame-Options"] == "DENY"
        assert page["X-Content-Type-Options"] == "nosniff"
        assert page["Referrer-Policy"] == "same-origin"
        assert page["Cross-Origin-Opener-Policy"] == "same-origin"

        other_host = Client(HTTP_HOST="evil.example").get("/workspace/", secure=True)
        assert other_host.status_code == 400


# A script element that runs and has no src: what script-src 'self' blocks.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


@pytest.mark.parametrize("path", ["/workspace/claim/queue/", "/workspace/league/initial/"])
def test_the_operator_ui_has_no_inline_script_and_no_foreign_source(client, reviewer, path):
    client.force_login(reviewer)
    page = client.get(path, follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script" in html and not INLINE_SCRIPT.search(html)
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing from another site


def test_swagger_ui_is_served_from_our_static_files(client, db):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert not INLINE_SCRIPT.search(html)  # the start-up script is a file, as the policy wants
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# -- demo data ----------------------------------------------------------------------------------


def test_seed_demo_is_refused_with_debug_off_and_no_allow_demo_data(settings, db):
    settings.DEBUG = False
    settings.ALLOW_DEMO_DATA = False  # production's default, when ALLOW_DEMO_DATA is not set
    with pytest.raises(CommandError, match="ALLOW_DEMO_DATA=1"):
        call_command("seed_demo")
    assert not LeagueOrg.objects.exists() and not User.objects.exists()
