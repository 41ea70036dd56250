"""The operator UI's refusal page: in the platform's language, with the way to each account's
own place (the mobile site for volunteer-org and individual accounts)."""

import pytest
from django.utils import translation

from .. import factories as f


def forbidden(client, user, path="/workspace/claim/queue/", language="zh-hans"):
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 403
    return response.content.decode()


def test_a_volunteer_org_is_sent_to_the_mobile_site(client, operator):
    html = forbidden(client, operator)
    assert "志愿服务组织和个人用户请在手机端" in html
    assert 'href="/mine"' in html
    assert "Django Material" not in html and "Access Forbidden" not in html


def test_an_individual_is_sent_to_the_mobile_site_in_english_too(client, db):
    html = forbidden(client, f.UserFactory(), language="en")
    assert "on the mobile site" in html
    assert 'href="/mine"' in html
    assert "手机端" not in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_reviewer_refused_a_page_gets_back_to_the_workspace(client, reviewer, language):
    html = forbidden(client, reviewer, "/workspace/claim/dashboard/", language)
    assert 'href="/workspace/"' in html
    with translation.override(language):
        assert translation.gettext("返回工作台") in html
