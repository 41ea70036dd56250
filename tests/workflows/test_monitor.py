"""Provincial administrators on claim processes: cancel and reassign (services)."""

import datetime

import pytest
from viewflow.workflow.models import Task

from demands.models import DemandStatus
from orgs.errors import InvalidInput, NotAllowed, StateConflict
from orgs.models import AuditRecord, Membership
from workflows import services
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
