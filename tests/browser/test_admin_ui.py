"""In Debian's Chromium: a provincial administrator filters the monitor, cancels processes in
bulk and exports them, in Chinese and in English, on a desktop and on a phone.

Screenshots go to var/test-output/screenshots/ (as test_operator_ui.py's do).
"""

import io
import os

import pytest
from openpyxl import load_workbook

from orgs.choices import Role
from orgs.models import AuditRecord, Membership
from workflows.models import Claim

from .. import factories as f
from .conftest import CHROMIUM
from .test_operator_ui import SHOTS
from .workspace import PHONE, open_workspace

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Debian's Chromium is not installed (apt-get install chromium); browser test skipped",
    ),
]


@pytest.fixture
def world(province, reviewer, other_reviewer, operator, operator2):
    admin = f.UserFactory(username="admin_gd", display_name="团省委管理员")
    Membership.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, league_org=province)
    holiday = f.open_demand(reviewer, title="【七彩假期】陪伴外来务工人员子女度过假期")
    hiking = f.open_demand(reviewer, title="【七彩假期】周末亲子环保徒步")
    teaching = f.open_demand(
        other_reviewer, zone="cloud_teaching", city=f.city("广州市"), title="【云支教】数学辅导"
    )
    return {
        "admin": admin,
        "first": f.claim(holiday, operator),
        "second": f.claim(hiking, operator),
        "other": f.claim(teaching, operator2),
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_admin_filters_cancels_in_bulk_and_exports(live_server, browser, world, language):
    SHOTS.mkdir(parents=True, exist_ok=True)
    first, second, other = world["first"], world["second"], world["other"]
    page = open_workspace(
        browser, live_server, "admin_gd", language=language, accept_downloads=True
    )
    page.goto(f"{live_server.url}/workspace/claim/flows/")
    page.wait_for_load_state("networkidle")
    assert page.locator("input[name=_search]").count() == 1  # one search box

    def rows():
        return {
            int(pk)
            for pk in page.locator("tbody tr[data-row-id]").evaluate_all(
                "rows => rows.map(r => r.dataset.rowId)"
            )
        }

    # search and a filter, applied together from one form
    page.fill("input[name=_search]", first.org.name)
    page.select_option("select[name=zone]", "colorful_holiday")
    with page.expect_navigation():
        page.click("[data-testid=monitor-filter] button[type=submit]")
    assert rows() == {first.process_id, second.process_id}
    assert page.locator("input[name=_search]").input_value() == first.org.name
    assert page.locator("[data-testid=filter-chip]").count() == 2

    # removing the search's chip keeps the zone
    with page.expect_navigation():
        page.locator("[data-testid=filter-chip][data-key=_search] a").click()
    assert "zone=colorful_holiday" in page.url and "_search" not in page.url
    assert page.locator("select[name=zone]").input_value() == "colorful_holiday"
    page.screenshot(path=str(SHOTS / f"admin-1-monitor-filtered-{language}.png"), full_page=True)

    # a bad value is the form's error, not ignored
    page.goto(
        f"{live_server.url}/workspace/claim/flows/?created_from=2026-05-02&created_to=2026-05-01"
    )
    assert page.locator(".monitor-errors").count() == 1
    assert rows() == set()

    # reset
    with page.expect_navigation():
        page.click("[data-testid=filter-reset]")
    assert rows() == {first.process_id, second.process_id, other.process_id}
    assert page.locator("[data-testid=filter-chip]").count() == 0

    # cancel two in bulk with one reason
    page.check(f"input[name=process][value='{first.process_id}']")
    page.check(f"input[name=process][value='{second.process_id}']")
    page.fill("[data-testid=bulk-cancel] textarea[name=reason]", "重复发布，合并处理")
    with page.expect_navigation():
        page.click("[data-testid=bulk-cancel] button[type=submit]")
    results = page.locator("[data-testid=bulk-result] li")
    assert results.count() == 2
    assert page.locator("[data-testid=bulk-result] li[data-ok='1']").count() == 2
    page.screenshot(path=str(SHOTS / f"admin-2-bulk-cancelled-{language}.png"), full_page=True)
    for claim in (first, second):
        claim.refresh_from_db()
        assert claim.is_cancelled and claim.reason == "重复发布，合并处理"
        assert AuditRecord.objects.filter(object_id=claim.pk, action="cancel").count() == 1
    assert not Claim.objects.get(pk=other.pk).is_cancelled

    # the cancelled process's page says so
    page.goto(f"{live_server.url}/workspace/claim/{first.process_id}/")
    assert page.locator("[data-testid=process-cancelled]").count() == 1
    page.screenshot(path=str(SHOTS / f"admin-3-cancelled-process-{language}.png"), full_page=True)

    # export what the monitor lists: a real date cell
    page.goto(f"{live_server.url}/workspace/claim/flows/?status=CANCELED")
    with page.expect_download() as download:
        page.click("[data-testid=export-processes-xlsx]")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert sheet.max_row == 3  # header + the two cancelled processes
    created = sheet.cell(row=2, column=10)  # 发起时间 (the header is in the page's language)
    assert created.is_date and created.number_format == "yyyy-mm-dd hh:mm"
    assert sheet.freeze_panes == "A2"
    page.context.close()


def test_admin_on_a_phone(live_server, browser, world):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_workspace(browser, live_server, "admin_gd", viewport=PHONE)
    for name, path in [
        ("board", "/workspace/claim/dashboard/"),
        ("monitor", "/workspace/claim/flows/?zone=colorful_holiday"),
        ("process", f"/workspace/claim/{world['first'].process_id}/"),
        ("stats", "/workspace/claim/monitor/dashboard/?period=7"),
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name} scrolls sideways: {width}px"
        page.screenshot(path=str(SHOTS / f"admin-phone-{name}.png"), full_page=True)
    # the monitor's rows are cards: no table header on a phone
    page.goto(f"{live_server.url}/workspace/claim/flows/")
    assert not page.locator(".monitor-table thead").is_visible()
    assert page.locator("tbody tr[data-row-id]").count() == 3
    page.context.close()
