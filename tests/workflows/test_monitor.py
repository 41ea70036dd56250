"""Provincial administrators on claim processes: cancel and reassign, the dashboard figures."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.models import Task

from demands.models import DemandStatus
from orgs.errors import InvalidInput, NotAllowed, StateConflict
from orgs.models import AuditRecord, Membership
from scoring import services as scoring
from workflows import services, stats
from workflows.flows import ClaimFlow
from workflows.models import ClaimProcess, ClaimStatus

from .. import factories as f

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def refreshed(claim):
    claim.refresh_from_db()
    return claim


def process_status(claim) -> str:
    return ClaimProcess.objects.get(pk=claim.process_id).status


def review_task(claim) -> Task:
    return Task.objects.get(process_id=claim.process_id, flow_task=ClaimFlow.review)


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
def approved(pending, reviewer):
    services.claim_approve(claim=pending, actor=reviewer)
    return refreshed(pending)


def test_cancel_service_rejects_a_pending_claim(admin, pending):
    claim = services.claim_process_cancel(claim=pending, actor=admin, reason=" 重复提交 ")
    assert claim.status == ClaimStatus.REJECTED
    assert refreshed(pending).reason == "管理员取消：重复提交"
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


def test_cancel_reason_fits_with_its_prefix(admin, pending):
    with pytest.raises(InvalidInput):
        services.claim_process_cancel(claim=pending, actor=admin, reason="长" * 200)
    services.claim_process_cancel(claim=pending, actor=admin, reason="长" * 194)
    assert len(refreshed(pending).reason) == 200


def test_reassign_service_assigns_then_reassigns(admin, pending, colleague, reviewer):
    task = services.review_task_reassign(
        claim=pending, actor=admin, to_user=colleague, reason="分担工作"
    )
    assert (task.status, task.owner) == ("ASSIGNED", colleague)
    with pytest.raises(InvalidInput):  # already theirs
        services.review_task_reassign(claim=pending, actor=admin, to_user=colleague, reason="x")
    services.review_task_reassign(claim=pending, actor=admin, to_user=reviewer, reason="换回")
    assert review_task(pending).owner == reviewer
    record = AuditRecord.objects.filter(object_id=pending.pk, action="reassign").last()
    assert "colleague" in record.reason and "reviewer" in record.reason and "换回" in record.reason


def test_reassign_needs_an_open_review_and_an_admin(admin, reviewer, colleague, approved):
    with pytest.raises(NotAllowed):
        services.review_task_reassign(claim=approved, actor=reviewer, to_user=colleague, reason="x")
    with pytest.raises(StateConflict):
        services.review_task_reassign(claim=approved, actor=admin, to_user=colleague, reason="x")


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

    daily = stats.daily_counts(now=at_shanghai(today, 9))
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

    assert stats.median_decision_hours() == 4.0
    assert stats.funnel() == {"published": 3, "claimed": 2, "activity": 1, "completed": 1}
    assert stats.demands_per_city() == [
        {"label": "深圳市", "count": 2},
        {"label": "广州市", "count": 1},
    ]
    assert [(z["zone"], z["count"]) for z in stats.demands_per_zone()] == [
        ("colorful_holiday", 2),
        ("cloud_teaching", 1),
        ("general", 0),
    ]
    assert [(row["label"], row["count"]) for row in stats.overdue_reviews_per_league_org()] == [
        ("共青团广州市委员会", 1)
    ]

    # a fourth decision of 6h: the median of an even count is the mean of the middle two
    fourth = f.open_demand(reviewer)
    with time_machine.travel(start, tick=False):
        d = f.claim(fourth, operator)
    with time_machine.travel(start + datetime.timedelta(hours=6), tick=False):
        services.claim_reject(claim=d, actor=reviewer, reason="人数不够")
    assert stats.median_decision_hours() == 5.0


def test_median_is_none_without_decisions(pending):
    assert stats.median_decision_hours() is None
