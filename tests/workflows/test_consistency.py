"""The consistency checker: the demo data passes; each invariant broken behind the services fails."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from demands.models import Demand, DemandStatus, InitialDemand
from orgs.models import AuditRecord, LeagueOrg, User
from scoring import services as scoring
from scoring.models import PointsEntry, Rating, Side
from workflows import services
from workflows.consistency import check_consistency
from workflows.flows import ClaimFlow
from workflows.models import Claim, ClaimStatus

from .. import factories as f


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo data, seeded once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_db, db):
    """Each test runs in a savepoint of the seeded transaction (pytest-django's `db`), so each
    starts from the demo data as seeded."""


def check_command() -> tuple[str, int]:
    """Run `manage.py check_consistency`; return its output and its exit status."""
    out = io.StringIO()
    try:
        call_command("check_consistency", stdout=out)
    except CommandError as exc:  # manage.py exits with exc.returncode
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def claim_in(status: str, **filters) -> Claim:
    return Claim.objects.filter(status=status, **filters).order_by("id").first()


def sql(statement: str, params) -> None:
    """Write behind the models' backs, as a bug or a hand-made fix in the database would."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_demo_data_is_consistent(demo):
    output, status = check_command()
    claims, demands = Claim.objects.count(), Demand.objects.count()
    assert status == 0, output
    assert output.strip() == f"consistent: {claims} claims, {demands} demands checked"
    # the demo covers every claim state, so every row of the table was checked
    assert set(Claim.objects.values_list("status", flat=True)) == set(ClaimStatus.values)
    assert check_consistency() == []


def test_manual_points_correction_is_consistent(demo):
    org = Claim.objects.filter(status=ClaimStatus.COMPLETED).first().org
    PointsEntry.objects.create(volunteer_org=org, points=-3, reason="人工更正")
    assert check_consistency() == []


def test_queries_do_not_grow_with_the_claims(demo):
    with CaptureQueriesContext(connection) as before:
        check_consistency()
    # one more demand through the whole loop, between orgs that already hold points
    reviewer = User.objects.get(username="reviewer_sz")
    operator = User.objects.get(username="org_sz_youth")
    demand = f.open_demand(reviewer)
    claim = f.claim(demand, operator)
    f.claim(demand, User.objects.get(username="org_gz_care"))  # rejected when the first wins
    services.claim_approve(claim=claim, actor=reviewer)
    services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    scoring.rating_submit(claim=claim, actor=reviewer, stars=3)
    scoring.rating_submit(claim=claim, actor=operator, stars=4)

    with CaptureQueriesContext(connection) as after:
        assert check_consistency() == []
    assert len(after.captured_queries) == len(before.captured_queries)


# -- breakers: each breaks one invariant without the services and returns what must be named --


def approve_behind_the_process():
    claim = claim_in(ClaimStatus.PENDING)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.APPROVED)
    return [
        f"claim-process: claim {claim.pk} (approved): process {claim.process_id} has active "
        "tasks [review], expected [publish_activity]",
        f"demand-claims: demand {claim.demand_id} (open) is held by claim {claim.pk} (approved)",
        f"audit: claim {claim.pk} (approved): its latest audit record says pending",
    ]


def cancel_review_task():
    claim = claim_in(ClaimStatus.PENDING)
    Task.objects.filter(process_id=claim.process_id, flow_task=ClaimFlow.review).update(
        status="CANCELED"
    )
    return [
        f"claim-process: claim {claim.pk} (pending): process {claim.process_id} has active "
        "tasks [], expected [review]"
    ]


def cancelled_claim_with_a_running_process():
    claim = claim_in(ClaimStatus.PENDING)
    Claim.objects.filter(pk=claim.pk).update(cancelled_at=timezone.now())
    return [
        f"claim-process: claim {claim.pk} (pending) is marked cancelled in a live state",
        f"claim-process: claim {claim.pk} (pending): process {claim.process_id} has active "
        "tasks [review], expected []",
    ]


def end_process_of_approved_claim():
    claim = claim_in(ClaimStatus.APPROVED)
    Process.objects.filter(pk=claim.process_id).update(status="DONE")
    return [
        f"claim-process: claim {claim.pk} (approved): process {claim.process_id} is DONE, "
        "expected NEW"
    ]


def cancel_process_of_completed_claim():
    claim = claim_in(ClaimStatus.COMPLETED)
    Process.objects.filter(pk=claim.process_id).update(status="CANCELED")
    return [
        f"claim-process: claim {claim.pk} (completed): process {claim.process_id} is CANCELED, "
        "expected DONE"
    ]


