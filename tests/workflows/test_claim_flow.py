"""ClaimFlow: the process and task states after each step of every path."""

import pytest
from viewflow.workflow.models import Task

from orgs.backends import review_permission
from scoring import services as scoring
from workflows import services
from workflows.flows import ClaimFlow
from workflows.models import ClaimProcess

from .. import factories as f

DONE, NEW, CANCELED = "DONE", "NEW", "CANCELED"


def task_states(claim) -> list[tuple[str, str]]:
    tasks = Task.objects.filter(process=claim.process).order_by("pk")
    return [(t.flow_task.name, t.status) for t in tasks]


def process_status(claim) -> str:
    return ClaimProcess.objects.get(pk=claim.process_id).status


@pytest.fixture
def pending(demand, operator):
    return f.claim(demand, operator)


def test_request_starts_a_process_waiting_for_review(pending, league):
    assert pending.process.flow_class is ClaimFlow
    assert pending.process.artifact == pending
    assert process_status(pending) == NEW
    assert task_states(pending) == [("start", DONE), ("review", NEW)]
    review = Task.objects.get(process=pending.process, flow_task=ClaimFlow.review)
    # only the reviewers of the demand's league org may take it
    assert review.owner_permission == review_permission(league.pk)
    assert review.flow_task_type == "HUMAN"


def test_review_task_is_in_the_queue_of_its_league_reviewers_only(
    pending, reviewer, other_reviewer, operator
):
    queue = Task.objects.user_queue
    assert list(queue(reviewer, flow_class=ClaimFlow)) == [
        Task.objects.get(process=pending.process, flow_task=ClaimFlow.review)
    ]
    assert not queue(other_reviewer, flow_class=ClaimFlow).exists()
    assert not queue(operator, flow_class=ClaimFlow).exists()


def test_approve_path_to_the_end(pending, reviewer, operator):
    services.claim_approve(claim=pending, actor=reviewer)
    assert process_status(pending) == NEW
    assert task_states(pending) == [
        ("start", DONE),
        ("review", DONE),
        ("approved", DONE),
        ("close_competing_claims", DONE),
        ("publish_activity", NEW),
    ]
    review = Task.objects.get(process=pending.process, flow_task=ClaimFlow.review)
    assert review.owner == reviewer

    services.activity_publish(claim=pending, actor=operator, data=f.activity_data())
    assert sorted(task_states(pending)[4:]) == [
        ("activity_published", DONE),
        ("publish_activity", DONE),
        ("rate_by_league", NEW),
        ("rate_by_volunteer", NEW),
        ("split_ratings", DONE),
    ]

    scoring.rating_submit(claim=pending, actor=operator, stars=4)
    states = dict(task_states(pending))
    assert states["rate_by_volunteer"] == DONE
    assert states["rate_by_league"] == NEW
    assert states["join_ratings"] == "STARTED"  # waiting for the other branch
    assert process_status(pending) == NEW

    scoring.rating_submit(claim=pending, actor=reviewer, stars=5)
    assert task_states(pending)[-3:] == [
        ("join_ratings", DONE),
        ("settle_points", DONE),
        ("end", DONE),
    ]
    assert all(status == DONE for _, status in task_states(pending))
    assert process_status(pending) == DONE


def test_reject_path_ends_the_process(pending, reviewer):
    services.claim_reject(claim=pending, actor=reviewer, reason="服务时间不匹配")
    assert task_states(pending) == [
        ("start", DONE),
        ("review", DONE),
        ("approved", DONE),
        ("end", DONE),
    ]
    assert process_status(pending) == DONE


def test_withdraw_before_review_cancels_the_process(pending, operator):
    services.claim_withdraw(claim=pending, actor=operator)
    assert task_states(pending) == [("start", DONE), ("review", CANCELED)]
    assert process_status(pending) == CANCELED


def test_withdraw_after_approval_cancels_the_waiting_step(pending, reviewer, operator):
    services.claim_approve(claim=pending, actor=reviewer)
    services.claim_withdraw(claim=pending, actor=operator, reason="人手不足")
    assert task_states(pending)[-1] == ("publish_activity", CANCELED)
    assert process_status(pending) == CANCELED


def test_competing_claims_processes_are_cancelled(demand, pending, reviewer, operator2):
    competitor = f.claim(demand, operator2)
    services.claim_approve(claim=pending, actor=reviewer)
    assert task_states(competitor) == [("start", DONE), ("review", CANCELED)]
    assert process_status(competitor) == CANCELED


def test_a_cancelled_process_and_its_open_tasks_are_finished(demand, pending, reviewer, operator2):
    """Flow.cancel's rows: open tasks CANCELED with their end time, the process likewise."""
    competitor = f.claim(demand, operator2)
    services.claim_approve(claim=pending, actor=reviewer)
    process = type(competitor.process).objects.get(pk=competitor.process_id)
    assert process.finished is not None
    assert not process.task_set.filter(finished__isnull=True).exists()


def test_assigned_review_task_can_be_decided_by_another_reviewer(pending, reviewer, league):
    colleague = f.reviewer_of(league, username="colleague")
    review = Task.objects.get(process=pending.process, flow_task=ClaimFlow.review)
    with review.activation() as activation:
        activation.assign(colleague)
    services.claim_approve(claim=pending, actor=reviewer)
    review.refresh_from_db()
    assert review.status == DONE
    assert review.owner == reviewer
