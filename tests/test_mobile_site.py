"""The mobile site as Django serves it: index.html at / and at the client's routes, its assets as
static files, a clear page when it is not built, the CSP, and the home page's weight."""

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from config.security import policy_header

BUILT = Path(settings.MOBILE_DIST) / "index.html"
needs_build = pytest.mark.skipif(
    not BUILT.exists(), reason="the mobile site is not built (make mobile)"
)

INDEX = """<!doctype html><html><head>
<script type="module" crossorigin src="/static/mobile/assets/index-AbC123.js"></script>
<link rel="stylesheet" crossorigin href="/static/mobile/assets/index-XyZ789.css">
</head><body><div id="app"></div></body></html>"""


@pytest.fixture
def fake_build(settings, tmp_path):
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    settings.MOBILE_DIST = tmp_path
    return tmp_path


@pytest.mark.parametrize("path", ["/", "/demands/42", "/mine", "/demands/42/?from=share"])
def test_index_at_home_and_at_client_routes(client, fake_build, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert '<div id="app">' in response.content.decode()
    # the client sends it back as X-CSRFToken with the session cookie
    assert "csrftoken" in response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_asset_urls_go_through_the_static_storage(client, fake_build, settings):
    settings.STATIC_URL = "/assets-cdn/"
    body = client.get("/").content.decode()
    assert 'src="/assets-cdn/mobile/assets/index-AbC123.js"' in body
    assert 'href="/assets-cdn/mobile/assets/index-XyZ789.css"' in body


@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/v1/nothing-here/", 404),  # the API's JSON 404, not the app
        ("/admin", 301),  # APPEND_SLASH, not the app
        ("/accounts/login/", 200),
        ("/static/mobile/missing.js", 404),
    ],
)
def test_server_paths_are_not_client_routes(client, fake_build, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert '<div id="app">' not in response.content.decode()


def test_api_404_stays_json(client, fake_build):
    response = client.get("/api/v1/nothing-here/")
    assert response.json()["code"] == "not_found"


def test_only_reads(client, fake_build):
    assert client.post("/").status_code == 405


def test_unbuilt_site_says_how_to_build_it(client, settings, tmp_path):
    settings.MOBILE_DIST = tmp_path / "missing"
    response = client.get("/demands/1")
    assert response.status_code == 503
    body = response.content.decode()
    assert "make run" in body and "make mobile" in body


def test_csp_allows_no_inline_script(client, fake_build):
    header = client.get("/")["Content-Security-Policy"]
    assert header == policy_header(settings.SECURE_CSP)
    script_src = re.search(r"script-src ([^;]*)", header)[1]
    assert script_src == "'self'"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline_scripts = 0
        self.assets: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in attrs
            if "src" in attrs:
                self.assets.append(attrs["src"])
        if tag == "link" and attrs.get("rel") in ("stylesheet", "modulepreload"):
            self.assets.append(attrs["href"])
        if any(name.startswith("on") for name in attrs):
            self.inline_scripts += 1

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def _built_page() -> _Page:
    page = _Page()
    page.feed(BUILT.read_text(encoding="utf-8"))
    return page


@needs_build
def test_the_build_has_no_inline_script():
    page = _built_page()
    assert page.inline_scripts == 0
    assert page.assets, "index.html loads its script and stylesheet"


# The home page's first load: the JS and CSS that index.html loads (entry, preloads, styles),
# gzipped, as a phone on a slow network fetches them. Screens other than 首页 are split off.
HOME_BUDGET_BYTES = 250 * 1024


@needs_build
def test_home_page_weight_within_budget():
    total = 0
    for url in _built_page().assets:
        assert url.startswith("/static/mobile/"), url
        path = Path(settings.MOBILE_DIST) / url.removeprefix("/static/mobile/")
        total += len(gzip.compress(path.read_bytes(), compresslevel=9))
    print(f"home page JS+CSS gzipped: {total / 1024:.1f} KiB (budget {HOME_BUDGET_BYTES // 1024})")
    assert total <= HOME_BUDGET_BYTES