def point_process_at_another_claim():
    claim = claim_in(ClaimStatus.WITHDRAWN)
    other = claim_in(ClaimStatus.REJECTED)
    Process.objects.filter(pk=claim.process_id).update(artifact_object_id=other.pk)
    return [
        f"claim-process: claim {claim.pk} (withdrawn): the artifact of process "
        f"{claim.process_id} is not the claim"
    ]


def unlink_process():
    claim = claim_in(ClaimStatus.PENDING)
    Claim.objects.filter(pk=claim.pk).update(process=None)
    return [
        f"claim-process: claim {claim.pk} (pending) has no process",
        f"claim-process: process {claim.process_id} (ClaimFlow) belongs to no claim",
    ]


def move_demand_to_another_league_org():
    claim = claim_in(ClaimStatus.PENDING)
    old = claim.demand.league_org_id
    new = LeagueOrg.objects.exclude(pk=old).exclude(parent=None).first()
    Demand.objects.filter(pk=claim.demand_id).update(league_org=new)
    return [
        f"claim-process: claim {claim.pk} (pending): the review task of process "
        f"{claim.process_id} is in the queue of 'workflows.review_league_{old}', not of the "
        f"demand's league org {new.pk}"
    ]


def rate_second_side_behind_the_flow():
    claim = claim_in(ClaimStatus.ACTIVITY_PUBLISHED, ratings__side=Side.LEAGUE)
    Rating.objects.create(claim=claim, side=Side.VOLUNTEER, rater=claim.requested_by, stars=4)
    return [f"claim-process: claim {claim.pk} (activity_published): both sides rated"]


def mark_open_demand_claimed():
    demand = Demand.objects.filter(status=DemandStatus.OPEN, claims__isnull=False).first()
    Demand.objects.filter(pk=demand.pk).update(status=DemandStatus.CLAIMED)
    return [
        f"demand-claims: demand {demand.pk} (claimed) is held by [], expected exactly one "
        "approved claim",
        f"demand-claims: demand {demand.pk} (claimed) has pending claim",
    ]


def complete_demand_in_service():
    demand = Demand.objects.filter(status=DemandStatus.IN_SERVICE).first()
    holder = demand.claims.get(status=ClaimStatus.ACTIVITY_PUBLISHED)
    Demand.objects.filter(pk=demand.pk).update(status=DemandStatus.COMPLETED)
    return [
        f"demand-claims: demand {demand.pk} (completed) is held by [claim {holder.pk} "
        "(activity_published)], expected exactly one completed claim"
    ]


def make_demand_with_claims_a_draft():
    demand = Demand.objects.filter(status=DemandStatus.OPEN, claims__isnull=False).first()
    Demand.objects.filter(pk=demand.pk).update(status=DemandStatus.DRAFT)
    ids = ", ".join(str(pk) for pk in demand.claims.order_by("id").values_list("pk", flat=True))
    return [f"demand-claims: demand {demand.pk} (draft) has claims: {ids}"]


def close_demand_keeping_pending_claims():
    claim = claim_in(ClaimStatus.PENDING)
    Demand.objects.filter(pk=claim.demand_id).update(status=DemandStatus.CLOSED)
    return [f"demand-claims: demand {claim.demand_id} (closed) has pending claim {claim.pk}"]


def rate_pending_claim():
    claim = claim_in(ClaimStatus.PENDING)
    rating = Rating.objects.create(
        claim=claim, side=Side.VOLUNTEER, rater=claim.requested_by, stars=3
    )
    return [f"rating: rating {rating.pk}: its claim {claim.pk} is pending"]


def delete_points_entry():
    claim = claim_in(ClaimStatus.COMPLETED)
    entry = claim.points_entries.order_by("id").first()
    sql(f"DELETE FROM {PointsEntry._meta.db_table} WHERE id = %s", [entry.pk])
    return [
        f"points: claim {claim.pk} (completed) has 1 points entries, expected 2",
        f"points: claim {claim.pk} (completed): rating {entry.rating_id} has no points entry",
    ]


def change_points_of_entry():
    claim = claim_in(ClaimStatus.COMPLETED)
    entry = claim.points_entries.order_by("id").first()
    sql(f"UPDATE {PointsEntry._meta.db_table} SET points = 100 WHERE id = %s", [entry.pk])
    stars = entry.rating.stars
    return [
        f"points: points entry {entry.pk} for rating {entry.rating_id} ({stars} stars) is 100 "
        f"points, expected {stars * 2}"
    ]


def pay_the_wrong_org():
    claim = claim_in(ClaimStatus.COMPLETED)
    entry = claim.points_entries.get(rating__side=Side.LEAGUE)  # pays the claim's org
    other = Claim.objects.exclude(org=claim.org).first().org
    sql(
        f"UPDATE {PointsEntry._meta.db_table} SET volunteer_org_id = %s WHERE id = %s",
        [other.pk, entry.pk],
    )
    return [
        f"points: points entry {entry.pk} for rating {entry.rating_id} is not paid to "
        f"volunteer org {claim.org_id}"
    ]


