"""The login and password-change pages: the workspace's look, both languages, errors per field."""

import pytest
from django.urls import reverse

from .. import factories as f


@pytest.fixture
def imported(league):
    user = f.reviewer_of(league, username="imported")
    user.set_password("000000")
    user.must_change_password = True
    user.save()
    return user


def test_the_login_is_a_lockscreen_page_with_the_language_switch(client, db):
    html = client.get(reverse("login") + "?next=/workspace/claim/queue/").content.decode()
    assert "vf-page-lockscreen" in html and "workspace/workspace.css" in html
    assert "<title>登录 · i志愿供需服务平台</title>" in html
    assert 'name="language" value="en"' in html
    assert '<form class="vf-form lockscreen-form" method="post"' in html  # to itself: `next` stays


def test_a_wrong_password_is_said_above_the_fields(client, db):
    html = client.post(reverse("login"), {"username": "nobody", "password": "x"}).content.decode()
    assert 'class="vf-form__errors"' in html and "请输入一个正确的用户名和密码" in html


def test_a_missing_field_is_said_at_the_field_in_english_too(client, db):
    client.cookies["django_language"] = "en"
    html = client.post(reverse("login"), {"username": "someone"}).content.decode()
    assert "<title>Sign in · " in html or "<title>Log in · " in html
    assert 'id="id_password_error">This field is required.' in html


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "密码太短，至少需要 8 个字符。"), ("en", "at least 8 characters")],
)
def test_the_password_rules_speak_the_pages_language(client, imported, language, message):
    client.cookies["django_language"] = language
    client.force_login(imported)
    url = reverse("password_change") + "?next=/workspace/claim/queue/"
    page = client.get(url).content.decode()
    assert "vf-page-lockscreen" in page and 'for="id_new_password1"' in page
    response = client.post(
        url, {"old_password": "000000", "new_password1": "abc", "new_password2": "abc"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if language == "zh-hans":
        assert "This password" not in html
