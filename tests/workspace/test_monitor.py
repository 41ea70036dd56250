"""The provincial administrators' process monitor: list, detail, actions, dashboard, exports."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from viewflow.workflow.models import Task

from demands.models import DemandStatus
from orgs.errors import InvalidInput, NotAllowed, StateConflict
from orgs.models import AuditRecord, Membership
from scoring import services as scoring
from workflows import services
from workflows.flows import ClaimFlow
from workflows.models import ClaimProcess, ClaimStatus
from workspace import dashboard

from .. import factories as f

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def url(name, *args, query=""):
    return reverse(f"claim:{name}", args=args) + (f"?{query}" if query else "")


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {process.pk for process in response.context["object_list"]}


def refreshed(claim):
    claim.refresh_from_db()
    return claim


def process_status(claim) -> str:
    return ClaimProcess.objects.get(pk=claim.process_id).status


@pytest.fixture
def admin(province):
    user = f.UserFactory(username="admin", display_name="省管理员")
    Membership.objects.create(user=user, role="provincial_admin", league_org=province)
    return user


@pytest.fixture
def colleague(league):
    return f.reviewer_of(league, username="colleague")


@pytest.fixture
def pending(demand, operator):
    """A pending claim on the Shenzhen league org's 七彩假期 demand in 深圳市."""
    return f.claim(demand, operator)


@pytest.fixture
def other_pending(other_reviewer, operator2):
    """A pending claim on the Guangzhou league org's 云支教 demand in 广州市."""
    other_demand = f.open_demand(
        other_reviewer, zone="cloud_teaching", city=f.city("广州市"), contact_mobile="13912345678"
    )
    return f.claim(other_demand, operator2)


@pytest.fixture
def approved(pending, reviewer):
    services.claim_approve(claim=pending, actor=reviewer)
    return refreshed(pending)


# -- who may see what --------------------------------------------------------------------------


def test_admin_sees_every_process(client, admin, pending, other_pending):
    client.force_login(admin)
    assert listed(client.get(url("process_list"))) == {
        pending.process_id,
        other_pending.process_id,
    }


def test_reviewer_sees_their_league_orgs_processes_only(
    client, reviewer, other_reviewer, pending, other_pending
):
    client.force_login(reviewer)
    assert listed(client.get(url("process_list"))) == {pending.process_id}
    client.force_login(other_reviewer)
    assert listed(client.get(url("process_list"))) == {other_pending.process_id}


def test_reviewer_cannot_open_another_orgs_process_by_guessing_its_id(
    client, reviewer, pending, other_pending
):
    client.force_login(reviewer)
    assert client.get(url("process_detail", pending.process_id)).status_code == 200
    assert client.get(url("process_detail", other_pending.process_id)).status_code == 403
    assert client.get(url("process_detail", other_pending.process_id + 100)).status_code == 404


def test_operator_is_refused_the_monitor(client, operator, pending):
    client.force_login(operator)
    assert client.get(url("process_list")).status_code == 403
    assert client.get(url("process_detail", pending.process_id)).status_code == 403


def test_anonymous_is_refused(client, pending):
    targets = [url("process_list"), url("process_detail", pending.process_id)]
    targets += [url("monitor_dashboard"), url("monitor_export_processes", "csv")]
    for target in targets:
        response = client.get(target)
        assert response.status_code == 302, target
        assert response["Location"].startswith("/accounts/login/?next=/workspace/")


@pytest.mark.parametrize(
    "name,args",
    [
        ("monitor_dashboard", ()),
        ("monitor_export_processes", ("csv",)),
        ("monitor_export_demands", ("xlsx",)),
        ("process_cancel", ("PROCESS",)),
        ("process_reassign", ("PROCESS",)),
    ],
)
def test_administrators_pages_refuse_reviewers_and_operators(
    client, reviewer, operator, pending, name, args
):
    args = [pending.process_id if arg == "PROCESS" else arg for arg in args]
    for user in (reviewer, operator):
        client.force_login(user)
        assert client.get(url(name, *args)).status_code == 403
        if name.startswith("process_"):
            assert client.post(url(name, *args), {"reason": "x"}).status_code == 403
    assert refreshed(pending).status == ClaimStatus.PENDING


def test_list_shows_the_monitor_columns_and_admin_links(client, admin, pending):
    client.force_login(admin)
    response = client.get(url("process_list"))
    html = response.content.decode()
    for text in (
        "【七彩假期】招募志愿服务团队",
        "深圳青年志愿服务队",
        "共青团深圳市委员会",
        "深圳市",
        "七彩假期",
        "审核认领",
        "待确认",
        "进行中",
        url("monitor_dashboard"),
        url("monitor_export_processes", "csv"),
        url("monitor_export_demands", "xlsx"),
    ):
        assert text in html


