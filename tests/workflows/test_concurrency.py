"""Decisions at the same moment on real connections: exactly one claim of a demand wins.

After each scenario the whole database passes the consistency checker.
"""

import time

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from demands.models import Demand, DemandStatus
from orgs.errors import StateConflict
from workflows import services
from workflows.consistency import check_consistency
from workflows.models import Claim, ClaimStatus

from .. import factories as f
from ..threads import run_together as threads_run_together

pytestmark = pytest.mark.django_db(transaction=True)


def many_workers() -> int:
    """PostgreSQL queues the writers on row locks; SQLite's IMMEDIATE transactions queue them
    on the database's write lock with a 20 s busy timeout, so it gets fewer."""
    return 32 if connection.vendor == "postgresql" else 4


def run_together(*calls):
    """The calls at one instant (tests.threads): each outcome's kind (ok, conflict, error) and
    the (kind, value) pairs."""
    outcomes = []
    for result in threads_run_together(list(calls), timeout=60):
        if isinstance(result, StateConflict):
            outcomes.append(("conflict", result))
        elif isinstance(result, Exception):
            outcomes.append(("error", result))
        else:
            outcomes.append(("ok", result))
    return [kind for kind, _ in outcomes], outcomes


def test_two_reviewers_approving_two_claims_of_one_demand_leave_one_approved(
    reviewer, league, operator, operator2
):
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
    assert check_consistency() == []


def one_demand_with_many_claims(league, reviewer, n):
    """An open demand with `n` pending claims of `n` orgs, and `n` reviewers of its league org."""
    demand = f.open_demand(reviewer)
    reviewers = [reviewer] + [f.reviewer_of(league, username=f"colleague{i}") for i in range(1, n)]
    claims = []
    for i in range(n):
        org = f.VolunteerOrgFactory()
        claims.append(f.claim(demand, f.operator_of(org, username=f"operator{i}")))
    return demand, reviewers, claims


def assert_one_approved(demand, claims):
    claims = Claim.objects.filter(pk__in=[c.pk for c in claims]).select_related("process")
    approved = [c for c in claims if c.status == ClaimStatus.APPROVED]
    rejected = [c for c in claims if c.status == ClaimStatus.REJECTED]
    assert len(approved) == 1 and len(rejected) == len(claims) - 1
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.CLAIMED
    assert approved[0].process.status == "NEW"
    assert all(c.process.status == "CANCELED" for c in rejected)
    assert check_consistency() == []
    return approved[0]


def test_many_reviewers_approving_claims_of_one_demand_leave_one_approved(reviewer, league):
    n = many_workers()
    demand, reviewers, claims = one_demand_with_many_claims(league, reviewer, n)

    kinds, outcomes = run_together(
        *[
            lambda c=c, r=r: services.claim_approve(claim=c, actor=r)
            for c, r in zip(claims, reviewers, strict=True)
        ]
    )

    assert kinds.count("ok") == 1 and kinds.count("conflict") == n - 1, outcomes
    winner = assert_one_approved(demand, claims)
    assert outcomes[kinds.index("ok")][1].pk == winner.pk


def test_many_reviewers_approving_over_http_get_one_200_and_409s(reviewer, league):
    n = 8
    demand, reviewers, claims = one_demand_with_many_claims(league, reviewer, n)
    clients = []
    for user in reviewers:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        clients.append(client)

    kinds, outcomes = run_together(
        *[
            lambda client=client, c=c: client.post(f"/api/v1/claims/{c.pk}/approve/")
            for client, c in zip(clients, claims, strict=True)
        ]
    )

    assert kinds == ["ok"] * n, outcomes
    codes = sorted(response.status_code for _, response in outcomes)
    assert codes == [200] + [409] * (n - 1), [r.content for _, r in outcomes]
    winner = assert_one_approved(demand, claims)
    ok = next(response for _, response in outcomes if response.status_code == 200)
    assert ok.json()["id"] == winner.pk


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
    assert check_consistency() == []


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
    assert check_consistency() == []


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
    assert check_consistency() == []


def test_taking_a_competing_review_while_another_claim_is_approved(reviewer, league, operator):
    """Viewflow's queue (its own process lock) against the service closing the competitors.

    The service locks every competing claim's process row before it cancels their tasks, so a
    reviewer taking one of those tasks from the queue either takes it first (and it is then
    cancelled in their hands) or finds it cancelled; never an assigned task in a cancelled
    process.
    """
    from viewflow.workflow.models import Task

    colleagues = [f.reviewer_of(league, username=f"colleague{i}") for i in range(3)]
    demand = f.open_demand(reviewer)
    winner = f.claim(demand, operator)
    others = [f.claim(demand, f.operator_of(f.VolunteerOrgFactory())) for _ in colleagues]
    tasks = [Task.objects.get(process_id=c.process_id, flow_task_type="HUMAN") for c in others]

    def take(task, user, delay):
        def call():
            time.sleep(delay)  # before, during and after the approval
            with task.activation() as activation:
                activation.assign(user)

        return call

    delays = (0, 0.05, 0.3)
    kinds, outcomes = run_together(
        lambda: services.claim_approve(claim=winner, actor=reviewer),
        *(take(*args) for args in zip(tasks, colleagues, delays, strict=True)),
    )

    assert kinds[0] == "ok", outcomes  # a task taken late is refused (already cancelled)
    for task in tasks:
        task.refresh_from_db()
        assert task.status == "CANCELED"
        assert task.process.status == "CANCELED"
    assert check_consistency() == []


def test_a_late_activity_and_the_lapse_at_once_leave_one_outcome(reviewer, operator):
    """The claimer publishes just as the sweep lapses the claim: both lock the demand first,
    so one wins and the other finds the claim changed (a 409 for the claimer, a no-op for the
    sweep); the demand, the process and the claim tell the same story."""
    import time_machine

    claim = services.claim_approve(claim=f.claim(f.open_demand(reviewer), operator), actor=reviewer)
    data = f.activity_data()
    with time_machine.travel(claim.activity_due_at, tick=False):
        kinds, outcomes = run_together(
            lambda: services.activity_publish(claim=claim, actor=operator, data=data),
            lambda: services.claim_lapse(claim=claim),
        )
    assert "error" not in kinds, outcomes
    claim.refresh_from_db()
    published, lapsed = outcomes[0][0] == "ok", outcomes[1] == ("ok", True)
    assert published != lapsed, outcomes  # exactly one happened
    if published:
        assert claim.status == ClaimStatus.ACTIVITY_PUBLISHED
        assert claim.demand.status == DemandStatus.IN_SERVICE
        assert claim.process.status == "NEW"
    else:
        assert kinds[0] == "conflict"
        assert claim.status == ClaimStatus.LAPSED
        assert claim.demand.status == DemandStatus.OPEN
        assert claim.process.status == "DONE"
    assert check_consistency() == []
