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


# -- the loop on a phone: publish, claim, approve, activity, ratings, points ---------------------


def signed_in(browser, live_server, user, next_path, locale="zh-CN"):
    """A phone page signed in through the site's login page (the same session the app uses)."""
    context = browser.new_context(
        locale=locale, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", f.PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page, problems


def confirm_dialog(page):
    page.locator(".van-dialog__confirm:visible").click()


def test_league_org_and_volunteer_org_close_the_loop(
    live_server, browser, reviewer, operator, outbox
):
    from demands.models import Demand
    from workflows.models import Claim

    # 发布, step 1 (填写需求内容): the zone's prefix is filled in; 其他 asks for its text
    league, league_problems = signed_in(browser, live_server, reviewer, "/publish")
    league.get_by_test_id("publish-step-content").wait_for()
    title = league.get_by_test_id("field-title").locator("input")
    assert title.input_value() == "【七彩假期】"
    title.fill("【七彩假期】陪伴留守儿童过暑假")
    league.get_by_role("button", name="其他").first.click()
    league.get_by_test_id("next-step").click()
    league.get_by_text("需求类型为“其他”时须填写说明").wait_for()  # the 其他 text is required
    league.get_by_test_id("field-type-other").locator("input").fill("留守儿童陪伴")
    league.get_by_test_id("field-volunteers").locator("input").fill("8")
    league.get_by_test_id("field-content").locator("textarea").fill("暑假期间陪伴留守儿童学习和游戏。")
    league.get_by_test_id("field-period").click()
    days = league.locator(".van-calendar__day:not(.van-calendar__day--disabled)")
    days.nth(1).click()
    days.nth(5).click()
    league.locator(".van-calendar__confirm").click()
    league.get_by_role("button", name="餐饮保障").click()
    shot(league, "m1-publish-content-zh-phone")
    league.get_by_test_id("next-step").click()

    # step 2 (确认组织信息): region, contact, mobile verified by an SMS code with a countdown
    league.get_by_test_id("publish-step-org").wait_for()
    league.get_by_test_id("field-city").click()
    league.locator(".van-picker__confirm:visible").click()
    league.get_by_test_id("field-district").locator("input").fill("罗湖区")
    league.get_by_test_id("field-contact-name").locator("input").fill("李雷")
    league.get_by_test_id("field-landline").locator("input").fill("0755-88889999")
    league.get_by_test_id("field-mobile").locator("input").fill("18826480174")
    league.get_by_test_id("sms-send").click()
    league.get_by_test_id("sms-send").get_by_text("秒").wait_for()
    code = outbox()[-1]["code"]
    league.get_by_test_id("field-sms").locator("input").fill(code)
    shot(league, "m2-publish-org-zh-phone")
    league.get_by_test_id("publish-submit").click()
    league.get_by_test_id("publish-done").get_by_text("发布成功").wait_for()
    shot(league, "m3-publish-done-zh-phone")
    demand = Demand.objects.get(title="【七彩假期】陪伴留守儿童过暑假")
    assert demand.status == "open" and demand.type_other == "留守儿童陪伴"

    # the volunteer org (profile complete) claims it from 需求详情
    volunteer, volunteer_problems = signed_in(
        browser, live_server, operator, f"/demands/{demand.pk}"
    )
    volunteer.get_by_test_id("claim-button").click()
    confirm_dialog(volunteer)
    volunteer.get_by_text("您的认领申请已发送给需求团组织").wait_for()
    confirm_dialog(volunteer)
    claim = Claim.objects.get(demand=demand)

    # the league org approves it from 我的 → 待确认
    league.goto(f"{live_server.url}/mine")
    league.get_by_test_id("todo-to_confirm").get_by_text("1").wait_for()
    shot(league, "m4-mine-league-zh-phone")
    league.get_by_test_id("todo-to_confirm").click()
    card = league.get_by_test_id("my-claim-card").filter(has_text=demand.title)
    card.get_by_test_id("claim-approve").click()
    confirm_dialog(league)
    league.get_by_text("已同意认领").wait_for()
    claim.refresh_from_db()
    assert claim.status == "approved"

    # the volunteer org sees the whole mobile as a tel: link and publishes the activity
    volunteer.goto(f"{live_server.url}/mine")
    volunteer.get_by_test_id("mine-claims").click()
    volunteer.get_by_test_id("my-claim-card").filter(has_text=demand.title).click()
    tel = volunteer.get_by_test_id("claim-tel")
    tel.wait_for()
    assert tel.get_attribute("href") == "tel:18826480174"
    shot(volunteer, "m5-claim-approved-zh-phone")
    volunteer.get_by_test_id("claim-publish-activity").click()
    form = volunteer.get_by_test_id("activity-form")
    form.wait_for()
    assert volunteer.get_by_test_id("activity-title").locator("input").input_value() == "【七彩假期】"
    volunteer.get_by_test_id("activity-title").locator("input").fill("【七彩假期】留守儿童暑期陪伴")
    volunteer.get_by_role("button", name="助学支教").click()
    volunteer.get_by_test_id("activity-recruit").locator("input").fill("8")
    start = timezone.localtime() + datetime.timedelta(days=2)
    volunteer.get_by_test_id("activity-start_at").fill(start.strftime("%Y-%m-%dT09:00"))
    volunteer.get_by_test_id("activity-end_at").fill(start.strftime("%Y-%m-%dT08:00"))
    volunteer.get_by_test_id("activity-address").locator("input").fill("深圳市罗湖区东门街道")
    volunteer.get_by_test_id("activity-preset").click()
    volunteer.locator(".van-picker__confirm:visible").click()
    volunteer.get_by_test_id("activity-description").locator("textarea").fill("陪伴留守儿童学习。")
    volunteer.get_by_test_id("activity-submit").click()
    volunteer.get_by_text("结束时间须晚于开始时间").wait_for()  # checked before sending
    volunteer.get_by_test_id("activity-end_at").fill(start.strftime("%Y-%m-%dT17:00"))
    volunteer.get_by_test_id("activity-submit").click()
    volunteer.get_by_test_id("claim-status").get_by_text("待评分").wait_for()
    claim.refresh_from_db()
    assert claim.status == "activity_published"
    assert claim.activity.longitude is not None  # from the city-centre preset

    # both rate: the volunteer org from its claim, the league org from 我的 → 待评分
    volunteer.get_by_test_id("claim-rate").click()
    volunteer.locator(".van-rate__item").nth(4).click()
    confirm_dialog(volunteer)
    volunteer.get_by_text("评分已提交").wait_for()
    league.goto(f"{live_server.url}/mine")
    league.get_by_test_id("todo-to_rate").click()
    league.get_by_test_id("my-claim-card").filter(has_text=demand.title).click()
    league.get_by_test_id("claim-rate").click()
    league.locator(".van-rate__item").nth(3).click()
    confirm_dialog(league)
    league.get_by_test_id("claim-status").get_by_text("已完成").wait_for()
    shot(league, "m6-claim-completed-zh-phone")

    # both see their points
    for page, name in ((league, "league"), (volunteer, "volunteer")):
        page.goto(f"{live_server.url}/mine")
        page.get_by_test_id("mine-points").click()
        page.get_by_test_id("points-entry").first.wait_for()
        assert page.get_by_test_id("points-balance").locator("strong").inner_text() != "0"
        shot(page, f"m7-points-{name}-zh-phone")

    # English beside the Chinese
    volunteer.get_by_test_id("language-switch").count() or volunteer.goto(f"{live_server.url}/mine")
    volunteer.get_by_test_id("language-switch").click()
    volunteer.get_by_text("My claims").wait_for()
    shot(volunteer, "m8-mine-volunteer-en-phone")

    assert league_problems == [] and volunteer_problems == []