def test_reviewers_list_has_no_export_links(client, reviewer, pending):
    client.force_login(reviewer)
    html = client.get(url("process_list")).content.decode()
    assert url("monitor_export_processes", "csv") not in html


# -- filters and search ------------------------------------------------------------------------


def test_filter_by_stage(client, admin, approved, other_pending):
    client.force_login(admin)
    assert listed(client.get(url("process_list", query="stage=review"))) == {
        other_pending.process_id
    }
    assert listed(client.get(url("process_list", query="stage=publish_activity"))) == {
        approved.process_id
    }


def test_filter_by_city_zone_and_league_org(client, admin, pending, other_pending, other_league):
    client.force_login(admin)
    guangzhou = f.city("广州市")
    for query in (
        f"city={guangzhou.pk}",
        "zone=cloud_teaching",
        f"league_org={other_league.pk}",
    ):
        assert listed(client.get(url("process_list", query=query))) == {other_pending.process_id}, (
            query
        )
    assert listed(client.get(url("process_list", query="zone=colorful_holiday"))) == {
        pending.process_id
    }


def test_filter_by_age_and_overdue(client, admin, demand, operator, operator2):
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=10), tick=False):
        old = f.claim(demand, operator)
    with time_machine.travel(now - datetime.timedelta(days=1), tick=False):
        recent = f.claim(demand, operator2)
    client.force_login(admin)
    assert listed(client.get(url("process_list", query="older_than=5"))) == {old.process_id}
    assert listed(client.get(url("process_list", query="older_than=0"))) == {
        old.process_id,
        recent.process_id,
    }
    assert listed(client.get(url("process_list", query="overdue=yes"))) == {old.process_id}
    assert listed(client.get(url("process_list", query="overdue=no"))) == {recent.process_id}
    html = client.get(url("process_list")).content.decode()
    assert html.count('class="monitor-badge"') == 1


def test_overdue_counts_only_an_open_review(client, admin, demand, operator, reviewer):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10), tick=False):
        claim = f.claim(demand, operator)
    services.claim_approve(claim=claim, actor=reviewer)
    client.force_login(admin)
    assert listed(client.get(url("process_list", query="overdue=yes"))) == set()


def test_filter_by_process_status(client, admin, pending, other_pending):
    services.claim_process_cancel(claim=pending, actor=admin, reason="重复认领")
    client.force_login(admin)
    assert listed(client.get(url("process_list", query="status=CANCELED"))) == {pending.process_id}
    assert listed(client.get(url("process_list", query="status=NEW"))) == {other_pending.process_id}


@pytest.mark.parametrize(
    "term,expected",
    [("云支教", "other"), ("鹏城", "other"), ("深圳青年", "mine"), ("广州市委", "other")],
)
def test_search_by_demand_title_or_org_name(client, admin, pending, other_pending, term, expected):
    client.force_login(admin)
    process = {"mine": pending, "other": other_pending}[expected].process_id
    assert listed(client.get(url("process_list", query=f"_search={term}"))) == {process}


# -- detail ------------------------------------------------------------------------------------


def test_detail_shows_chart_tasks_and_audit_trail(client, admin, pending, operator2, reviewer):
    competitor = f.claim(pending.demand, operator2)
    services.claim_approve(claim=pending, actor=reviewer)
    client.force_login(admin)

    html = client.get(url("process_detail", pending.process_id)).content.decode()
    assert url("process_chart", pending.process_id) in html
    for text in ("认领申请", "审核认领", "发布志愿服务活动", "reviewer"):  # tasks
        assert text in html
    for text in ("申请认领", "同意", "被认领", "发布", "待确认", "认领成功"):  # audit trail
        assert text in html
    assert "系统" not in html

    # the competitor's claim was closed by the system
    html = client.get(url("process_detail", competitor.process_id)).content.decode()
    assert "系统" in html
    assert "该需求已由其他组织认领成功" in html


def test_detail_shows_activity_and_ratings(client, admin, approved, operator, reviewer):
    services.activity_publish(claim=approved, actor=operator, data=f.activity_data())
    scoring.rating_submit(claim=approved, actor=operator, stars=4, comment="配合很好")
    scoring.rating_submit(claim=approved, actor=reviewer, stars=5, comment="非常专业")
    client.force_login(admin)
    response = client.get(url("process_detail", approved.process_id))
    html = response.content.decode()
    assert "【七彩假期】暑期陪伴活动" in html
    assert "配合很好" in html and "非常专业" in html
    assert response.context["process_status_label"] == "已结束"
    assert "取消流程" not in html  # a completed claim cannot be cancelled


def test_detail_offers_the_actions_to_administrators_only(client, admin, reviewer, pending):
    client.force_login(admin)
    html = client.get(url("process_detail", pending.process_id)).content.decode()
    assert url("process_cancel", pending.process_id) in html
    assert url("process_reassign", pending.process_id) in html
    client.force_login(reviewer)
    html = client.get(url("process_detail", pending.process_id)).content.decode()
    assert url("process_cancel", pending.process_id) not in html


