"""In Debian's Chromium: a league operator publishes a demand through the two-step wizard (with
the SMS code from the test outbox) and rates a published activity, at desktop and phone widths.

Screenshots (zh and en) go to var/test-output/screenshots/, beside test_operator_ui.py's.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from demands.models import Demand, DemandStatus
from scoring.models import Rating, Side
from workflows import services as claim_services

from .. import factories as f
from .conftest import CHROMIUM
from .workspace import DESKTOP, PHONE, open_workspace

SHOTS = Path(settings.BASE_DIR) / "var" / "test-output" / "screenshots"
SIZES = {"desktop": DESKTOP, "phone": PHONE}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Debian's Chromium is not installed (apt-get install chromium); browser test skipped",
    ),
]


def choose(page, name, value):
    """Pick `value` in the Material select of field `name`."""
    page.click(f"#id_{name} .mdc-select__anchor")
    page.click(f"#id_{name} li[data-value='{value}']")


def shoot(page, live_server, name):
    """The page in Chinese and in English."""
    for language in ("zh-hans", "en"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.reload()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SHOTS / f"league-{name}-{language}.png"), full_page=True)
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    )
    page.reload()
    page.wait_for_load_state("networkidle")


def content_fits(page) -> bool:
    """Nothing in the league page's cards is wider than its card: on a phone the rows are cards
    and the texts wrap. (How wide the cards are is the Site frame's: its top bar, not ours.)"""
    return page.evaluate(
        """() => [...document.querySelectorAll('.vf-card')].every(card => {
            const edge = card.getBoundingClientRect().right + 1;
            return [...card.querySelectorAll('*')].every(e => e.getBoundingClientRect().right <= edge);
        })"""
    )


def in_service_claim(reviewer, operator, title):
    demand = f.open_demand(reviewer, title=title)
    claim = f.claim(demand, operator)
    claim_services.claim_approve(claim=claim, actor=reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    return claim


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_league_operator_publishes_through_the_wizard_and_rates(
    live_server, browser, reviewer, operator, outbox, size
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    claim = in_service_claim(reviewer, operator, "【七彩假期】关爱留守儿童假期陪伴计划")
    page = open_workspace(
        browser, live_server, "reviewer", next_path="/workspace/league/", viewport=SIZES[size]
    )
    base = f"{live_server.url}/workspace/league/"

    # 发布需求, step 1: the steps are numbered once, the required fields marked.
    page.goto(base + "demands/add/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".league-steps__number").all_inner_texts() == ["1", "2", "3"]
    assert page.locator("#id_title_control[required]").count() == 1
    choose(page, "zone", "colorful_holiday")
    page.fill("#id_title_control", "【七彩假期】招募假期交通安全课志愿讲师")
    choose(page, "type", "care_for_minors")
    page.fill("#id_volunteers_needed_control", "6")
    page.fill("#id_content_control", "为社区孩子讲授交通安全课。\n每周两次，每次一小时。")
    today = timezone.localdate()
    # A past start is refused at this step already, by the domain's period rule.
    page.fill("#id_start_date_control", str(today - datetime.timedelta(days=2)))
    page.fill("#id_end_date_control", str(today + datetime.timedelta(days=20)))
    page.click("button[value=next]")
    page.get_by_text("开始日期不能早于今天").first.wait_for()
    assert "/demands/add/" in page.url
    assert not Demand.objects.filter(title__contains="交通安全课").exists()
    assert content_fits(page)
    page.fill("#id_start_date_control", str(today + datetime.timedelta(days=1)))
    page.click("button[value=next]")
    page.wait_for_url("**/contact/")
    page.wait_for_load_state("networkidle")
    demand = Demand.objects.get(title="【七彩假期】招募假期交通安全课志愿讲师")

    # Step 2: the contact, the SMS code (its button counts down), 发布.
    choose(page, "city", str(f.city("深圳市").pk))
    page.fill("#id_district_control", "罗湖区")
    page.fill("#id_contact_name_control", "李雷")
    page.fill("#id_contact_landline_control", "0755-88889999")
    page.fill("#id_contact_mobile_control", "18826480174")
    page.click("button.league-sms")
    page.get_by_role("status").get_by_text("验证码已发送").wait_for()
    assert page.locator("button.league-sms").is_disabled()
    assert "重新发送(" in page.locator("button.league-sms").inner_text()
    code = [m for m in outbox() if m["phone"] == "18826480174"][-1]["code"]
    page.fill("#id_sms_code_control", code)
    # (A reload would drop what was typed: this step is shot as it stands, in Chinese.)
    page.screenshot(path=str(SHOTS / f"league-wizard-step2-{size}-zh-hans.png"), full_page=True)
    page.click("button[value=publish]")
    page.wait_for_url(f"**/demands/{demand.pk}/")
    page.wait_for_load_state("networkidle")
    demand.refresh_from_db()
    assert demand.status == DemandStatus.OPEN
    assert page.locator(".league-progress__step--done").count() == 1  # 发布需求, with its time
    assert page.locator(".league-progress__date").count() == 1
    content = page.locator("td.league-text", has_text="每周两次")  # whole, with its line break
    assert content.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-line"
    assert content_fits(page)
    shoot(page, live_server, f"demand-detail-{size}")

    # 评分: the published activity waits for this org's rating.
    page.goto(base + "ratings/")
    page.wait_for_load_state("networkidle")
    card = page.locator(f"#claim-{claim.pk}")
    assert card.count() == 1
    shoot(page, live_server, f"ratings-{size}")
    card.locator(f"input[name='{claim.pk}-stars'][value='4']").check(force=True)
    card.locator("textarea").fill("准时到岗，认真负责")
    card.locator("button[type=submit]").click()
    page.locator("#given td", has_text="准时到岗，认真负责").wait_for()  # the result, shown
    rating = Rating.objects.get(claim=claim)
    assert (rating.side, rating.stars, rating.comment) == (Side.LEAGUE, 4, "准时到岗，认真负责")
    assert page.locator(f"#claim-{claim.pk}").count() == 0
    assert content_fits(page)
    shoot(page, live_server, f"rated-{size}")

    # The lists are cards on a phone: no header row, each cell labelled.
    page.goto(base + "demands/")
    page.wait_for_load_state("networkidle")
    assert content_fits(page)
    if size == "phone":
        assert not page.locator(".league-list thead").is_visible()
    shoot(page, live_server, f"my-publications-{size}")
    page.context.close()
