"""Deadlines that act (docs/deadlines.md): review due times, escalation up the league tree,
the lapse warning and the lapse, run by the sweep at travelled-to moments."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.urls import get_resolver
from rest_framework.test import APIClient
from viewflow.workflow.status import PROCESS

from demands.models import DemandStatus
from orgs import events
from orgs.choices import LeagueLevel
from orgs.errors import NotAllowed, StateConflict
from orgs.models import AuditRecord
from workflows import deadlines, services, sweeps
from workflows.consistency import check_consistency
from workflows.flows import ClaimFlow
from workflows.models import ClaimStatus, ReviewEscalation
from workflows.selectors import (
    claim_process_visible,
    overdue_review_tasks,
    review_is_overdue,
    review_queue,
)

from .. import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday morning
DAY = datetime.timedelta(days=1)


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def heard():
    """The events emitted while the test runs."""
    seen = []
    events.subscribe(seen.append)
    yield seen
    events._listeners.remove(seen.append)  # noqa: SLF001 - the test's own listener


@pytest.fixture
def district(league):
    """A district org under the city `league` (whose parent is the province)."""
    return f.LeagueOrgFactory(name="共青团南山区委员会", parent=league, level=LeagueLevel.DISTRICT)


@pytest.fixture
def district_reviewer(district):
    return f.reviewer_of(district, username="district_reviewer")


@pytest.fixture
def province_reviewer(province):
    return f.reviewer_of(province, username="province_reviewer")


def district_claim(district_reviewer, operator, moment=T0):
    with at(moment):
        demand = f.open_demand(district_reviewer, end_date=(moment + 60 * DAY).date())
        return f.claim(demand, operator)


def sweep(moment, capture=None):
    with at(moment):
        if capture is None:
            return sweeps.deadlines_run()
        with capture(execute=True):
            return sweeps.deadlines_run()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# -- the review's due time ------------------------------------------------------------------------


def test_a_claim_is_due_for_review_three_days_after_it_was_made(reviewer, operator):
    with at(T0):
        claim = f.claim(f.open_demand(reviewer), operator)
    assert claim.review_due_at == T0 + 3 * DAY
    assert f.fresh(claim).review_due_at == T0 + 3 * DAY
    # one rule: the queue's, the monitor's and the reminders' overdue
    assert not review_is_overdue(claim.review_due_at, T0 + 3 * DAY - datetime.timedelta(seconds=1))
    assert review_is_overdue(claim.review_due_at, T0 + 3 * DAY)
    assert not overdue_review_tasks(review=ClaimFlow.review, now=T0 + 2 * DAY).exists()
    assert overdue_review_tasks(review=ClaimFlow.review, now=T0 + 3 * DAY).count() == 1


def test_due_state_in_the_claim_detail(reviewer, operator):
    with at(T0):
        claim = f.claim(f.open_demand(reviewer), operator)
    url = f"/api/v1/claims/{claim.pk}/"
    for moment, state in ((T0, ""), (T0 + 2 * DAY, "due_soon"), (T0 + 3 * DAY, "overdue")):
        with at(moment):
            body = api(operator).get(url).json()
        assert body["due_state"] == state, moment
    assert body["escalation_level"] == 0
    assert body["activity_due_at"] is None and body["lapsed_at"] is None

    with at(T0 + DAY):
        services.claim_approve(claim=claim, actor=reviewer)
    with at(T0 + 7 * DAY):
        body = api(operator).get(url).json()
    assert body["status"] == "approved"
    assert body["due_state"] == "due_soon"  # the activity, due 7 days after the approval
    assert datetime.datetime.fromisoformat(body["activity_due_at"]) == T0 + 8 * DAY


def test_due_state_rules():
    assert deadlines.due_state(None, T0) == ""
    assert deadlines.due_state(T0 + 2 * DAY, T0) == ""
    assert deadlines.due_state(T0 + DAY, T0) == "due_soon"
    assert deadlines.due_state(T0, T0) == "overdue"


# -- escalation -----------------------------------------------------------------------------------


def test_a_review_climbs_one_level_per_period_up_to_the_province(
    district, district_reviewer, league, province, operator, heard
):
    claim = district_claim(district_reviewer, operator)

    assert sweep(T0 + 7 * DAY - datetime.timedelta(minutes=1)).escalated == []
    assert sweep(T0 + 7 * DAY).escalated == [claim.pk]
    assert sweep(T0 + 7 * DAY + datetime.timedelta(minutes=10)).escalated == []  # idempotent
    assert f.fresh(claim).escalation_level == 1
    assert sweep(T0 + 14 * DAY).escalated == [claim.pk]
    assert sweep(T0 + 21 * DAY).escalated == []  # the province has no parent
    assert sweep(T0 + 60 * DAY).escalated == []

    assert f.fresh(claim).escalation_level == 2
    rows = ReviewEscalation.objects.filter(claim=claim).order_by("level")
    assert [(e.level, e.league_org) for e in rows] == [(1, league), (2, province)]
    records = AuditRecord.objects.filter(object_id=claim.pk, action="escalate").order_by("id")
    assert [(r.actor, r.org, r.from_state, r.to_state) for r in records] == [
        (None, league, "pending", "pending"),
        (None, province, "pending", "pending"),
    ]
    escalations = [e for e in heard if e.kind == events.REVIEW_ESCALATED]
    assert [(e.claim.pk, e.league_org) for e in escalations] == [
        (claim.pk, league),
        (claim.pk, province),
    ]
    assert check_consistency() == []


def test_a_sweep_that_was_down_catches_up_every_level_at_once(
    district, district_reviewer, league, province, operator, heard
):
    claim = district_claim(district_reviewer, operator)
    assert sweep(T0 + 15 * DAY).escalated == [claim.pk]
    assert f.fresh(claim).escalation_level == 2
    assert ReviewEscalation.objects.filter(claim=claim).count() == 2
    assert AuditRecord.objects.filter(object_id=claim.pk, action="escalate").count() == 2
    assert len([e for e in heard if e.kind == events.REVIEW_ESCALATED]) == 2
    assert check_consistency() == []


def test_a_decided_review_is_not_escalated(district_reviewer, operator):
    claim = district_claim(district_reviewer, operator)
    with at(T0 + DAY):
        services.claim_reject(claim=claim, actor=district_reviewer, reason="时间不合适")
    assert sweep(T0 + 30 * DAY).escalated == []
    assert ReviewEscalation.objects.count() == 0


def test_the_escalated_reviewer_sees_takes_and_decides_the_review(
    district, district_reviewer, league, reviewer, other_reviewer, province_reviewer, operator
):
    claim = district_claim(district_reviewer, operator)
    task = f.review_task(claim)
    # before: the city's reviewer neither sees nor may decide the district's claim
    assert list(review_queue(reviewer, ClaimFlow.review)) == []
    assert not claim_process_visible(user=reviewer, process=claim.process)
    assert not ClaimFlow.review.can_assign(reviewer, task)
    assert api(reviewer).get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, actor=reviewer)

    sweep(T0 + 7 * DAY)
    assert list(review_queue(reviewer, ClaimFlow.review)) == [task]
    assert list(review_queue(district_reviewer, ClaimFlow.review)) == [task]  # still theirs
    assert claim_process_visible(user=reviewer, process=claim.process)
    assert ClaimFlow.review.can_assign(reviewer, task)
    assert api(reviewer).get(f"/api/v1/claims/{claim.pk}/").status_code == 200
    assert api(reviewer).get("/api/v1/claims/").json()["count"] == 1
    assert api(reviewer).get("/api/v1/me/").json()["todo"]["to_confirm"] == 1  # 待确认
    # not the province yet, nor another city
    for outsider in (province_reviewer, other_reviewer):
        assert list(review_queue(outsider, ClaimFlow.review)) == []
        assert not ClaimFlow.review.can_assign(outsider, task)
        assert api(outsider).post(f"/api/v1/claims/{claim.pk}/approve/").status_code == 404
        with pytest.raises(NotAllowed):
            services.claim_approve(claim=claim, actor=outsider)

    with at(T0 + 8 * DAY):
        response = api(reviewer).post(f"/api/v1/claims/{claim.pk}/approve/")
    assert response.status_code == 200, response.json()
    record = AuditRecord.objects.filter(object_id=claim.pk, action="approve").get()
    assert (record.actor, record.org) == (reviewer, league)  # decided through the city
    assert check_consistency() == []


def test_the_owning_org_keeps_its_right_after_an_escalation(district, district_reviewer, operator):
    claim = district_claim(district_reviewer, operator)
    sweep(T0 + 7 * DAY)
    with at(T0 + 8 * DAY):
        services.claim_reject(claim=claim, actor=district_reviewer, reason="已有安排")
    record = AuditRecord.objects.filter(object_id=claim.pk, action="reject").get()
    assert record.org == district
    assert check_consistency() == []


def test_the_escalated_reviewer_decides_through_the_service(
    district, district_reviewer, province, province_reviewer, operator
):
    claim = district_claim(district_reviewer, operator)
    sweep(T0 + 14 * DAY)
    with at(T0 + 14 * DAY):
        services.claim_approve(claim=claim, actor=province_reviewer)
    assert f.fresh(claim).status == ClaimStatus.APPROVED
    assert AuditRecord.objects.get(object_id=claim.pk, action="approve").org == province


# -- lapse ----------------------------------------------------------------------------------------


def approved_claim(reviewer, operator, *, moment=T0, end_days=60):
    with at(moment):
        demand = f.open_demand(reviewer, end_date=(moment + end_days * DAY).date())
        claim = f.claim(demand, operator)
        return services.claim_approve(claim=claim, actor=reviewer)


def test_the_claimer_is_warned_once_two_days_before_the_activity_is_due(
    reviewer, operator, vorg, outbox, heard, django_capture_on_commit_callbacks
):
    claim = approved_claim(reviewer, operator)
    assert claim.activity_due_at == T0 + 7 * DAY
    capture = django_capture_on_commit_callbacks

    assert sweep(T0 + 5 * DAY - datetime.timedelta(minutes=1), capture).warned == []
    assert sweep(T0 + 5 * DAY, capture).warned == [claim.pk]
    assert sweep(T0 + 5 * DAY + datetime.timedelta(minutes=10), capture).warned == []
    assert sweep(T0 + 6 * DAY, capture).warned == []

    assert f.fresh(claim).lapse_warned_at == T0 + 5 * DAY
    messages = outbox()
    assert len(messages) == 1
    assert messages[0]["phone"] == vorg.contact_mobile
    assert messages[0]["purpose"] == "lapse_warning"
    assert "2026-03-09 10:00" in messages[0]["text"]
    assert [e.kind for e in heard].count(events.CLAIM_LAPSE_WARNING) == 1


def test_an_approved_claim_lapses_at_its_due_time(reviewer, operator, heard):
    claim = approved_claim(reviewer, operator)
    assert sweep(T0 + 7 * DAY - datetime.timedelta(minutes=1)).lapsed == []
    assert sweep(T0 + 7 * DAY).lapsed == [claim.pk]
    assert sweep(T0 + 7 * DAY + datetime.timedelta(minutes=10)).lapsed == []

    claim = f.fresh(claim)
    assert claim.status == ClaimStatus.LAPSED
    assert claim.lapsed_at == T0 + 7 * DAY
    assert claim.demand.status == DemandStatus.OPEN  # claimable again
    assert claim.process.status == PROCESS.DONE
    nodes = [t.flow_task.name for t in claim.process.task_set.order_by("pk")]
    assert nodes[-3:] == ["publish_activity", "activity_published", "lapsed"]
    assert [e.kind for e in heard].count(events.CLAIM_LAPSED) == 1
    assert check_consistency() == []

    # the claimer's late activity is a conflict now
    with at(T0 + 7 * DAY), pytest.raises(StateConflict):
        services.activity_publish(claim=claim, actor=operator, data=f.activity_data())


def test_the_activity_is_due_by_the_end_of_the_demands_period(reviewer, operator):
    claim = approved_claim(reviewer, operator, end_days=3)
    end = (T0 + 3 * DAY).date()
    assert claim.activity_due_at == deadlines.end_of_day(end)
    assert sweep(deadlines.end_of_day(end)).lapsed == [claim.pk]
    claim = f.fresh(claim)
    assert claim.status == ClaimStatus.LAPSED
    # the period is over: reopened and expired at once, nobody could claim it any more
    assert claim.demand.status == DemandStatus.EXPIRED
    assert list(
        AuditRecord.objects.filter(object_id=claim.demand_id, action__in=["reopen", "expire"])
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["reopen", "expire"]
    assert check_consistency() == []


def test_a_published_activity_keeps_its_claim_from_lapsing(reviewer, operator):
    claim = approved_claim(reviewer, operator)
    with at(T0 + 6 * DAY):
        services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    assert sweep(T0 + 30 * DAY).lapsed == []
    assert f.fresh(claim).status == ClaimStatus.ACTIVITY_PUBLISHED
    assert check_consistency() == []


def test_nothing_is_told_when_the_transaction_rolls_back(
    reviewer, operator, outbox, django_capture_on_commit_callbacks
):
    claim = approved_claim(reviewer, operator)
    told = []

    def listener(event):
        told.append(event.kind)
        raise RuntimeError("a listener fails: the whole change rolls back")

    events.subscribe(listener)
    try:
        with at(T0 + 5 * DAY), django_capture_on_commit_callbacks(execute=True):
            assert sweeps.claim_lapse_warn_due() == []
            with at(T0 + 7 * DAY):
                assert sweeps.claim_lapse_due() == []
    finally:
        events._listeners.remove(listener)  # noqa: SLF001 - the test's own listener
    assert told == [events.CLAIM_LAPSE_WARNING, events.CLAIM_LAPSED]
    assert outbox() == []  # the warning's SMS went with its transaction
    claim = f.fresh(claim)
    assert claim.status == ClaimStatus.APPROVED and claim.lapse_warned_at is None
    assert check_consistency() == []


def test_a_rolled_back_service_queues_no_sms(
    reviewer, operator, outbox, django_capture_on_commit_callbacks
):
    claim = approved_claim(reviewer, operator)
    with at(T0 + 5 * DAY), django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            assert services.claim_lapse_warn(claim=claim)
            transaction.set_rollback(True)
    assert outbox() == []


def test_run_deadlines_command(reviewer, operator):
    claim = approved_claim(reviewer, operator)
    with at(T0 + 8 * DAY):
        call_command("run_deadlines", stdout=(out := io.StringIO()))
    assert out.getvalue().strip() == "escalated 0, warned 0, lapsed 1"
    assert f.fresh(claim).status == ClaimStatus.LAPSED


def test_the_escalated_reviewer_takes_and_decides_on_the_review_screen(
    client, district, district_reviewer, league, reviewer, other_reviewer, operator
):
    assert get_resolver().url_patterns  # the workspace's URLs (the flow's namespaces) loaded
    claim = district_claim(district_reviewer, operator)
    task = f.review_task(claim)
    client.force_login(reviewer)
    assert client.get(f.task_url(task, "assign")).status_code == 403  # not escalated yet
    sweep(T0 + 7 * DAY)
    assert client.get(f.task_url(task, "assign")).status_code == 200
    assert client.post(f.task_url(task, "assign")).status_code == 302
    assert f.fresh(task).owner == reviewer
    assert client.get(f.task_url(task, "execute")).status_code == 200
    assert client.post(f.task_url(task, "execute"), {"decision": "approve"}).status_code == 302
    assert f.fresh(claim).status == ClaimStatus.APPROVED
    client.force_login(other_reviewer)
    assert client.get(f.task_url(task, "detail")).status_code == 403