# -- cancel ------------------------------------------------------------------------------------


def test_admin_cancels_a_pending_claims_process(client, admin, pending):
    client.force_login(admin)
    response = client.post(url("process_cancel", pending.process_id), {"reason": "重复提交"})
    assert response.status_code == 302
    assert response["Location"] == url("process_detail", pending.process_id)
    claim = refreshed(pending)
    assert claim.status == ClaimStatus.REJECTED
    assert claim.is_cancelled and claim.cancelled_by == admin
    assert claim.reason == "重复提交"
    assert claim.decided_by is None  # nobody reviewed it
    assert process_status(claim) == "CANCELED"
    assert f.review_task(claim).status == "CANCELED"
    # its own event, never an ordinary return
    assert not AuditRecord.objects.filter(object_id=claim.pk, action="reject").exists()
    record = AuditRecord.objects.filter(object_id=claim.pk, action="cancel").get()
    assert record.actor == admin
    assert (record.from_state, record.to_state) == ("pending", "rejected")
    assert record.reason == "重复提交"
    html = client.get(url("process_detail", pending.process_id)).content.decode()
    assert "取消流程" in html and "重复提交" in html


def test_admin_cancels_an_approved_claims_process_and_reopens_the_demand(client, admin, approved):
    client.force_login(admin)
    response = client.post(url("process_cancel", approved.process_id), {"reason": "组织失联"})
    assert response.status_code == 302
    claim = refreshed(approved)
    assert claim.status == ClaimStatus.WITHDRAWN
    assert claim.demand.status == DemandStatus.OPEN
    assert process_status(claim) == "CANCELED"
    assert claim.is_cancelled and claim.reason == "组织失联"
    record = AuditRecord.objects.get(action="cancel", object_id=claim.pk)
    assert (record.from_state, record.to_state) == ("approved", "withdrawn")
    assert not AuditRecord.objects.filter(object_id=claim.pk, action="withdraw").exists()
    reopen = AuditRecord.objects.get(action="reopen", object_id=claim.demand_id)
    assert reopen.actor == admin and "组织失联" in reopen.reason


