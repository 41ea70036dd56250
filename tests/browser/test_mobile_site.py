"""The mobile site in Debian's Chromium at a phone's size: 首页 with yesterday's statistics and a
demand, its 需求详情 with the tabs and the masked mobile, the deep link reloaded, and English;
the login screens (wrong password, lockout, the initial password's forced change, recovery);
and the whole loop by the three roles on the client only: an individual signs up and asks for
cloud teaching → the league org adopts it and publishes a demand from it → a volunteer org
claims → approval → activity → both rate → points, with the privacy rules as seen on screen.

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
from playwright.sync_api import expect

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
    # the figures arrive with their own request: wait for them, not for the caption
    expect(page.get_by_test_id("stats-demands")).to_have_text("3")
    expect(page.get_by_test_id("stats-claims")).to_have_text("1")
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
    expect(page.get_by_test_id("stats-demands")).to_have_text("1")
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


# -- the loop on a phone: 求助, adopt, publish, claim, approve, activity, ratings, points -------


def new_phone(browser, locale="zh-CN"):
    context = browser.new_context(
        locale=locale, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


def log_in(page, live_server, username, password, next_path, tab="组织/团体登录"):
    """The mobile 登录 screen (POST /auth/session/), then wherever `next` says."""
    page.goto(f"{live_server.url}/login?next={next_path}")
    page.get_by_role("tab", name=tab).click()
    page.get_by_test_id("field-username").locator("input").fill(username)
    page.get_by_test_id("field-password").locator("input").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"**{next_path}")


def signed_in(browser, live_server, user, next_path, locale="zh-CN"):
    page, problems = new_phone(browser, locale)
    log_in(page, live_server, user.username, f.PASSWORD, next_path)
    return page, problems


def confirm_dialog(page):
    page.locator(".van-dialog__confirm:visible").click()


def code_for(outbox, phone):
    return [m for m in outbox() if m["phone"] == phone][-1]["code"]


STUDENT = "赵小二"


def test_three_roles_close_the_loop(live_server, browser, reviewer, operator, outbox):
    from playwright.sync_api import expect

    from demands.models import Demand, InitialDemand
    from workflows.models import Claim

    # 注册 (个人): mobile, SMS code from the outbox, password twice, then on to 求助
    person, person_problems = new_phone(browser)
    person.goto(f"{live_server.url}/login?next=/help")
    person.get_by_role("tab", name="个人登录").click()
    shot(person, "i0-login-personal-zh-phone")
    person.get_by_test_id("to-register").click()
    person.get_by_test_id("register-form").wait_for()
    person.get_by_test_id("field-mobile").locator("input").fill("13912345678")
    person.get_by_test_id("sms-send").click()
    person.get_by_test_id("sms-send").get_by_text("秒").wait_for()  # the 60-second countdown
    person.get_by_test_id("field-sms").locator("input").fill(code_for(outbox, "13912345678"))
    person.get_by_test_id("field-password").locator("input").fill("Blue-sky-2026")
    person.get_by_test_id("field-password2").locator("input").fill("Blue-sky-2025")
    person.get_by_test_id("register-submit").click()
    person.get_by_text("两次输入的密码不一致").wait_for()  # checked before sending
    person.get_by_test_id("field-password2").locator("input").fill("Blue-sky-2026")
    person.get_by_test_id("field-display-name").locator("input").fill("赵雷")
    shot(person, "i1-register-zh-phone")
    person.get_by_test_id("register-submit").click()

    # 求助: a 青年云支教 request with the student, ≤3 courses with scores, ≤3 interests
    form = person.get_by_test_id("help-form")
    form.wait_for()
    assert person.get_by_test_id("tabbar").get_by_text("求助").count() == 1
    title = person.get_by_test_id("field-title").locator("input")
    assert title.input_value() == "【乡村云支教】"
    title.fill("【乡村云支教】我需要补习英语")
    person.get_by_test_id("field-student-name").locator("input").fill(STUDENT)
    person.get_by_test_id("field-gender").get_by_role("button", name="男").click()
    person.get_by_test_id("field-grade").click()
    person.locator(".van-picker__confirm:visible").click()
    person.get_by_test_id("field-school").locator("input").fill("李村小学")
    person.get_by_test_id("field-student-city").click()
    person.locator(".van-picker__confirm:visible").click()
    person.get_by_test_id("field-address").locator("textarea").fill("深圳市李村小学")
    for course, score in (("english", "44"), ("math", "176"), ("chinese", "66")):
        person.get_by_test_id(f"course-{course}").click()
        person.get_by_test_id(f"score-{course}").fill(score)
    person.get_by_test_id("course-physics").click()  # a fourth course is refused
    person.get_by_text("最多选择3门课程").wait_for()
    assert person.get_by_test_id("score-physics").count() == 0
    for interest in ("绘画", "棋类", "朗诵", "舞蹈"):  # the fourth is not taken
        person.get_by_test_id("field-interests").get_by_role("button", name=interest).click()
    assert person.locator("[data-testid=field-interests] [aria-pressed=true]").count() == 3
    person.get_by_test_id("field-league-org").click()
    person.get_by_test_id("league-org-search").locator("input").fill("深圳市")
    person.get_by_test_id("league-org-option").filter(has_text="共青团深圳市委员会").click()
    person.get_by_test_id("field-contact-mobile").locator("input").fill("18500000001")
    person.get_by_test_id("sms-send").click()
    person.get_by_test_id("sms-send").get_by_text("秒").wait_for()
    person.get_by_test_id("field-sms").locator("input").fill(code_for(outbox, "18500000001"))
    person.get_by_test_id("help-submit").click()
    person.get_by_text("分数须为0到150之间的数字").wait_for()  # 176: nothing typed is lost
    assert person.get_by_test_id("field-student-name").locator("input").input_value() == STUDENT
    shot(person, "i2-help-score-error-zh-phone")
    person.get_by_test_id("score-math").fill("76")
    person.get_by_test_id("help-submit").click()
    person.get_by_test_id("help-done").get_by_text("发布成功").wait_for()
    shot(person, "i3-help-done-zh-phone")
    initial = InitialDemand.objects.get(title="【乡村云支教】我需要补习英语")
    assert initial.league_org.name == "共青团深圳市委员会"
    assert initial.student.courses == [
        {"course": "english", "score": 44},
        {"course": "math", "score": 76},
        {"course": "chinese", "score": 66},
    ]

    # 我的求助: 待采用, the student record shown to its family
    person.get_by_test_id("help-view").click()
    person.get_by_test_id("initial-student").get_by_text(STUDENT).wait_for()
    shot(person, "i4-my-help-detail-zh-phone")

    # the league org logs in on its phone, reads the student, adopts, publishes from it
    league, league_problems = signed_in(browser, live_server, reviewer, "/mine")
    league.get_by_test_id("mine-initial").click()
    league.get_by_test_id("initial-card").filter(has_text=initial.title).click()
    league.get_by_test_id("initial-student").get_by_text(STUDENT).wait_for()
    league.get_by_test_id("initial-adopt").click()
    confirm_dialog(league)
    league.get_by_test_id("initial-status").get_by_text("已采用").wait_for()
    league.get_by_test_id("initial-publish").click()

    # 发布, step 1 (填写需求内容): the request is linked; the zone's prefix is filled in
    league.get_by_test_id("publish-step-content").wait_for()
    expect(league.get_by_test_id("field-initial").locator("input")).to_have_value(initial.title)
    league.get_by_role("button", name="青年云支教", exact=True).click()
    title = league.get_by_test_id("field-title").locator("input")
    assert title.input_value() == "【云支教】"
    title.fill("【云支教】为三年级学生补习英语")
    league.get_by_role("button", name="其他").first.click()
    league.get_by_test_id("next-step").click()
    league.get_by_text("需求类型为“其他”时须填写说明").wait_for()  # the 其他 text is required
    league.get_by_test_id("field-type-other").locator("input").fill("线上补习")
    league.get_by_test_id("field-volunteers").locator("input").fill("2")
    league.get_by_test_id("field-content").locator("textarea").fill("每周两次线上英语辅导。")
    league.get_by_test_id("field-period").click()
    # The calendar slides up and scrolls to today: pick the days once it stands still (a click
    # while it moves lands on another day, the last day of a month showed it).
    league.locator(".van-calendar").wait_for()
    league.wait_for_selector(".van-popup-slide-bottom-enter-active", state="detached")
    days = league.locator(".van-calendar__day:not(.van-calendar__day--disabled)")
    days.nth(1).click()
    league.locator(".van-calendar__day--start").wait_for()
    days.nth(5).click()
    league.locator(".van-calendar__day--end").wait_for()
    league.locator(".van-calendar__confirm").click()
    league.get_by_role("button", name="餐饮保障").click()
    shot(league, "m1-publish-content-zh-phone")
    league.get_by_test_id("next-step").click()

    # step 2 (确认组织信息): region, contact, mobile verified by an SMS code with a countdown
    league.get_by_test_id("publish-step-org").wait_for()
    league.get_by_test_id("field-region").click()
    cascader = league.get_by_test_id("region-cascader")
    cascader.get_by_role("tab", name="请选择").wait_for()  # 广东省 preselected: the cities show
    shot(league, "m2-publish-region-zh-phone")
    cascader.get_by_text("深圳市", exact=True).click()
    cascader.get_by_text("罗湖区", exact=True).click()
    league.get_by_test_id("region-cascader").wait_for(state="hidden")
    assert (
        league.get_by_test_id("field-region").locator("input").input_value()
        == "广东省 / 深圳市 / 罗湖区"
    )
    league.get_by_test_id("field-contact-name").locator("input").fill("李雷")
    league.get_by_test_id("field-landline").locator("input").fill("0755-88889999")
    league.get_by_test_id("field-mobile").locator("input").fill("18826480174")
    league.get_by_test_id("sms-send").click()
    league.get_by_test_id("sms-send").get_by_text("秒").wait_for()
    league.get_by_test_id("field-sms").locator("input").fill(code_for(outbox, "18826480174"))
    shot(league, "m2-publish-org-zh-phone")
    league.get_by_test_id("publish-submit").click()
    league.get_by_test_id("publish-done").get_by_text("发布成功").wait_for()
    shot(league, "m3-publish-done-zh-phone")
    demand = Demand.objects.get(title="【云支教】为三年级学生补习英语")
    assert demand.status == "open" and list(demand.initial_demands.all()) == [initial]
    assert (str(demand.city), demand.district) == ("深圳市", "罗湖区")

    # an anonymous visitor: the mobile masked, no student record on the public demand
    visitor, visitor_problems = new_phone(browser)
    visitor.goto(f"{live_server.url}/demands/{demand.pk}")
    visitor.get_by_role("tab", name="组织/团体信息").click()
    visitor.get_by_test_id("contact-mobile").get_by_text("188****0174").wait_for()
    content = visitor.content()
    assert "18826480174" not in content and STUDENT not in content and "李村小学" not in content

    # the volunteer org (profile complete): masked before approval; 收藏 keeps its state; 举报
    volunteer, volunteer_problems = signed_in(
        browser, live_server, operator, f"/demands/{demand.pk}"
    )
    volunteer.get_by_role("tab", name="组织/团体信息").click()
    volunteer.get_by_test_id("contact-mobile").get_by_text("188****0174").wait_for()
    volunteer.get_by_test_id("favorite-button").click()
    volunteer.get_by_test_id("favorite-button").get_by_text("已收藏").wait_for()
    volunteer.reload()
    volunteer.get_by_test_id("favorite-button").get_by_text("已收藏").wait_for()  # favorited
    volunteer.get_by_test_id("report-button").click()
    confirm_dialog(volunteer)
    volunteer.get_by_text("请填写举报原因").wait_for()
    volunteer.get_by_test_id("report-reason").locator("textarea").fill("联系电话无法接通")
    confirm_dialog(volunteer)
    volunteer.get_by_text("举报已提交（编号").wait_for()
    volunteer.get_by_test_id("report-reason").wait_for(state="hidden")
    confirm_dialog(volunteer)
    volunteer.get_by_test_id("claim-button").click()
    confirm_dialog(volunteer)
    volunteer.get_by_text("您的认领申请已发送给需求团组织").wait_for()
    confirm_dialog(volunteer)
    assert STUDENT not in volunteer.content()
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

    # the volunteer org sees the whole mobile (tel: link, and on the demand) and publishes
    volunteer.goto(f"{live_server.url}/demands/{demand.pk}")
    volunteer.get_by_role("tab", name="组织/团体信息").click()
    volunteer.get_by_test_id("contact-mobile").get_by_text("188 2648 0174").wait_for()
    volunteer.goto(f"{live_server.url}/mine")
    volunteer.get_by_test_id("mine-claims").click()
    volunteer.get_by_test_id("my-claim-card").filter(has_text=demand.title).click()
    tel = volunteer.get_by_test_id("claim-tel")
    tel.wait_for()
    assert tel.get_attribute("href") == "tel:18826480174"
    shot(volunteer, "m5-claim-approved-zh-phone")
    volunteer.get_by_test_id("claim-publish-activity").click()
    volunteer.get_by_test_id("activity-form").wait_for()
    activity_title = volunteer.get_by_test_id("activity-title").locator("input")
    assert activity_title.input_value() == "【云支教】"
    activity_title.fill("【云支教】三年级英语线上辅导")
    volunteer.get_by_role("button", name="助学支教").click()
    volunteer.get_by_test_id("activity-recruit").locator("input").fill("2")
    start = timezone.localtime() + datetime.timedelta(days=2)
    volunteer.get_by_test_id("activity-start_at").fill(start.strftime("%Y-%m-%dT09:00"))
    volunteer.get_by_test_id("activity-end_at").fill(start.strftime("%Y-%m-%dT08:00"))
    volunteer.get_by_test_id("activity-address").locator("input").fill("深圳市罗湖区东门街道")
    volunteer.get_by_test_id("activity-preset").click()
    volunteer.locator(".van-picker__confirm:visible").click()
    volunteer.get_by_test_id("activity-description").locator("textarea").fill("线上英语辅导。")
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

    # 评分信息 on the demand: both sides' ratings, now that both rated
    visitor.goto(f"{live_server.url}/demands/{demand.pk}")
    visitor.get_by_role("tab", name="评分信息").click()
    ratings = visitor.get_by_test_id("demand-rating")
    ratings.get_by_text("团组织评价志愿服务组织").wait_for()
    assert ratings.get_by_text("志愿服务组织评价团组织").count() == 1
    visitor.wait_for_timeout(400)  # the tab's underline slides over
    shot(visitor, "m7-detail-ratings-zh-phone")

    # both see their points
    for page, name in ((league, "league"), (volunteer, "volunteer")):
        page.goto(f"{live_server.url}/mine")
        page.get_by_test_id("mine-points").click()
        page.get_by_test_id("points-entry").first.wait_for()
        assert page.get_by_test_id("points-balance").locator("strong").inner_text() != "0"
        shot(page, f"m8-points-{name}-zh-phone")

    # the family follows it to 已发布, the student still theirs to see
    person.goto(f"{live_server.url}/mine")
    person.get_by_test_id("mine-help").click()
    person.get_by_test_id("initial-card").filter(has_text=initial.title).get_by_test_id(
        "initial-stage"
    ).get_by_text("已发布").wait_for()
    shot(person, "i5-my-help-list-zh-phone")

    # English beside the Chinese
    volunteer.goto(f"{live_server.url}/mine")
    volunteer.get_by_test_id("language-switch").click()
    volunteer.get_by_text("My claims").wait_for()
    shot(volunteer, "m9-mine-volunteer-en-phone")
    person.goto(f"{live_server.url}/mine")
    person.get_by_test_id("language-switch").click()
    person.get_by_text("My help requests").wait_for()
    person.goto(f"{live_server.url}/help")
    person.get_by_test_id("help-form").get_by_text("Courses to tutor (up to 3)").wait_for()
    shot(person, "i6-help-en-phone")

    problems = league_problems + volunteer_problems + person_problems + visitor_problems
    assert problems == []


def test_login_refusals_initial_password_and_recovery(live_server, browser, reviewer, outbox):
    from orgs.models import LoginFailure, User

    reviewer.set_password("000000")
    reviewer.must_change_password = True
    reviewer.mobile = "13700000001"
    reviewer.save()
    page, problems = new_phone(browser)

    # a wrong password is said on the field; the sixth try says how long the lockout lasts
    page.goto(f"{live_server.url}/login?next=/publish")
    shot(page, "a1-login-org-zh-phone")
    for attempt in range(6):
        page.get_by_test_id("field-username").locator("input").fill(reviewer.username)
        page.get_by_test_id("field-password").locator("input").fill(f"wrong-{attempt}")
        page.get_by_test_id("login-submit").click()
        page.locator("[data-testid=login-submit]:not(.van-button--loading)").wait_for()
        if attempt == 0:
            page.get_by_test_id("field-password").get_by_text("不正确").wait_for()
    page.get_by_test_id("login-failure").get_by_text("分钟后再试").wait_for()
    shot(page, "a2-login-locked-zh-phone")
    LoginFailure.objects.all().delete()  # the lockout ends

    # the initial password: 修改初始密码 first, then on to where the user was going
    page.get_by_test_id("field-password").locator("input").fill("000000")
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("password-change-form").wait_for()
    page.get_by_test_id("field-old-password").locator("input").fill("000000")
    page.get_by_test_id("field-new-password").locator("input").fill("Shenzhen-2026")
    page.get_by_test_id("field-new-password2").locator("input").fill("Shenzhen-2026")
    shot(page, "a3-password-change-zh-phone")
    page.get_by_test_id("change-submit").click()
    page.wait_for_url("**/publish")
    page.get_by_test_id("publish-steps").wait_for()
    reviewer.refresh_from_db()
    assert not reviewer.must_change_password

    # 退出登录 in 我的, then 忘记密码: mobile → SMS code → new password → log in with it
    page.goto(f"{live_server.url}/mine")
    page.get_by_test_id("logout").click()
    page.get_by_test_id("mine-login").wait_for()
    page.goto(f"{live_server.url}/login")
    page.get_by_test_id("to-reset").click()
    page.get_by_test_id("field-mobile").locator("input").fill("13700000001")
    page.get_by_test_id("sms-send").click()
    page.get_by_test_id("sms-send").get_by_text("秒").wait_for()
    page.get_by_test_id("field-sms").locator("input").fill(code_for(outbox, "13700000001"))
    page.get_by_test_id("field-password").locator("input").fill("Guangdong-2026")
    page.get_by_test_id("field-password2").locator("input").fill("Guangdong-2026")
    shot(page, "a4-password-reset-zh-phone")
    page.get_by_test_id("reset-submit").click()
    page.wait_for_url("**/login?**")
    assert page.get_by_test_id("field-username").locator("input").input_value() == reviewer.username
    page.get_by_test_id("field-password").locator("input").fill("Guangdong-2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/mine")
    page.get_by_test_id("mine-head").wait_for()
    assert User.objects.get(pk=reviewer.pk).check_password("Guangdong-2026")

    # English
    page.get_by_test_id("language-switch").click()
    page.goto(f"{live_server.url}/login")
    page.get_by_role("tab", name="Personal").click()
    shot(page, "a5-login-personal-en-phone")
    assert problems == []
