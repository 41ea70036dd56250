"""In Debian's Chromium: a reviewer works through the queue with the keyboard alone (issue 13).

Search, 领取并审核, approve one, return one with a reason, put one back: Tab, Enter, Space and
the arrow keys only, in Chinese. Then the queue and the review screen at a phone's width, and
the queue in English. Screenshots go to var/test-output/screenshots/ (reviewer-*.png).
"""

import datetime
import os
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect
from viewflow.workflow.status import STATUS

from workflows.models import Claim, ClaimStatus

from .. import factories as f
from .conftest import CHROMIUM

SHOTS = Path(settings.BASE_DIR) / "var" / "test-output" / "screenshots"
QUEUE = "/workspace/claim/queue/"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Debian's Chromium is not installed (apt-get install chromium); browser test skipped",
    ),
]


@pytest.fixture
def claims(reviewer, operator, operator2):
    """Three claims on 陪伴 demands, the oldest overdue, and a newer one on another demand."""
    made = []
    for days, title, op in (
        (5, "【七彩假期】陪伴外来务工人员子女度过暑假", operator),
        (2, "【七彩假期】陪伴社区独居老人过中秋", operator2),
        (1, "【七彩假期】陪伴留守儿童周末阅读", operator),
    ):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=days), tick=False):
            made.append(f.claim(f.open_demand(reviewer, title=title), op))
    made.append(f.claim(f.open_demand(reviewer, title="【七彩假期】社区环保宣传"), operator2))
    return made


def log_in(browser, live_server, *, viewport=DESKTOP, locale="zh-CN"):
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={QUEUE}")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", f.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    return page


def focused(page, selector: str) -> bool:
    return page.evaluate(
        "s => document.activeElement && document.activeElement.matches(s)", selector
    )


