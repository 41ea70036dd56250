"""The mobile site in Debian's Chromium at a phone's size: 首页 with yesterday's statistics and a
demand, its 需求详情 with the tabs and the masked mobile, the deep link reloaded, and English.

Screenshots go to var/test-output/mobile/ (phone and desktop widths, Chinese and English). The
test skips, saying why, where Chromium is not installed or the site is not built (make mobile).
"""

import datetime
import os
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from workflows import services as claim_services

from .. import factories as f
from .conftest import CHROMIUM

SHOTS = Path(settings.BASE_DIR) / "var" / "test-output" / "mobile"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Debian's Chromium is not installed (apt-get install chromium); browser test skipped",
    ),
    pytest.mark.skipif(
        not (Path(settings.MOBILE_DIST) / "index.html").exists(),
        reason="the mobile site is not built (make mobile); browser test skipped",
    ),
]


@pytest.fixture
def published(reviewer, operator):
    """Demands published the day before yesterday (so 数据统计 counts them), one claimed."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        holiday = f.open_demand(reviewer, title="【七彩假期】陪伴外来务工人员子女度过假期")
        cloud = f.open_demand(
            reviewer, zone="cloud_teaching", title="【云支教】需要为15位小朋友补习数学课程"
        )
        claimed = f.open_demand(reviewer, title="【七彩假期】周末亲子环保徒步")
        claim_services.claim_approve(claim=f.claim(claimed, operator), actor=reviewer)
    return holiday, cloud, claimed


def phone(browser, locale="zh-CN"):
    context = browser.new_context(
        locale=locale, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems = []
    # A CSP violation or a script error is reported on the console; the anonymous GET /me/
    # answering 401 is expected (nobody is signed in).
    page.on(
        "console",
        lambda m: m.type == "error" and "401" not in m.text and problems.append(m.text),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_home_detail_deep_link_and_english(live_server, browser, published, operator):
    holiday, cloud, claimed = published
    page, problems = phone(browser)

    # 首页: yesterday's figures, and the demands
    page.goto(f"{live_server.url}/")
    stats = page.get_by_test_id("stats")
    stats.get_by_text("数据截止至昨日").wait_for()
    assert page.get_by_test_id("stats-demands").inner_text() == "3"
    assert page.get_by_test_id("stats-claims").inner_text() == "1"
    card = page.get_by_test_id("demand-card").filter(has_text=holiday.title)
    card.wait_for()
    for tab in ("推荐", "需求信息", "认领信息", "组织信息"):
        assert page.get_by_role("tab", name=tab).count() == 1
    shot(page, "1-home-zh-phone")

    # a zone banner filters the figures and the list
    page.get_by_role("button", name="青年云支教专区").click()
    page.get_by_test_id("demand-card").filter(has_text=cloud.title).wait_for()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=demand-card]').length === 1"
    )
    assert page.get_by_test_id("stats-demands").inner_text() == "1"
    page.get_by_role("button", name="全部专区").click()

    # 需求详情: tabs, steps, the mobile masked for an anonymous visitor
    page.get_by_test_id("demand-card").filter(has_text=holiday.title).click()
    page.wait_for_url(f"**/demands/{holiday.pk}")
    page.get_by_test_id("demand-title").filter(has_text=holiday.title).wait_for()
    for tab in ("需求信息", "组织/团体信息", "认领信息", "评分信息"):
        assert page.get_by_role("tab", name=tab).count() == 1
    assert page.get_by_test_id("progress").get_by_text("发布需求").count() == 1
    assert page.get_by_role("button", name="我要认领").count() == 1
    shot(page, "2-detail-zh-phone")
    page.get_by_role("tab", name="组织/团体信息").click()
    mobile = page.get_by_test_id("contact-mobile")
    mobile.get_by_text("188****0174").wait_for()
    assert "18826480174" not in page.content()
    shot(page, "3-detail-org-zh-phone")

    # the deep link survives a reload; the back arrow returns to 首页
    page.reload()
    page.get_by_test_id("demand-title").filter(has_text=holiday.title).wait_for()
    page.get_by_text("返回").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_test_id("stats").wait_for()

    # an action while signed out leads to the login screen
    page.get_by_test_id("demand-card").filter(has_text=claimed.title).click()
    page.get_by_role("tab", name="认领信息").click()
    page.get_by_test_id("claim-card").filter(has_text=operator.volunteer_org.name).wait_for()
    page.get_by_text("收藏").click()
    page.wait_for_url(lambda url: "/login?next=" in url)

    # English: the switch on 首页, kept for the next visit
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("language-switch").click()
    page.get_by_text("As of yesterday").wait_for()
    assert page.get_by_role("tab", name="Demands").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "4-home-en-phone")
    page.goto(f"{live_server.url}/demands/{holiday.pk}")
    page.get_by_role("tab", name="Organization").click()
    page.get_by_test_id("contact-mobile").get_by_text("188****0174").wait_for()
    assert page.get_by_role("button", name="Claim it").count() == 1
    shot(page, "5-detail-org-en-phone")

    assert problems == []


def test_desktop_width_keeps_a_phone_column(live_server, browser, published):
    holiday, _, _ = published
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    # a shared link opened directly: no history, the back arrow goes to 首页
    page.goto(f"{live_server.url}/demands/{holiday.pk}")
    page.get_by_test_id("demand-title").wait_for()
    bar = page.get_by_test_id("action-bar").bounding_box()
    assert bar["width"] <= 480 and abs(bar["x"] + bar["width"] / 2 - DESKTOP["width"] / 2) < 2
    shot(page, "6-detail-zh-desktop")
    page.get_by_text("返回").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_test_id("demand-card").first.wait_for()
    app = page.locator("#app").bounding_box()
    assert app["width"] <= 480
    tabbar = page.get_by_test_id("tabbar").bounding_box()
    assert tabbar["width"] <= 480
    shot(page, "7-home-zh-desktop")
    page.get_by_test_id("language-switch").click()
    page.get_by_text("As of yesterday").wait_for()
    shot(page, "8-home-en-desktop")
