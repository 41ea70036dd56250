"""In Debian's Chromium: a reviewer decides a claim from the queue, an administrator follows it.

Screenshots go to var/test-output/screenshots/. The test skips, saying why, where Chromium is
not installed (`make test` installs it with apt-get where it can).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from orgs.choices import Role
from orgs.models import AuditRecord, Membership
from workflows.models import Claim, ClaimStatus

from .. import factories as f
from .conftest import CHROMIUM
from .workspace import open_workspace

SHOTS = Path(settings.BASE_DIR) / "var" / "test-output" / "screenshots"
WIDE = {"width": 1400, "height": 900}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Debian's Chromium is not installed (apt-get install chromium); browser test skipped",
    ),
]


def test_reviewer_approves_from_the_queue_and_admin_follows(
    live_server, browser, province, reviewer, operator, operator2
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    admin = f.UserFactory(username="admin_gd")
    Membership.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, league_org=province)
    first_demand = f.open_demand(reviewer, title="【七彩假期】陪伴外来务工人员子女度过假期")
    chosen = f.claim(first_demand, operator)
    competitor = f.claim(first_demand, operator2)
    later_demand = f.open_demand(reviewer, title="【七彩假期】周末亲子环保徒步")
    f.claim(later_demand, operator)

    # the reviewer lands on the queue in one click from the login
    page = open_workspace(browser, live_server, "reviewer", viewport=WIDE)
    assert page.url.endswith("/workspace/claim/queue/")
    assert page.locator("text=已超期").count() == 0
    page.screenshot(path=str(SHOTS / "1-reviewer-queue.png"), full_page=True)

    # opens the task of the chosen claim, takes it, approves it
    row = page.locator("tr", has_text=chosen.org.name).filter(has_text=first_demand.title)
    row.locator("a").first.click()
    page.wait_for_url("**/assign/")
    page.click("button:has-text('领取并审核')")
    page.wait_for_url("**/execute/")
    page.wait_for_load_state("networkidle")
    assert page.locator(f"text={competitor.org.name}").count() >= 1  # competing claims shown
    page.screenshot(path=str(SHOTS / "2-review-screen.png"), full_page=True)
    page.check("input[name=decision][value=approve]")
    page.click("button:has-text('提交审核结果')")
    page.wait_for_url(lambda url: f"/{chosen.process_id}/" not in url)
    page.wait_for_load_state("networkidle")

    chosen.refresh_from_db()
    competitor.refresh_from_db()
    assert chosen.status == ClaimStatus.APPROVED
    assert competitor.status == ClaimStatus.REJECTED
    # … and is taken to the next task: the later demand's claim
    assert "/review/" in page.url
    assert f"/{chosen.process_id}/" not in page.url
    page.screenshot(path=str(SHOTS / "3-next-task.png"), full_page=True)

    # the administrator opens that process: chart and audit trail
    page = open_workspace(browser, live_server, "admin_gd", viewport=WIDE)
    assert page.url.endswith("/workspace/claim/dashboard/")
    page.goto(f"{live_server.url}/workspace/claim/{chosen.process_id}/")
    page.wait_for_load_state("networkidle")
    chart = page.locator(f"img[src*='/{chosen.process_id}/chart/']")
    assert chart.count() == 1
    assert chart.evaluate("img => img.naturalWidth") > 0  # the chart really rendered
    approve = AuditRecord.objects.get(object_id=chosen.pk, action="approve")
    assert approve.actor == reviewer
    assert page.locator("text=操作记录").count() == 1
    assert (
        page.locator("tr", has_text="同意").count() + page.locator("tr", has_text="approve").count()
        >= 1
    )
    page.screenshot(path=str(SHOTS / "4-admin-process.png"), full_page=True)
    assert Claim.objects.get(pk=chosen.pk).process.status == "NEW"  # waiting for the activity