def wait_focused(page, selector: str) -> None:
    """Wait for the page's own focus (autofocus, set when Turbo has rendered it)."""
    page.wait_for_function(
        "s => document.activeElement && document.activeElement.matches(s)", arg=selector
    )


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus, and check that it shows."""
    for _ in range(limit):
        if focused(page, selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"no visible focus on {selector}"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def wait(page, url_part: str) -> None:
    page.wait_for_url(f"**{url_part}")
    page.wait_for_load_state("networkidle")


def test_a_reviewer_works_through_the_queue_with_the_keyboard(
    live_server, browser, reviewer, claims
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    first, second, third, unrelated = claims
    page = log_in(browser, live_server)
    assert page.url.endswith(QUEUE)
    # full titles and org names, the overdue one first, no constant step column
    assert page.locator("tbody tr").count() == 4
    assert page.locator("tbody tr").first.inner_text().strip().startswith(first.demand.title)
    assert page.locator("text=审核认领").count() == 0
    assert page.locator("tbody tr").first.locator(".review-overdue").count() == 1

    # search
    tab_to(page, "input[name=q]")
    page.keyboard.type("陪伴")
    page.keyboard.press("Enter")
    wait(page, "q=%E9%99%AA%E4%BC%B4")
    assert page.locator("tbody tr").count() == 3
    page.screenshot(path=str(SHOTS / "reviewer-queue-desktop-zh.png"), full_page=True)

    # take the oldest and approve it
    tab_to(page, "button.review-take")
    page.keyboard.press("Enter")
    wait(page, f"/{first.process_id}/review/{f.review_task(first).pk}/execute/")
    wait_focused(page, "input[name=decision][value=approve]")  # autofocus on the decision
    expect(page.locator("#review-reason")).to_be_hidden()  # no reason for 同意
    page.screenshot(path=str(SHOTS / "reviewer-review-desktop-zh.png"), full_page=True)
    page.keyboard.press("Space")
    tab_to(page, "button.review-submit")
    page.keyboard.press("Enter")

    # the next one's form opens (taken for the reviewer): return it with a reason
    wait(page, f"/{second.process_id}/review/{f.review_task(second).pk}/execute/")
    assert page.locator("text=已同意该认领申请").count() >= 1
    wait_focused(page, "input[name=decision][value=approve]")
    expect(page.locator("#review-reason")).to_be_hidden()
    page.keyboard.press("ArrowDown")  # 退回
    expect(page.locator("#review-reason")).to_be_visible()
    tab_to(page, "textarea[name=reason]")
    page.keyboard.type("服务时间与需求周期不符")
    expect(page.locator("#review-reason-count")).to_contain_text("11 / 200 字")
    tab_to(page, "button.review-submit")
    page.keyboard.press("Enter")

    # the third one's form: put it back in the queue
    wait(page, f"/{third.process_id}/review/{f.review_task(third).pk}/execute/")
    wait_focused(page, "input[name=decision][value=approve]")
    tab_to(page, "button.review-unassign")
    page.keyboard.press("Enter")
    wait(page, QUEUE)
    assert page.locator("text=已将任务放回队列").count() >= 1

    assert Claim.objects.get(pk=first.pk).status == ClaimStatus.APPROVED
    second = Claim.objects.get(pk=second.pk)
    assert (second.status, second.reason) == (ClaimStatus.REJECTED, "服务时间与需求周期不符")
    task = f.review_task(third)
    assert (task.status, task.owner_id) == (STATUS.NEW, None)
    assert Claim.objects.get(pk=third.pk).status == ClaimStatus.PENDING

    # 已办任务 says what was decided
    page.goto(f"{live_server.url}/workspace/claim/archive/")
    page.wait_for_load_state("networkidle")
    assert page.locator("tr", has_text=first.demand.title).locator("text=同意").count() == 1
    returned = page.locator("tr", has_text=second.demand.title)
    assert returned.locator("text=退回").count() == 1
    assert returned.locator("text=服务时间与需求周期不符").count() == 1
    page.screenshot(path=str(SHOTS / "reviewer-archive-desktop-zh.png"), full_page=True)
    page.context.close()


def no_overflow(page) -> list[str]:
    """The cards that are wider than what holds them (a horizontal scroll inside the page)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.vf-card, .review-list tr, .review-facts'))
            .filter(e => e.scrollWidth > e.clientWidth + 1)
            .map(e => e.className)"""
    )


def test_the_queue_and_the_review_screen_on_a_phone(live_server, browser, reviewer, claims):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = log_in(browser, live_server, viewport=PHONE)
    # cards, not a table: no header row, each task a block as wide as the screen allows
    assert page.locator(".review-list thead").is_hidden()
    assert page.evaluate("getComputedStyle(document.querySelector('.review-list tr')).display") == (
        "block"
    )
    assert no_overflow(page) == []
    page.screenshot(path=str(SHOTS / "reviewer-queue-phone-zh.png"), full_page=True)

    page.locator("button.review-take").first.click()
    wait(page, "/execute/")
    page.check("input[name=decision][value=reject]")
    page.fill("textarea[name=reason]", "字" * 230)
    expect(page.locator("#review-reason-count")).to_contain_text("超出30字")
    assert no_overflow(page) == []
    page.screenshot(path=str(SHOTS / "reviewer-review-phone-zh.png"), full_page=True)
    page.context.close()


def test_the_queue_in_english(live_server, browser, reviewer, claims):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = log_in(browser, live_server)
    with page.expect_navigation():
        page.click("form.language-switch button[value=en]")
    page.goto(f"{live_server.url}{QUEUE}")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("text=待审核队列").count() == 0
    assert page.locator("tbody tr").count() == 4  # the data stay as they are
    page.screenshot(path=str(SHOTS / "reviewer-queue-desktop-en.png"), full_page=True)
    page.context.close()


def test_a_reviewer_puts_a_task_aside_until_a_follow_up_time(
    live_server, browser, reviewer, claims
):
    """The review form's 跟进时间: set it, the task leaves the queue for 待跟进; clear it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    first = claims[0]
    page = log_in(browser, live_server)
    page.locator("button.review-take").first.click()
    wait(page, "/execute/")
    at = timezone.localtime() + datetime.timedelta(days=2)
    page.fill("#id_follow_up_at", at.strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        page.click("button.review-follow-up-set")
    expect(page.locator(".review-follow-up-at")).to_have_text(at.strftime("%Y-%m-%d %H:%M"))
    assert Claim.objects.get(pk=first.pk).review_follow_up_at is not None
    page.screenshot(path=str(SHOTS / "reviewer-follow-up-desktop-zh.png"), full_page=True)

    # put back, it is not in the queue but under 待跟进, with its time
    with page.expect_navigation():
        page.click("button.review-unassign")
    page.wait_for_load_state("networkidle")
    assert page.locator(f"text={first.demand.title}").count() == 0
    page.goto(f"{live_server.url}{QUEUE}?view=followup")
    expect(page.locator(".review-follow-up")).to_contain_text(at.strftime("%Y-%m-%d %H:%M"))

    # a past time is refused on the field
    page.locator("a", has_text=first.demand.title).click()
    page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelector('#id_follow_up_at').removeAttribute('min')")
    page.fill("#id_follow_up_at", "2020-01-01T09:00")
    page.click("button.review-follow-up-set")  # a 400: Turbo renders it in place
    expect(page.locator("#review-follow-up-error")).to_contain_text("跟进时间须晚于现在")
    with page.expect_navigation():
        page.click("button.review-follow-up-clear")
    assert Claim.objects.get(pk=first.pk).review_follow_up_at is None
    page.context.close()
