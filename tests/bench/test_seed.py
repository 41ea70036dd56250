"""The benchmark's seeder: a tiny province that the services, the API, the queues and the
consistency checker take for real data, its claims copied from real runs of the services."""

import pytest
from django.db.models import Count
from django.urls import get_resolver
from rest_framework.test import APIClient
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from bench.seed import seed
from demands.models import Demand, DemandStatus
from orgs.models import AuditRecord, LeagueOrg, User, VolunteerOrg
from scoring.models import PointsEntry, Rating, Side
from scoring.services import rating_submit
from workflows.consistency import check_consistency
from workflows.flows import ClaimFlow
from workflows.models import Activity, Claim, ClaimProcess, ClaimStatus
from workflows.services import activity_publish, claim_approve

from .. import factories as f

TINY = {
    "demands": 90,
    "volunteer_orgs": 10,
    "league_orgs": 25,
    "finished": 20,
    "running": 12,
    "clients": 2,
}


@pytest.fixture
def manifest(db):
    return seed(**TINY, out=lambda line: None)


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def reviewer_of(claim) -> User:
    return User.objects.get(
        memberships__league_org=claim.demand.league_org, memberships__role="league_reviewer"
    )


def operator_of(claim) -> User:
    return User.objects.get(memberships__volunteer_org=claim.org)


def test_it_makes_what_it_was_asked_for(manifest):
    assert Demand.objects.count() == 90
    assert VolunteerOrg.objects.count() == 10
    assert LeagueOrg.objects.count() == 25
    assert LeagueOrg.objects.filter(parent=None).count() == 1
    # finished: 18 completed, 2 rejected; running: 9 pending, one each approved, waiting for
    # both ratings, and for the second
    claims = dict(Claim.objects.values_list("status").annotate(n=Count("pk")))
    assert claims == {
        ClaimStatus.COMPLETED: 18,
        ClaimStatus.REJECTED: 2,
        ClaimStatus.PENDING: 9,
        ClaimStatus.APPROVED: 1,
        ClaimStatus.ACTIVITY_PUBLISHED: 2,
    }
    assert ClaimProcess.objects.filter(status=PROCESS.DONE).count() == 20
    assert ClaimProcess.objects.filter(status=PROCESS.NEW).count() == 12
    assert Activity.objects.count() == 18 + 2
    assert Rating.objects.count() == 18 * 2 + 1
    assert PointsEntry.objects.count() == 18 * 2
    statuses = set(Demand.objects.values_list("status", flat=True))
    assert statuses == {
        "completed", "open", "closed", "expired", "draft", "claimed", "in_service"
    }  # fmt: skip
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


def test_each_copy_is_its_own_claim_of_its_own_demand(manifest):
    """Copies point at their own rows: no two claims share a demand, process, task or
    activity, and every row a claim's story wrote names its claim, demand and orgs."""
    claims = list(Claim.objects.select_related("demand", "process"))
    assert len({c.demand_id for c in claims}) == len(claims)
    assert len({c.process_id for c in claims}) == len(claims)
    for claim in claims:
        assert claim.process.artifact_object_id == claim.pk
        tasks = Task.objects.filter(process=claim.process)
        for task in tasks:
            assert set(task.previous.values_list("process", flat=True)) <= {claim.process_id}
            if task.owner_permission:  # the review sits in the demand's league org's queue
                assert task.owner_permission.endswith(f"_{claim.demand.league_org_id}")
            if "/" in str(task.token):  # a branch of the ratings' split names its split task
                split = int(str(task.token).split("/")[1].split("_")[0])
                assert tasks.filter(pk=split, flow_task=ClaimFlow.split_ratings).exists()
        for entry in PointsEntry.objects.filter(claim=claim):
            assert claim.demand.title in entry.reason
            assert entry.rating.claim_id == claim.pk
        requested = AuditRecord.objects.get(
            content_type__model="claim", object_id=claim.pk, action="request"
        )
        assert requested.actor == claim.requested_by
        assert claim.requested_by.memberships.filter(volunteer_org=claim.org_id).exists()
        assert claim.created_at >= claim.demand.published_at


def test_a_seeded_pending_claim_is_approved_and_lived_to_the_end(manifest):
    reviewer = manifest["reviewers"][0]
    claim = Claim.objects.get(pk=reviewer["pending_claim_ids"][-1])
    actor = User.objects.get(username=reviewer["username"])
    operator = operator_of(claim)

    claim_approve(claim=claim, actor=actor)
    activity_publish(claim=claim, actor=operator, data=f.activity_data(claim.demand.zone))
    rating_submit(claim=claim, actor=actor, stars=5)
    rating_submit(claim=claim, actor=operator, stars=4)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED
    assert claim.demand.status == DemandStatus.COMPLETED
    assert claim.process.status == PROCESS.DONE
    assert check_consistency() == []


def test_a_seeded_claim_waiting_for_its_second_rating_is_rated_to_completion(manifest):
    claim = Claim.objects.get(status=ClaimStatus.ACTIVITY_PUBLISHED, ratings__isnull=False)
    assert list(claim.ratings.values_list("side", flat=True)) == [Side.LEAGUE]

    rating_submit(claim=claim, actor=operator_of(claim), stars=5)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED
    assert claim.process.status == PROCESS.DONE
    assert PointsEntry.objects.filter(claim=claim).count() == 2
    assert check_consistency() == []


def test_a_seeded_approved_claim_publishes_its_activity(manifest):
    claim = Claim.objects.get(status=ClaimStatus.APPROVED)

    activity_publish(claim=claim, actor=operator_of(claim), data=f.activity_data(claim.demand.zone))
    rating_submit(claim=claim, actor=reviewer_of(claim), stars=3)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACTIVITY_PUBLISHED
    assert claim.demand.status == DemandStatus.IN_SERVICE
    assert check_consistency() == []


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