def test_cancel_needs_a_reason(client, admin, pending):
    client.force_login(admin)
    response = client.post(url("process_cancel", pending.process_id), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert refreshed(pending).status == ClaimStatus.PENDING
    with pytest.raises(InvalidInput) as exc:
        services.claim_process_cancel(claim=pending, actor=admin, reason="")
    assert "reason" in exc.value.fields


def test_cancel_refuses_a_claim_past_its_activity(client, admin, approved, operator):
    services.activity_publish(claim=approved, actor=operator, data=f.activity_data())
    client.force_login(admin)
    response = client.post(url("process_cancel", approved.process_id), {"reason": "测试"})
    assert response.status_code == 200
    assert "不能取消流程" in response.content.decode()
    assert refreshed(approved).status == ClaimStatus.ACTIVITY_PUBLISHED
    assert process_status(approved) == "NEW"


def test_cancel_service_rejects_a_pending_claim(admin, pending):
    claim = services.claim_process_cancel(claim=pending, actor=admin, reason=" 重复提交 ")
    assert claim.status == ClaimStatus.REJECTED
    assert refreshed(pending).reason == "重复提交"
    assert process_status(pending) == "CANCELED"
    assert claim.demand.status == DemandStatus.OPEN


def test_cancel_service_withdraws_an_approved_claim(admin, approved, operator2):
    services.claim_process_cancel(claim=approved, actor=admin, reason="组织失联")
    claim = refreshed(approved)
    assert claim.status == ClaimStatus.WITHDRAWN
    assert claim.demand.status == DemandStatus.OPEN
    assert process_status(claim) == "CANCELED"
    assert [t.status for t in Task.objects.filter(process_id=claim.process_id)].count("NEW") == 0
    # the demand can be claimed again
    assert f.claim(claim.demand, operator2).status == ClaimStatus.PENDING


def test_cancel_service_checks_actor_and_state(admin, reviewer, pending):
    with pytest.raises(NotAllowed):
        services.claim_process_cancel(claim=pending, actor=reviewer, reason="x")
    services.claim_process_cancel(claim=pending, actor=admin, reason="x")
    with pytest.raises(StateConflict):
        services.claim_process_cancel(claim=pending, actor=admin, reason="again")


def test_cancel_reason_is_kept_whole_up_to_its_limit(admin, pending):
    with pytest.raises(InvalidInput):
        services.claim_process_cancel(claim=pending, actor=admin, reason="长" * 201)
    services.claim_process_cancel(claim=pending, actor=admin, reason="长" * 200)
    assert refreshed(pending).reason == "长" * 200


# -- reassign ----------------------------------------------------------------------------------


def test_admin_reassigns_the_review_to_a_colleague(client, admin, pending, colleague, reviewer):
    client.force_login(admin)
    form = client.get(url("process_reassign", pending.process_id)).context["form"]
    assert set(form.fields["to_user"].queryset) == {reviewer, colleague}

    response = client.post(
        url("process_reassign", pending.process_id),
        {"to_user": colleague.pk, "reason": "原审核员休假"},
    )
    assert response.status_code == 302
    task = f.review_task(pending)
    assert (task.status, task.owner) == ("ASSIGNED", colleague)

    services.review_task_reassign(claim=pending, actor=admin, to_user=reviewer, reason="休假结束")
    task = f.review_task(pending)
    assert (task.status, task.owner) == ("ASSIGNED", reviewer)
    first, second = AuditRecord.objects.filter(object_id=pending.pk, action="reassign")
    assert (first.actor, first.from_state, first.to_state) == (admin, "pending", "pending")
    assert "colleague" in first.reason and "原审核员休假" in first.reason
    assert "colleague" in second.reason and "reviewer" in second.reason
    assert refreshed(pending).status == ClaimStatus.PENDING

    # the new owner decides as usual
    services.claim_approve(claim=pending, actor=reviewer)
    assert refreshed(pending).status == ClaimStatus.APPROVED


def test_reassign_to_another_orgs_reviewer_is_a_form_error(client, admin, pending, other_reviewer):
    client.force_login(admin)
    response = client.post(
        url("process_reassign", pending.process_id),
        {"to_user": other_reviewer.pk, "reason": "试试"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["to_user"]
    assert f.review_task(pending).owner is None
    with pytest.raises(InvalidInput) as exc:
        services.review_task_reassign(
            claim=pending, actor=admin, to_user=other_reviewer, reason="试试"
        )
    assert "to_user" in exc.value.fields


def test_reassign_service_assigns_then_reassigns(admin, pending, colleague, reviewer):
    task = services.review_task_reassign(
        claim=pending, actor=admin, to_user=colleague, reason="分担工作"
    )
    assert (task.status, task.owner) == ("ASSIGNED", colleague)
    with pytest.raises(InvalidInput):  # already theirs
        services.review_task_reassign(claim=pending, actor=admin, to_user=colleague, reason="x")
    services.review_task_reassign(claim=pending, actor=admin, to_user=reviewer, reason="换回")
    assert f.review_task(pending).owner == reviewer
    record = AuditRecord.objects.filter(object_id=pending.pk, action="reassign").last()
    assert "colleague" in record.reason and "reviewer" in record.reason and "换回" in record.reason


def test_reassign_needs_an_open_review_and_an_admin(admin, reviewer, colleague, approved):
    with pytest.raises(NotAllowed):
        services.review_task_reassign(claim=approved, actor=reviewer, to_user=colleague, reason="x")
    with pytest.raises(StateConflict):
        services.review_task_reassign(claim=approved, actor=admin, to_user=colleague, reason="x")


def test_admin_cannot_unassign_a_reviewers_task_with_viewflows_raw_actions(
    client, admin, pending, reviewer
):
    """Viewflow lets a flow manager unassign anyone's task; ours hand it over audited."""
    task = f.review_task(pending)
    with task.activation() as activation:
        activation.assign(reviewer)
    unassign = ClaimFlow.review.reverse("unassign", args=[pending.process_id, task.pk])
    client.force_login(admin)
    assert client.get(unassign).status_code == 403
    assert client.post(unassign).status_code == 403
    bulk = client.post(url("tasks_unassign"), {"pk": [task.pk], "_confirm": "1"})
    assert bulk.status_code == 403
    task = f.review_task(pending)
    assert (task.status, task.owner) == ("ASSIGNED", reviewer)

    # the holder still puts it back
    client.force_login(reviewer)
    assert client.post(unassign).status_code == 302
    assert (f.review_task(pending).status, f.review_task(pending).owner) == ("NEW", None)


# -- dashboard ---------------------------------------------------------------------------------


def test_dashboard_renders_charts_and_tables(client, admin, pending):
    client.force_login(admin)
    response = client.get(url("monitor_dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") >= 4
    assert "<polyline" in html
    for text in (
        "每日发布需求与认领申请",
        "需求转化漏斗",
        "各市需求数",
        "各专区需求数",
        "数据截至",
    ):
        assert text in html


def at_shanghai(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def test_daily_counts_use_shanghai_days(reviewer, operator, operator2):
    today = datetime.date(2026, 3, 20)
    # 00:30 in Shanghai is still the previous day in UTC: it counts on the Shanghai day.
    with time_machine.travel(at_shanghai(datetime.date(2026, 3, 11), 0), tick=False):
        first = f.open_demand(reviewer)
        f.claim(first, operator)
    with time_machine.travel(at_shanghai(datetime.date(2026, 3, 11), 23), tick=False):
        f.open_demand(reviewer)
    with time_machine.travel(at_shanghai(datetime.date(2026, 3, 19), 12), tick=False):
        f.claim(first, operator2)
    with time_machine.travel(at_shanghai(datetime.date(2026, 1, 1), 12), tick=False):
        f.open_demand(reviewer)  # before the 30 days
    f.draft_demand(reviewer)  # drafts are not published

    daily = dashboard.daily_counts(now=at_shanghai(today, 9))
    assert len(daily) == 30
    assert daily[0]["day"] == datetime.date(2026, 2, 19)
    assert daily[-1]["day"] == today
    by_day = {row["day"]: (row["demands"], row["claims"]) for row in daily}
    assert by_day[datetime.date(2026, 3, 11)] == (2, 1)
    assert by_day[datetime.date(2026, 3, 10)] == (0, 0)
    assert by_day[datetime.date(2026, 3, 19)] == (0, 1)
    assert sum(d for d, _ in by_day.values()) == 2


def test_dashboard_figures(reviewer, other_reviewer, operator, operator2, admin):
    shenzhen_demand = f.open_demand(reviewer)
    cloud = f.open_demand(other_reviewer, zone="cloud_teaching", city=f.city("广州市"))
    third = f.open_demand(reviewer)
    f.draft_demand(reviewer)
    start = timezone.now() - datetime.timedelta(days=10)

    # claim → decision: 2h (approved), 10h (returned), 4h (approved); a system close is no decision
    with time_machine.travel(start, tick=False):
        a = f.claim(shenzhen_demand, operator)
        competitor = f.claim(shenzhen_demand, operator2)
        b = f.claim(cloud, operator)
        c = f.claim(third, operator2)
        overdue = f.claim(cloud, operator2)
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        services.claim_approve(claim=a, actor=reviewer)
    with time_machine.travel(start + datetime.timedelta(hours=10), tick=False):
        services.claim_reject(claim=b, actor=other_reviewer, reason="不符合")
    with time_machine.travel(start + datetime.timedelta(hours=4), tick=False):
        services.claim_approve(claim=c, actor=reviewer)
    services.activity_publish(claim=a, actor=operator, data=f.activity_data())
    scoring.rating_submit(claim=refreshed(a), actor=operator, stars=5)
    scoring.rating_submit(claim=refreshed(a), actor=reviewer, stars=5)
    assert refreshed(competitor).status == ClaimStatus.REJECTED
    assert refreshed(overdue).status == ClaimStatus.PENDING

    assert dashboard.median_decision_hours() == 4.0
    assert dashboard.funnel() == {"published": 3, "claimed": 2, "activity": 1, "completed": 1}
    assert dashboard.demands_per_city() == [
        {"label": "深圳市", "count": 2},
        {"label": "广州市", "count": 1},
    ]
    assert [(z["zone"], z["count"]) for z in dashboard.demands_per_zone()] == [
        ("colorful_holiday", 2),
        ("cloud_teaching", 1),
        ("general", 0),
    ]
    assert [(row["label"], row["count"]) for row in dashboard.overdue_reviews_per_league_org()] == [
        ("共青团广州市委员会", 1)
    ]

    # a fourth decision of 6h: the median of an even count is the mean of the middle two
    fourth = f.open_demand(reviewer)
    with time_machine.travel(start, tick=False):
        d = f.claim(fourth, operator)
    with time_machine.travel(start + datetime.timedelta(hours=6), tick=False):
        services.claim_reject(claim=d, actor=reviewer, reason="人数不够")
    assert dashboard.median_decision_hours() == 5.0


def test_median_is_none_without_decisions(pending):
    assert dashboard.median_decision_hours() is None


# -- exports -----------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_process_export_csv_masks_mobiles_and_respects_filters(
    client, admin, pending, other_pending, other_league
):
    client.force_login(admin)
    rows = csv_rows(client.get(url("monitor_export_processes", "csv")))
    assert len(rows) == 3  # header + two processes
    body = "\n".join(",".join(row) for row in rows)
    assert "188****0174" in body and "139****5678" in body and "138****8000" in body
    assert "18826480174" not in body and "13800138000" not in body

    rows = csv_rows(
        client.get(url("monitor_export_processes", "csv", query=f"league_org={other_league.pk}"))
    )
    assert [row[0] for row in rows[1:]] == [str(other_pending.process_id)]
    rows = csv_rows(client.get(url("monitor_export_processes", "csv", query="_search=深圳青年")))
    assert [row[0] for row in rows[1:]] == [str(pending.process_id)]


def test_process_export_xlsx(client, admin, pending, other_pending):
    client.force_login(admin)
    rows = xlsx_rows(
        client.get(url("monitor_export_processes", "xlsx", query="zone=cloud_teaching"))
    )
    assert rows[0][0] == "流程编号"
    assert len(rows) == 2
    assert rows[1][0] == other_pending.process_id
    assert "139****5678" in rows[1]
    assert "13912345678" not in rows[1]


def test_demand_exports(client, admin, pending, other_pending):
    client.force_login(admin)
    rows = csv_rows(client.get(url("monitor_export_demands", "csv")))
    assert len(rows) == 3
    assert {row[13] for row in rows[1:]} == {"188****0174", "139****5678"}

    rows = xlsx_rows(client.get(url("monitor_export_demands", "xlsx", query="zone=cloud_teaching")))
    assert len(rows) == 2
    assert rows[1][1] == other_pending.demand.title
    assert rows[1][13] == "139****5678"
    assert rows[1][14] == 1  # claims


def test_export_cells_are_never_formulas(client, admin, reviewer, operator):
    demand = f.open_demand(reviewer, zone="general", title="=HYPERLINK(1)")
    f.claim(demand, operator)
    client.force_login(admin)
    rows = csv_rows(client.get(url("monitor_export_demands", "csv")))
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_unknown_export_format_is_404(client, admin):
    client.force_login(admin)
    assert client.get(url("monitor_export_demands", "pdf")).status_code == 404


def test_a_cancelled_process_chart_shows_no_current_step(client, admin, pending):
    services.claim_process_cancel(claim=pending, actor=admin, reason="重复提交")
    client.force_login(admin)
    svg = client.get(url("process_chart", pending.process_id)).content.decode()
    assert 'id="review" transform' in svg
    assert re.search(r'<g id="review"[^>]*class="canceled"', svg)
    # nothing is drawn as waiting, and a cancelled task is outlined, not filled
    assert not re.search(r'class="(new|assigned|started)"', svg)
    canceled_style = svg.split("g.canceled rect.task")[1].split("}")[0]
    assert "fill: transparent" in canceled_style


# -- one form: search and filters together, errors, chips, reset, sorting, dates -------------


def test_one_search_box_in_the_form_that_holds_the_filters(client, admin, pending):
    client.force_login(admin)
    html = client.get(url("process_list", query="_search=深圳&zone=colorful_holiday")).content
    html = html.decode()
    assert html.count('name="_search"') == 1
    assert "<vf-page-search" not in html
    form = html.split('data-testid="monitor-filter"')[1].split("</form>")[0]
    assert 'name="_search" value="深圳"' in form
    assert 'name="zone"' in form and 'name="created_from"' in form


def test_search_and_filter_apply_together(client, admin, pending, other_pending):
    client.force_login(admin)
    both = "_search=深圳青年&zone=colorful_holiday"
    assert listed(client.get(url("process_list", query=both))) == {pending.process_id}
    none = "_search=深圳青年&zone=cloud_teaching"
    assert listed(client.get(url("process_list", query=none))) == set()


@pytest.mark.parametrize(
    "query",
    ["zone=nowhere", "older_than=abc", "created_from=2026-13-01", "stage=nope", "city=99999"],
)
def test_a_bad_filter_value_is_answered_with_the_forms_error(client, admin, pending, query):
    client.force_login(admin)
    response = client.get(url("process_list", query=query))
    assert response.status_code == 200
    assert listed(response) == set()
    assert response.context["filter_errors"]
    assert response.context["filter_form"].errors
    assert "筛选条件有误" in response.content.decode()


def test_a_backwards_date_range_is_an_error(client, admin, pending):
    client.force_login(admin)
    response = client.get(
        url("process_list", query="created_from=2026-05-02&created_to=2026-05-01")
    )
    assert response.context["filter_form"].errors["created_to"]
    assert listed(response) == set()


def test_filter_by_creation_dates(client, admin, demand, operator, operator2):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        march = f.claim(demand, operator)
    with time_machine.travel(datetime.datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        april = f.claim(demand, operator2)
    client.force_login(admin)
    query = "created_from=2026-03-01&created_to=2026-03-31"
    assert listed(client.get(url("process_list", query=query))) == {march.process_id}
    # a day is Shanghai's day: 00:30 on 1 April is 16:30 UTC on 31 March
    assert listed(client.get(url("process_list", query="created_from=2026-04-01"))) == {
        april.process_id
    }
    assert listed(client.get(url("process_list", query="created_to=2026-03-31"))) == {
        march.process_id
    }


def test_chips_name_each_active_filter_and_remove_it(client, admin, pending):
    client.force_login(admin)
    response = client.get(url("process_list", query="_search=深圳&zone=colorful_holiday&page=1"))
    chips = {chip["key"]: chip for chip in response.context["chips"]}
    assert set(chips) == {"_search", "zone"}
    assert chips["zone"]["value"] == "七彩假期"
    assert chips["zone"]["url"] == "?_search=%E6%B7%B1%E5%9C%B3"
    assert chips["_search"]["url"] == "?zone=colorful_holiday"
    html = response.content.decode()
    assert html.count('data-testid="filter-chip"') == 2
    assert f'href="{url("process_list")}" data-testid="filter-reset"' in html


def test_sort_by_more_columns(client, admin, pending, other_pending):
    client.force_login(admin)
    by_title = listed_in_order(client.get(url("process_list", query="_orderby=demand_title")))
    titles = sorted(
        [
            (pending.demand.title, pending.process_id),
            (other_pending.demand.title, other_pending.process_id),
        ]
    )
    assert by_title == [pk for _title, pk in titles]
    reverse_title = listed_in_order(client.get(url("process_list", query="_orderby=-demand_title")))
    assert reverse_title == by_title[::-1]
    for column in ("claim_org", "league_org", "city", "zone", "claim_status", "process_status"):
        response = client.get(url("process_list", query=f"_orderby={column}&zone=colorful_holiday"))
        assert response.status_code == 200
        # the sort link keeps the filters, and points the other way once sorted
        assert (
            response.context["sort"][column]["url"] == f"?zone=colorful_holiday&_orderby=-{column}"
        )


def listed_in_order(response) -> list[int]:
    return [process.pk for process in response.context["object_list"]]


def test_export_links_carry_the_filters(client, admin, pending):
    client.force_login(admin)
    response = client.get(url("process_list", query="zone=colorful_holiday&_search=深圳&page=1"))
    links = response.context["monitor_links"]
    for name in ("processes_xlsx", "demands_xlsx", "demands_csv"):
        assert links[name].endswith("?zone=colorful_holiday&_search=%E6%B7%B1%E5%9C%B3")


# -- bulk cancel ------------------------------------------------------------------------------


def test_bulk_cancel_reports_each_process(
    client, admin, pending, other_pending, operator, reviewer
):
    approved_one = pending
    services.claim_approve(claim=approved_one, actor=reviewer)
    services.activity_publish(claim=approved_one, actor=operator, data=f.activity_data())
    client.force_login(admin)
    response = client.post(
        url("process_list", query="zone=cloud_teaching"),
        {
            "process": [other_pending.process_id, approved_one.process_id, 999999],
            "reason": "重复认领",
        },
    )
    # post/redirect/get: back to the same list, which shows the outcome once
    assert response.status_code == 302
    assert response["Location"] == url("process_list", query="zone=cloud_teaching")
    assert refreshed(other_pending).is_cancelled
    assert refreshed(other_pending).reason == "重复认领"
    assert refreshed(approved_one).status == ClaimStatus.ACTIVITY_PUBLISHED

    response = client.get(response["Location"])
    bulk = response.context["bulk_result"]
    results = {r["pk"]: r for r in bulk["results"]}
    assert results[other_pending.process_id]["ok"]
    assert not results[approved_one.process_id]["ok"]
    assert "不能取消流程" in results[approved_one.process_id]["message"]
    assert not results[999999]["ok"] and results[999999]["message"] == "流程不存在"
    assert (bulk["done"], bulk["refused"]) == (1, 2)
    assert "已取消 1 个，未取消 2 个" in response.content.decode()
    assert client.get(url("process_list")).context["bulk_result"] is None  # shown once


def test_bulk_cancel_needs_a_reason_and_a_selection(client, admin, pending):
    client.force_login(admin)
    response = client.post(url("process_list"), {"process": [pending.process_id], "reason": " "})
    assert response.status_code == 200
    assert response.context["bulk_form"].errors["reason"]
    response = client.post(url("process_list"), {"reason": "重复"})
    assert response.context["bulk_form"].errors["process"]
    assert refreshed(pending).status == ClaimStatus.PENDING


def test_bulk_cancel_is_for_administrators(client, reviewer, pending):
    client.force_login(reviewer)
    response = client.post(url("process_list"), {"process": [pending.process_id], "reason": "x"})
    assert response.status_code == 403
    assert refreshed(pending).status == ClaimStatus.PENDING


def xlsx_sheet(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def test_xlsx_dates_are_dates_and_durations_numbers(client, admin, demand, operator):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI), tick=False):
        claim = f.claim(demand, operator)
    client.force_login(admin)
    with time_machine.travel(datetime.datetime(2026, 3, 3, 21, 30, tzinfo=SHANGHAI), tick=False):
        sheet = xlsx_sheet(client.get(url("monitor_export_processes", "xlsx")))
    header = [c.value for c in sheet[1]]
    row = {name: c for name, c in zip(header, sheet[2], strict=True)}
    assert row["流程编号"].value == claim.process_id
    created = row["发起时间"]
    assert created.is_date and created.value == datetime.datetime(2026, 3, 1, 9, 30)
    assert created.number_format == "yyyy-mm-dd hh:mm"
    assert row["已持续（天）"].value == 2.5
    assert row["结束时间"].value is None
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 30
    assert sheet["A1"].font.bold

    demands = xlsx_sheet(client.get(url("monitor_export_demands", "xlsx")))
    header = [c.value for c in demands[1]]
    row = {name: c for name, c in zip(header, demands[2], strict=True)}
    assert row["需求周期开始"].is_date and row["需求周期开始"].number_format == "yyyy-mm-dd"
    assert row["需求周期开始"].value.date() == demand.start_date
    assert row["发布时间"].is_date
    assert demands.freeze_panes == "A2"


def test_demand_export_follows_the_monitors_filters(
    client, admin, pending, other_pending, reviewer
):
    unclaimed = f.open_demand(reviewer, title="【七彩假期】无人认领")
    client.force_login(admin)
    everything = csv_rows(client.get(url("monitor_export_demands", "csv")))
    assert unclaimed.title in {row[1] for row in everything[1:]}
    rows = csv_rows(client.get(url("monitor_export_demands", "csv", query="_search=深圳青年")))
    assert [row[1] for row in rows[1:]] == [pending.demand.title]
    rows = csv_rows(client.get(url("monitor_export_demands", "csv", query="zone=nowhere")))
    assert rows[1:] == []  # an invalid filter lists nothing, as on the page


# -- the process page and the action pages ----------------------------------------------------


def test_reassign_audit_names_people_by_their_display_names(admin, pending, league):
    named = f.reviewer_of(league, username="wang", display_name="王审核")
    services.review_task_reassign(claim=pending, actor=admin, to_user=named, reason="分担")
    record = AuditRecord.objects.get(object_id=pending.pk, action="reassign")
    assert "王审核" in record.reason and "wang" not in record.reason


def test_cancel_page_says_who_holds_the_task_and_what_will_happen(client, admin, pending):
    client.force_login(admin)
    html = client.get(url("process_cancel", pending.process_id)).content.decode()
    holder = html.split('data-testid="current-holder">')[1].split("</dd>")[0]
    assert "审核认领" in holder and "未分配" in holder and "共青团深圳市委员会" in holder
    consequences = html.split('data-testid="consequences"')[1].split("</div>")[0]
    assert "认领失败" in consequences and "流程已取消" in consequences
    assert "深圳青年志愿服务队" in consequences  # who is told
    assert "确认取消流程" in html


def test_cancel_page_of_an_approved_claim_says_the_demand_reopens(client, admin, approved):
    client.force_login(admin)
    html = client.get(url("process_cancel", approved.process_id)).content.decode()
    assert "撤销认领" in html and "重新开放" in html
    assert "发布志愿服务活动" in html  # the step it waits at


def test_reassign_page_names_the_current_assignee(client, admin, pending, colleague):
    services.review_task_reassign(claim=pending, actor=admin, to_user=colleague, reason="分担")
    client.force_login(admin)
    html = client.get(url("process_reassign", pending.process_id)).content.decode()
    holder = html.split('data-testid="current-holder">')[1].split("</dd>")[0]
    assert "colleague" in holder


def test_process_page_cancel_is_a_secondary_danger_action(client, admin, pending):
    client.force_login(admin)
    html = client.get(url("process_detail", pending.process_id)).content.decode()
    button = html.split('data-testid="process-cancel"')[0].rsplit("<a", 1)[1]
    assert "monitor-action--danger" in button and "raised" not in button


def test_process_page_links_the_competing_claims(client, admin, pending, operator2, reviewer):
    other = f.claim(pending.demand, operator2)
    services.claim_approve(claim=other, actor=reviewer)  # returns ours by the system
    client.force_login(admin)
    html = client.get(url("process_detail", pending.process_id)).content.decode()
    competing = html.split('data-testid="competing-claims"')[1].split("</section>")[0]
    assert url("process_detail", other.process_id) in competing
    assert other.org.name in competing and "认领成功" in competing


def test_process_page_links_the_demand_for_its_own_reviewers_only(client, admin, reviewer, pending):
    demand_url = reverse("league:demand_detail", args=[pending.demand_id])
    client.force_login(admin)
    assert demand_url not in client.get(url("process_detail", pending.process_id)).content.decode()
    client.force_login(reviewer)
    assert demand_url in client.get(url("process_detail", pending.process_id)).content.decode()


def test_process_page_of_a_cancelled_process_says_so(client, admin, pending):
    services.claim_process_cancel(claim=pending, actor=admin, reason="重复提交")
    client.force_login(admin)
    html = client.get(url("process_detail", pending.process_id)).content.decode()
    banner = html.split('data-testid="process-cancelled"')[1].split("</section>")[0]
    assert "省管理员" in banner and "重复提交" in banner
    assert 'data-testid="process-cancel"' not in html
