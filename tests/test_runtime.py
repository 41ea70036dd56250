"""The production runtime: gunicorn's settings, static files under gunicorn, `make serve`."""

import os
import runpy
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings

from config.storage import ManifestStaticFilesStorage

BASE_DIR = settings.BASE_DIR
GUNICORN_CONFIG = BASE_DIR / "config" / "gunicorn.py"
# What the environment of this run may set that would change the answers below.
RUNTIME_VARIABLES = ("WEB_CONCURRENCY", "BIND", "PORT", "DJANGO_DEBUG", "GUNICORN_ACCESS_LOG")


@pytest.fixture
def gunicorn_config(monkeypatch):
    """config/gunicorn.py's values for an environment; the environment is restored afterwards."""
    for name in RUNTIME_VARIABLES:
        monkeypatch.setenv(name, "")  # recorded, so that whatever the file sets is undone
        monkeypatch.delenv(name)

    def load(**environ) -> dict:
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(GUNICORN_CONFIG))

    return load


def test_gunicorn_defaults(gunicorn_config):
    values = gunicorn_config()
    assert values["wsgi_app"] == "config.wsgi:application"
    assert values["bind"] == "127.0.0.1:8000"
    assert values["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert values["accesslog"] == "-"
    assert os.environ["DJANGO_DEBUG"] == "False"  # a production server runs with DEBUG off


def test_gunicorn_from_the_environment(gunicorn_config):
    values = gunicorn_config(WEB_CONCURRENCY="3", PORT="9000", DJANGO_DEBUG="True")
    assert (values["workers"], values["bind"]) == (3, "127.0.0.1:9000")
    assert os.environ["DJANGO_DEBUG"] == "True"
    values = gunicorn_config(BIND="0.0.0.0:8080", GUNICORN_ACCESS_LOG="")
    assert values["bind"] == "0.0.0.0:8080" and values["accesslog"] is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**changes) -> dict:
    own = ("DJANGO_", "DATABASE_URL", "CELERY_", "STATIC_ROOT", *RUNTIME_VARIABLES)
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    return env | changes


@pytest.mark.skipif((BASE_DIR / ".env").exists(), reason="a .env file would change the settings")
def test_gunicorn_serves_the_api_docs_and_their_static_files(tmp_path):
    """`gunicorn -c config/gunicorn.py config.wsgi`, as `make serve` and the benchmark run it."""
    port = free_port()
    env = clean_env(
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",  # the pages below need none
        WEB_CONCURRENCY="1",
        PORT=str(port),
        DJANGO_SECRET_KEY="k" * 50,
    )
    # Swagger UI's files only: compressing every package's takes 10 s more and proves nothing more.
    ignore = ["-i", "viewflow", "-i", "admin", "-i", "rest_framework", "-i", "redoc"]
    manage = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", *ignore]
    subprocess.run(manage, cwd=BASE_DIR, env=env, check=True, timeout=300)
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    server = subprocess.Popen(
        [gunicorn, "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def get(path):
            with urllib.request.urlopen(base + path, timeout=10) as response:
                return response.status, response.headers, response.read()

        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, page = get("/api/docs/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read().decode()) from None
                time.sleep(0.2)
        assert status == 200
        bundle = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
        assert bundle.encode() in page
        status, headers, body = get(bundle)
        assert status == 200 and b"SwaggerUIBundle" in body
        assert "max-age" in headers["Cache-Control"]  # WhiteNoise's answer, not a view's
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_production_storage_hashes_names_and_leaves_references_to_missing_files(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "site.css").write_text(
        'a { background: url("logo.png") } @font-face { src: url("fonts/gone.woff2") }'
    )
    storage = ManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    found = {name: (storage, name) for name in ("logo.png", "site.css")}
    errors = [e for _, _, e in storage.post_process(found) if isinstance(e, Exception)]
    assert errors == []
    css = (tmp_path / storage.stored_name("site.css")).read_text()
    assert storage.stored_name("logo.png") != "logo.png" and storage.stored_name("logo.png") in css
    assert 'url("fonts/gone.woff2")' in css  # Viewflow's Roboto CSS names fonts it lacks


# -- make serve, worker, beat -----------------------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
@pytest.mark.skipif((BASE_DIR / ".env").exists(), reason="a .env file would change the settings")
@pytest.mark.parametrize(
    ("target", "env", "says"),
    [
        ("serve", {}, "DJANGO_SECRET_KEY is not set"),
        ("serve", {"DJANGO_DEBUG": "True"}, "DATABASE_URL=postgres://"),
        ("serve", {"DJANGO_SECRET_KEY": "k" * 50}, "DATABASE_URL=postgres://"),
        (
            "serve",
            {"DJANGO_SECRET_KEY": "k" * 50, "DATABASE_URL": "sqlite:////tmp/x.sqlite3"},
            "make run",
        ),
        ("worker", {}, "CELERY_BROKER_URL=redis://"),
        ("beat", {}, "CELERY_BROKER_URL=redis://"),
    ],
)
def test_make_targets_say_what_they_need(target, env, says):
    result = subprocess.run(
        ["make", "-s", target],
        cwd=BASE_DIR,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert says in result.stderr
