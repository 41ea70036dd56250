"""The benchmark's seeder: a tiny province that the services, the API, the queues and the
consistency checker take for real data."""

import pytest
from django.urls import get_resolver
from django.utils import timezone
from rest_framework.test import APIClient
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from bench.seed import seed
from demands.models import Demand, DemandStatus
from orgs.models import LeagueOrg, User, VolunteerOrg
from scoring.models import PointsEntry, Rating
from workflows.consistency import check_consistency
from workflows.flows import ClaimFlow
from workflows.models import Activity, Claim, ClaimProcess, ClaimStatus
from workflows.services import claim_approve
from workflows.validators import activity_errors

TINY = {
    "demands": 60,
    "volunteer_orgs": 10,
    "league_orgs": 25,
    "finished": 12,
    "running": 6,
    "clients": 2,
}


@pytest.fixture
def manifest(db):
    return seed(**TINY, out=lambda line: None)


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_it_makes_what_it_was_asked_for(manifest):
    assert Demand.objects.count() == 60
    assert VolunteerOrg.objects.count() == 10
    assert LeagueOrg.objects.count() == 25
    assert LeagueOrg.objects.filter(parent=None).count() == 1
    assert Claim.objects.filter(status=ClaimStatus.COMPLETED).count() == 12
    assert Claim.objects.filter(status=ClaimStatus.PENDING).count() == 6
    assert Claim.objects.count() == 18
    assert ClaimProcess.objects.filter(status=PROCESS.DONE).count() == 12
    assert ClaimProcess.objects.filter(status=PROCESS.NEW).count() == 6
    assert Activity.objects.count() == 12
    assert Rating.objects.count() == PointsEntry.objects.count() == 24
    statuses = set(Demand.objects.values_list("status", flat=True))
    assert statuses == {"completed", "open", "closed", "expired", "draft"}
    assert Demand.objects.filter(status=DemandStatus.COMPLETED).count() == 12
    published = list(
        Demand.objects.exclude(published_at=None).values_list("published_at", flat=True)
    )
    assert len(set(published)) == len(published)

    scale = manifest["scale"]
    assert {k: scale[k] for k in TINY} == TINY
    assert len(manifest["reviewers"]) == 2
    assert all(r["pending_claim_ids"] for r in manifest["reviewers"])
    assert len(manifest["operators"]) == 4
    assert manifest["demand_ids"]
    assert not Demand.objects.filter(pk__in=manifest["demand_ids"], status="draft").exists()


def test_the_database_is_consistent(manifest):
    assert check_consistency() == []


def test_the_rows_pass_the_rules_the_services_apply(manifest):
    for demand in Demand.objects.exclude(status=DemandStatus.DRAFT):
        assert demand.validation_errors(for_publish=True) == {}, demand.pk
    for demand in Demand.objects.filter(status=DemandStatus.DRAFT):
        assert demand.validation_errors() == {}, demand.pk
    for activity in Activity.objects.select_related("claim__demand"):
        assert activity_errors(activity, zone=activity.claim.demand.zone) == {}, activity.pk
    assert (
        Demand.objects.filter(status=DemandStatus.OPEN, end_date__lt=timezone.localdate()).count()
        == 0
    )
    for expired in Demand.objects.filter(status=DemandStatus.EXPIRED):
        assert expired.period_ended()


def test_every_volunteer_org_may_claim_and_every_account_logs_in(manifest):
    assert all(not org.profile_missing() for org in VolunteerOrg.objects.all())
    operator = manifest["operators"][0]
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": operator["username"], "password": manifest["password"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert not User.objects.filter(must_change_password=True).exists()


def test_a_manifest_reviewer_approves_a_seeded_pending_claim(manifest):
    reviewer = manifest["reviewers"][0]
    claim = Claim.objects.get(pk=reviewer["pending_claim_ids"][0])
    actor = User.objects.get(username=reviewer["username"])

    claim_approve(claim=claim, actor=actor)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.demand.status == DemandStatus.CLAIMED
    assert check_consistency() == []


def test_a_finished_demand_shows_as_completed(manifest):
    demand = Demand.objects.filter(status=DemandStatus.COMPLETED).first()
    operator = manifest["operators"][0]

    response = token_client(operator["token"]).get(f"/api/v1/demands/{demand.pk}/")

    assert response.status_code == 200
    assert response.json()["status"] == "completed"


def test_a_reviewer_token_lists_its_pending_claims(manifest):
    reviewer = manifest["reviewers"][0]

    response = token_client(reviewer["token"]).get("/api/v1/claims/", {"status": "pending"})

    assert response.status_code == 200
    listed = {claim["id"] for claim in response.json()["results"]}
    assert listed == set(reviewer["pending_claim_ids"])


def test_the_review_queue_shows_the_pending_claims(manifest, client):
    assert get_resolver().url_patterns  # the flow's URL names need the URLconf loaded
    reviewer = manifest["reviewers"][1]
    client.force_login(User.objects.get(username=reviewer["username"]))

    html = client.get("/workspace/claim/queue/").content.decode()

    tasks = Task.objects.filter(
        process__claim__in=reviewer["pending_claim_ids"], flow_task=ClaimFlow.review
    )
    assert len(tasks) == len(reviewer["pending_claim_ids"])
    for task in tasks:
        assert task.status == STATUS.NEW
        assert task.flow_task.reverse("index", args=[task.process_id, task.pk]) in html


def test_the_runners_lifecycle_works_on_an_open_demand(manifest):
    """An operator claims an open demand; the reviewer of its league org approves it."""
    demand = manifest["open_demands"][0]
    assert not Claim.objects.filter(demand_id=demand["id"]).exists()
    operator = token_client(manifest["operators"][0]["token"])

    claimed = operator.post(f"/api/v1/demands/{demand['id']}/claims/")
    assert claimed.status_code == 201, claimed.json()
    approved = token_client(demand["reviewer_token"]).post(
        f"/api/v1/claims/{claimed.json()['id']}/approve/"
    )

    assert approved.status_code == 200, approved.json()
    assert check_consistency() == []
