"""Decisions at the same moment on real connections: exactly one claim of a demand wins."""

import threading

import pytest
from django.db import connection, connections

from demands.models import Demand, DemandStatus
from orgs.errors import StateConflict
from workflows import services
from workflows.models import Claim, ClaimStatus

from .. import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    """Run each call in its own thread with its own connection, released at one barrier."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            outcomes[i] = ("ok", call())
        except StateConflict as exc:
            outcomes[i] = ("conflict", exc)
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            outcomes[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return [o[0] for o in outcomes], outcomes


def test_two_reviewers_approving_two_claims_of_one_demand_leave_one_approved(
    reviewer, league, operator, operator2
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency are PostgreSQL's; SQLite serializes writers")
    colleague = f.reviewer_of(league, username="colleague")
    demand = f.open_demand(reviewer)
    first, second = f.claim(demand, operator), f.claim(demand, operator2)

    kinds, outcomes = run_together(
        lambda: services.claim_approve(claim=first, actor=reviewer),
        lambda: services.claim_approve(claim=second, actor=colleague),
    )

    assert sorted(kinds) == ["conflict", "ok"], outcomes
    statuses = sorted(Claim.objects.filter(demand=demand).values_list("status", flat=True))
    assert statuses == [ClaimStatus.APPROVED, ClaimStatus.REJECTED]
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.CLAIMED
    loser = Claim.objects.get(demand=demand, status=ClaimStatus.REJECTED)
    assert loser.process.status == "CANCELED"


def test_same_decision_twice_at_once_has_one_effect(reviewer, operator):
    demand = f.open_demand(reviewer)
    claim = f.claim(demand, operator)
    kinds, outcomes = run_together(
        lambda: services.claim_approve(claim=claim, actor=reviewer),
        lambda: services.claim_approve(claim=claim, actor=reviewer),
    )
    assert sorted(kinds) == ["conflict", "ok"], outcomes
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.process.task_set.filter(flow_task_type="HUMAN", status="DONE").count() == 1


def test_approve_and_withdraw_at_once_leave_consistent_states(reviewer, operator):
    demand = f.open_demand(reviewer)
    claim = f.claim(demand, operator)
    kinds, outcomes = run_together(
        lambda: services.claim_approve(claim=claim, actor=reviewer),
        lambda: services.claim_withdraw(claim=claim, actor=operator),
    )
    assert "error" not in kinds, outcomes
    claim.refresh_from_db()
    demand.refresh_from_db()
    # whichever came second: withdrawing an approved claim is allowed and reopens the demand;
    # approving a withdrawn claim is a conflict. Either way the claim ends withdrawn.
    assert claim.status == ClaimStatus.WITHDRAWN
    assert demand.status == DemandStatus.OPEN
    assert claim.process.status == "CANCELED"


def test_both_sides_rating_at_once_settle_once(reviewer, operator, vorg):
    from scoring.models import PointsEntry
    from scoring.services import rating_submit

    demand = f.open_demand(reviewer)
    claim = f.claim(demand, operator)
    services.claim_approve(claim=claim, actor=reviewer)
    services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    kinds, outcomes = run_together(
        lambda: rating_submit(claim=claim, actor=reviewer, stars=5),
        lambda: rating_submit(claim=claim, actor=operator, stars=4),
    )
    assert kinds == ["ok", "ok"], outcomes
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED
    assert claim.process.status == "DONE"
    assert PointsEntry.objects.filter(claim=claim).count() == 2
