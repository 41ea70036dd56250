"""In Debian's Chromium: a reviewer sees the bell's count, opens 通知 and marks an item read by
opening it, then the rest with 全部标为已读."""

import os

import pytest

from notifications.models import Notification

from .. import factories as f
from .conftest import CHROMIUM
from .workspace import open_workspace

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Debian's Chromium is not installed (apt-get install chromium); browser test skipped",
    ),
]


def test_a_reviewer_reads_notifications_from_the_bell(browser, live_server, league):
    reviewer = f.reviewer_of(league, username="bell_reviewer")
    operator = f.operator_of(f.VolunteerOrgFactory(name="铃声志愿服务队"), username="bell_operator")
    claims = [f.claim(f.open_demand(reviewer), operator) for _ in range(2)]

    page = open_workspace(
        browser, live_server, "bell_reviewer", next_path="/workspace/claim/queue/"
    )
    assert page.locator(".ws-bell__badge").inner_text() == "2"
    page.click(".ws-bell")  # Viewflow's pages navigate with Turbo: wait for the list itself
    page.wait_for_selector(".notes__list")
    assert page.locator(".notes__item--unread").count() == 2
    assert "铃声志愿服务队" in page.locator(".notes__item").first.inner_text()

    # opening the newest marks it read and leads to its review task
    page.locator(".notes__item").first.locator("button").click()
    page.wait_for_url("**/review/**")
    page.wait_for_load_state("networkidle")
    assert page.locator(".ws-bell__badge").inner_text() == "1"
    newest = Notification.objects.get(user=reviewer, claim=claims[1])
    assert newest.read_at is not None

    page.click(".ws-bell")
    page.wait_for_selector(".notes__item--unread")
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_selector(".notes__item--unread", state="detached")
    assert page.locator(".notes__item--unread").count() == 0
    assert page.locator(".ws-bell__badge").count() == 0
    assert not Notification.objects.filter(user=reviewer, read_at__isnull=True).exists()
    page.context.close()
