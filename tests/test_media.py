"""Uploaded images are served at MEDIA_URL; nothing else under MEDIA_ROOT is."""

import io

import pytest
from django.test import Client
from PIL import Image


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "orgs" / "photos").mkdir(parents=True)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    (tmp_path / "orgs" / "photos" / "team.png").write_bytes(buffer.getvalue())
    (tmp_path / "orgs" / "page.html").write_text("<script>alert(1)</script>")
    (tmp_path / "orgs" / "logo.svg").write_text("<svg onload='alert(1)'/>")
    (tmp_path.parent / "secret.png").write_bytes(b"not for you")
    return tmp_path


@pytest.mark.parametrize("debug", [False, True])
def test_an_uploaded_photo_is_served(db, media_root, settings, debug):
    # Found by the attack: the API's photo URLs were 404 under `make run` and `make serve`.
    settings.DEBUG = debug
    response = Client().get("/media/orgs/photos/team.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "path", ["orgs/page.html", "orgs/logo.svg", "orgs/photos/none.png", "../secret.png"]
)
def test_nothing_but_existing_images_inside_media_root(db, media_root, path):
    assert Client().get(f"/media/{path}").status_code == 404


def test_an_org_photo_url_from_the_api_opens(db, media_root, settings):
    from tests import factories as f

    org = f.VolunteerOrgFactory(photo="orgs/photos/team.png")
    photo = Client().get(f"/api/v1/orgs/{org.pk}/").json()["photo"]
    assert photo.endswith("/media/orgs/photos/team.png")
    assert Client().get(photo.replace("http://testserver", "")).status_code == 200