def pay_claim_without_rating():
    claim = claim_in(ClaimStatus.COMPLETED)
    entry = PointsEntry.objects.create(
        volunteer_org=claim.org, claim=claim, points=5, reason="补发积分"
    )
    return [
        f"points: points entry {entry.pk} has a claim or a rating but not both",
        f"points: claim {claim.pk} (completed) has 3 points entries, expected 2",
    ]


def pay_claim_not_completed():
    claim = claim_in(ClaimStatus.ACTIVITY_PUBLISHED, ratings__side=Side.LEAGUE)
    rating = claim.ratings.get()
    entry = PointsEntry.objects.create(
        volunteer_org=claim.org, claim=claim, rating=rating, points=10, reason="提前结算"
    )
    return [f"points: points entry {entry.pk} pays claim {claim.pk}, which is activity_published"]


def audit_record_with_wrong_to_state():
    demand = Demand.objects.filter(status=DemandStatus.OPEN).first()
    AuditRecord.objects.create(
        content_type=ContentType.objects.get_for_model(Demand),
        object_id=demand.pk,
        action="claim",
        from_state=DemandStatus.OPEN,
        to_state=DemandStatus.CLAIMED,
    )
    return [f"audit: demand {demand.pk} (open): its latest audit record says claimed"]


def audit_chain_with_a_gap():
    initial = InitialDemand.objects.filter(status="declined").first()
    record = AuditRecord.objects.create(
        content_type=ContentType.objects.get_for_model(InitialDemand),
        object_id=initial.pk,
        action="decline",
        from_state="pending",
        to_state="declined",
    )
    return [
        f"audit: initial demand {initial.pk}: audit record {record.pk} goes from 'pending', "
        "but the previous record left it at 'declined'"
    ]


def delete_audit_trail():
    claim = claim_in(ClaimStatus.COMPLETED)
    ct = ContentType.objects.get_for_model(Claim)
    sql(
        f"DELETE FROM {AuditRecord._meta.db_table} WHERE content_type_id = %s AND object_id = %s",
        [ct.pk, claim.pk],
    )
    return [f"audit: claim {claim.pk} (completed) has no audit record"]


@pytest.mark.parametrize(
    "breaker",
    [
        approve_behind_the_process,
        cancel_review_task,
        cancelled_claim_with_a_running_process,
        end_process_of_approved_claim,
        cancel_process_of_completed_claim,
        point_process_at_another_claim,
        unlink_process,
        move_demand_to_another_league_org,
        rate_second_side_behind_the_flow,
        mark_open_demand_claimed,
        complete_demand_in_service,
        make_demand_with_claims_a_draft,
        close_demand_keeping_pending_claims,
        rate_pending_claim,
        delete_points_entry,
        change_points_of_entry,
        pay_the_wrong_org,
        pay_claim_without_rating,
        pay_claim_not_completed,
        audit_record_with_wrong_to_state,
        audit_chain_with_a_gap,
        delete_audit_trail,
    ],
)
def test_a_broken_invariant_is_named(demo, breaker):
    expected = breaker()
    output, status = check_command()
    assert status == 1
    assert "consistent:" not in output
    lines = output.splitlines()
    for message in expected:
        assert any(line.startswith(message) for line in lines), (message, output)


def test_balance_that_disagrees_with_the_ledger_is_named(demo, monkeypatch):
    from scoring import selectors

    monkeypatch.setattr(selectors, "points_balance", lambda *, org: 0)
    claim = claim_in(ClaimStatus.COMPLETED)
    total = sum(claim.org.points_entries.values_list("points", flat=True))
    assert f"balance: volunteer org {claim.org_id}: balance 0 != sum of its entries {total}" in (
        check_consistency()
    )


def test_manage_py_exit_status(demo, capsys, monkeypatch):
    # manage.py closes the connections when a command ends; the test's transaction needs its own
    monkeypatch.setattr(connections, "close_all", lambda: None)
    execute_from_command_line(["manage.py", "check_consistency"])  # no SystemExit: status 0
    assert "consistent: " in capsys.readouterr().out

    claim = claim_in(ClaimStatus.PENDING)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.WITHDRAWN)
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "check_consistency"])
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert f"claim-process: claim {claim.pk} (withdrawn): process" in captured.out
    assert "CommandError" in captured.err


def test_cancelled_processes_are_consistent(demo):
    admin = User.objects.get(username="admin_gd")
    for status in (ClaimStatus.PENDING, ClaimStatus.APPROVED):
        services.claim_process_cancel(claim=claim_in(status), actor=admin, reason="测试取消")
    assert check_consistency() == []
