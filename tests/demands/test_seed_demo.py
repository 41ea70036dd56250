"""seed_demo: every state of both zones, through the services, and idempotent."""

import io

import pytest
from django.core.management import call_command
from viewflow.workflow.status import PROCESS

from demands import services as demand_services
from demands.choices import Zone
from demands.models import Demand, DemandStatus, InitialDemand, InitialDemandStatus
from orgs.choices import Role
from orgs.models import AuditRecord, LeagueOrg, User, VolunteerOrg
from scoring.models import PointsEntry
from workflows.flows import ClaimFlow
from workflows.models import HOLDING_CLAIM_STATES, Claim, ClaimStatus
from workflows.selectors import ACTIVE_TASK_STATES

ZONES = [Zone.COLORFUL_HOLIDAY, Zone.CLOUD_TEACHING]
# Every demand state but `expired` in each zone; `expired` once overall is enough.
PER_ZONE_DEMAND_STATES = set(DemandStatus.values) - {DemandStatus.EXPIRED}


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = (Demand, Claim, User, AuditRecord, PointsEntry, InitialDemand, VolunteerOrg)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def seeded(db) -> str:
    return seed()


@pytest.mark.parametrize("zone", ZONES)
def test_every_demand_and_claim_state_in_each_zone(seeded, zone):
    demand_states = set(Demand.objects.filter(zone=zone).values_list("status", flat=True))
    assert PER_ZONE_DEMAND_STATES <= demand_states
    claim_states = set(Claim.objects.filter(demand__zone=zone).values_list("status", flat=True))
    assert claim_states == set(ClaimStatus.values)
    # one reviewer return with a reason, besides the system's rejections of competing claims
    assert (
        Claim.objects.filter(
            demand__zone=zone, status=ClaimStatus.REJECTED, decided_by__isnull=False
        )
        .exclude(reason="")
        .exists()
    )
    # an open demand with two competing pending claims
    assert any(
        d.claims.filter(status=ClaimStatus.PENDING).count() >= 2
        for d in Demand.objects.filter(zone=zone, status=DemandStatus.OPEN)
    )


def test_expired_demand_and_titles_carry_their_zone_prefix(seeded):
    assert Demand.objects.filter(status=DemandStatus.EXPIRED).exists()
    for demand in Demand.objects.all():
        prefix = (
            ("【七彩假期】",)
            if demand.zone == Zone.COLORFUL_HOLIDAY
            else ("【云支教】", "【乡村云支教】")
        )
        assert demand.title.startswith(prefix), demand.title
    # open demands stay claimable whenever the demo is seeded
    assert not any(d.period_ended() for d in Demand.objects.filter(status=DemandStatus.OPEN))


def test_every_initial_demand_state_and_the_adopted_ones_are_linked(seeded):
    states = set(InitialDemand.objects.values_list("status", flat=True))
    assert states == set(InitialDemandStatus.values)
    adopted = InitialDemand.objects.filter(status=InitialDemandStatus.ADOPTED)
    assert {i.kind for i in adopted} == {"ordinary", "cloud_teaching"}
    assert all(i.demands.exists() for i in adopted)
    student = InitialDemand.objects.filter(kind="cloud_teaching").first().student
    assert student.city.name and student.courses and student.interests


def test_completed_claims_settled_points_and_ended_their_process(seeded):
    completed = Claim.objects.filter(status=ClaimStatus.COMPLETED).select_related("process")
    assert completed.count() >= 2
    for claim in completed:
        assert claim.points_entries.count() == 2  # one per side's rating
        assert claim.process.status == PROCESS.DONE


def test_pending_claims_wait_in_a_review_task(seeded):
    pending = Claim.objects.filter(status=ClaimStatus.PENDING).select_related("process")
    assert pending.exists()
    for claim in pending:
        assert claim.process.task_set.filter(
            flow_task=ClaimFlow.review, status__in=ACTIVE_TASK_STATES
        ).exists()


def test_a_held_demand_has_exactly_one_holding_claim(seeded):
    held = Demand.objects.filter(
        status__in=[DemandStatus.CLAIMED, DemandStatus.IN_SERVICE, DemandStatus.COMPLETED]
    )
    assert held.count() >= 6
    for demand in held:
        assert demand.claims.filter(status__in=HOLDING_CLAIM_STATES).count() == 1, demand


def test_accounts_and_orgs(seeded):
    admin = User.objects.get(username="admin_gd")
    assert admin.is_staff and not admin.is_superuser and admin.is_provincial_admin
    assert admin.check_password("Demo-2026!") and not admin.must_change_password
    imported = User.objects.get(username="league_sg")
    assert imported.check_password("000000") and imported.must_change_password
    assert User.objects.get(username="reviewer_sz").league_org.name == "共青团深圳市委员会"
    assert not User.objects.get(username="individual_demo").memberships.exists()
    orgs = VolunteerOrg.objects.all()
    assert orgs.count() >= 4
    assert all(org.profile_complete for org in orgs)
    assert orgs.filter(registration="endorsed", endorsed_by__registration="registered").exists()
    operators = User.objects.filter(memberships__role=Role.ORG_OPERATOR)
    assert set(operators.values_list("memberships__volunteer_org", flat=True)) == set(
        orgs.values_list("pk", flat=True)
    )


def test_second_run_creates_nothing_and_prints_the_logins(seeded):
    before = row_counts()
    again = seed()
    assert row_counts() == before
    assert "already exist" in again
    for output in (seeded, again):
        assert "admin_gd" in output
        assert "reviewer_sz" in output
        assert "Demo-2026!" in output
        assert "league_sg" in output and "000000" in output


def test_a_failure_leaves_nothing_half_seeded(db, monkeypatch):
    def broken():
        raise RuntimeError("scheduler down")

    monkeypatch.setattr(demand_services, "demand_expire_due", broken)
    with pytest.raises(RuntimeError):
        seed()
    assert not LeagueOrg.objects.exists()
    assert not any(row_counts().values())

    monkeypatch.undo()
    assert "Demo data created" in seed()


def test_an_escalated_review_and_lapsed_claims(seeded):
    from workflows.models import ReviewEscalation

    escalated = Claim.objects.get(escalation_level__gt=0)
    assert escalated.status == ClaimStatus.PENDING
    assert escalated.demand.league_org.code == "GD-SZ-NS"
    assert [e.league_org.code for e in ReviewEscalation.objects.filter(claim=escalated)] == [
        "GD-SZ"
    ]
    assert AuditRecord.objects.filter(
        action="escalate", object_id=escalated.pk, org__code="GD-SZ"
    ).exists()
    for claim in Claim.objects.filter(status=ClaimStatus.LAPSED):
        assert claim.lapsed_at is not None
        assert claim.process.status == PROCESS.DONE
        assert claim.demand.status == DemandStatus.OPEN
