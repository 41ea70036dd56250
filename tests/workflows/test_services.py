"""The claim lifecycle through the services: rights, transitions, competing claims, audit."""

import pytest

from demands.models import DemandStatus
from orgs.errors import InvalidInput, NotAllowed, StateConflict
from orgs.models import AuditRecord
from workflows import services
from workflows.models import Activity, Claim, ClaimStatus

from .. import factories as f


def refreshed(obj):
    obj.refresh_from_db()
    return obj


def audit_trail(obj) -> list[tuple[str, str, str, str | None]]:
    records = AuditRecord.objects.filter(
        content_type__model=obj._meta.model_name, object_id=obj.pk
    ).order_by("pk")
    return [(r.action, r.from_state, r.to_state, r.actor and r.actor.username) for r in records]


@pytest.fixture
def pending(demand, operator):
    return f.claim(demand, operator)


# -- request ---------------------------------------------------------------------------------


def test_request_creates_a_pending_claim(demand, operator, vorg):
    claim = f.claim(demand, operator)
    assert claim.status == ClaimStatus.PENDING
    assert claim.org == vorg
    assert refreshed(demand).status == DemandStatus.OPEN
    assert audit_trail(claim) == [("request", "", "pending", "operator")]


def test_request_needs_a_complete_profile(demand, operator, vorg):
    vorg.intro = ""
    vorg.service_areas = []
    vorg.save()
    with pytest.raises(InvalidInput) as exc:
        f.claim(demand, operator)
    assert exc.value.code == "profile_incomplete"
    assert set(exc.value.fields) == {"intro", "service_areas"}
    assert not Claim.objects.exists()


def test_request_by_someone_not_operating_the_org_is_refused(demand, reviewer, vorg):
    with pytest.raises(NotAllowed):
        services.claim_request(demand=demand, org=vorg, actor=reviewer)


def test_request_of_a_draft_is_a_conflict(reviewer, operator):
    draft = f.draft_demand(reviewer)
    with pytest.raises(StateConflict):
        f.claim(draft, operator)


def test_one_active_claim_per_org_and_demand(demand, pending, operator, reviewer):
    with pytest.raises(StateConflict) as exc:
        f.claim(demand, operator)
    assert exc.value.code == "duplicate_claim"
    services.claim_reject(claim=pending, actor=reviewer, reason="资料不全")
    again = f.claim(demand, operator)  # a failed claim may be tried again
    assert again.status == ClaimStatus.PENDING


# -- approve / reject --------------------------------------------------------------------------


def test_approve_claims_the_demand_and_closes_competitors(demand, pending, reviewer, operator2):
    competitor = f.claim(demand, operator2)
    services.claim_approve(claim=pending, actor=reviewer)

    assert refreshed(pending).status == ClaimStatus.APPROVED
    assert pending.decided_by == reviewer
    assert refreshed(demand).status == DemandStatus.CLAIMED
    competitor = refreshed(competitor)
    assert competitor.status == ClaimStatus.REJECTED
    assert competitor.reason == "该需求已由其他组织认领成功"
    assert competitor.decided_by is None
    assert audit_trail(competitor)[-1] == ("reject", "pending", "rejected", None)
    assert audit_trail(demand)[-1] == ("claim", "open", "claimed", "reviewer")


@pytest.mark.parametrize("who", ["other_reviewer", "operator"])
def test_only_the_demands_reviewers_decide(request, pending, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=pending, actor=actor)
    with pytest.raises(NotAllowed):
        services.claim_reject(claim=pending, actor=actor, reason="不合适")
    assert refreshed(pending).status == ClaimStatus.PENDING


def test_deciding_twice_is_a_conflict(pending, reviewer):
    services.claim_approve(claim=pending, actor=reviewer)
    with pytest.raises(StateConflict):
        services.claim_approve(claim=pending, actor=reviewer)
    with pytest.raises(StateConflict):
        services.claim_reject(claim=pending, actor=reviewer, reason="改主意了")


def test_a_stale_claim_object_cannot_overwrite(pending, reviewer):
    stale = Claim.objects.get(pk=pending.pk)
    services.claim_reject(claim=pending, actor=reviewer, reason="名额已满")
    with pytest.raises(StateConflict):
        services.claim_approve(claim=stale, actor=reviewer)
    assert refreshed(pending).status == ClaimStatus.REJECTED


@pytest.mark.parametrize(
    ("reason", "ok"), [("", False), ("   ", False), ("好" * 201, False), ("好" * 200, True)]
)
def test_reject_needs_a_reason(pending, reviewer, reason, ok):
    if ok:
        services.claim_reject(claim=pending, actor=reviewer, reason=reason)
        assert refreshed(pending).reason == reason
        return
    with pytest.raises(InvalidInput) as exc:
        services.claim_reject(claim=pending, actor=reviewer, reason=reason)
    assert "reason" in exc.value.fields
    assert refreshed(pending).status == ClaimStatus.PENDING


def test_reject_leaves_the_demand_open(demand, pending, reviewer):
    services.claim_reject(claim=pending, actor=reviewer, reason="服务时间不匹配")
    assert refreshed(pending).status == ClaimStatus.REJECTED
    assert refreshed(demand).status == DemandStatus.OPEN


# -- withdraw --------------------------------------------------------------------------------


def test_withdraw_before_approval(demand, pending, operator):
    services.claim_withdraw(claim=pending, actor=operator, reason="计划有变")
    assert refreshed(pending).status == ClaimStatus.WITHDRAWN
    assert pending.reason == "计划有变"
    assert refreshed(demand).status == DemandStatus.OPEN


def test_withdraw_after_approval_reopens_the_demand(demand, pending, reviewer, operator, operator2):
    services.claim_approve(claim=pending, actor=reviewer)
    services.claim_withdraw(claim=pending, actor=operator)
    assert refreshed(pending).status == ClaimStatus.WITHDRAWN
    assert refreshed(demand).status == DemandStatus.OPEN
    assert audit_trail(demand)[-1][:3] == ("reopen", "claimed", "open")
    # the demand can be claimed and approved again
    second = f.claim(demand, operator2)
    services.claim_approve(claim=second, actor=reviewer)
    assert refreshed(demand).status == DemandStatus.CLAIMED


def test_withdraw_after_the_activity_is_a_conflict(pending, reviewer, operator):
    services.claim_approve(claim=pending, actor=reviewer)
    services.activity_publish(claim=pending, actor=operator, data=f.activity_data())
    with pytest.raises(StateConflict):
        services.claim_withdraw(claim=pending, actor=operator)


def test_only_the_claimer_withdraws(pending, operator2, reviewer):
    for actor in (operator2, reviewer):
        with pytest.raises(NotAllowed):
            services.claim_withdraw(claim=pending, actor=actor)


# -- activity --------------------------------------------------------------------------------


@pytest.fixture
def approved(pending, reviewer):
    return services.claim_approve(claim=pending, actor=reviewer)


def test_activity_publish(demand, approved, operator):
    activity = services.activity_publish(claim=approved, actor=operator, data=f.activity_data())
    assert activity.claim == approved
    assert activity.counts_service_hours
    assert refreshed(approved).status == ClaimStatus.ACTIVITY_PUBLISHED
    assert refreshed(demand).status == DemandStatus.IN_SERVICE


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "暑期陪伴活动"}, "title"),
        ({"title": "【七彩假期】" + "长" * 50}, "title"),
        ({"recruit_count": 0}, "recruit_count"),
        ({"attendance_method": "telepathy"}, "attendance_method"),
        ({"suitability": ["everyone"]}, "suitability"),
        ({"address": ""}, "address"),
        ({"latitude": "123"}, "latitude"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_activity_field_rules(approved, operator, overrides, field):
    with pytest.raises(InvalidInput) as exc:
        services.activity_publish(claim=approved, actor=operator, data=f.activity_data(**overrides))
    assert field in exc.value.fields
    assert refreshed(approved).status == ClaimStatus.APPROVED
    assert not Activity.objects.exists()


def test_activity_times_must_be_ordered(approved, operator):
    data = f.activity_data()
    data["end_at"] = data["start_at"]
    with pytest.raises(InvalidInput) as exc:
        services.activity_publish(claim=approved, actor=operator, data=data)
    assert set(exc.value.fields) == {"end_at"}


def test_activity_only_by_the_approved_claimer(pending, operator, operator2, reviewer):
    with pytest.raises(StateConflict):  # not approved yet
        services.activity_publish(claim=pending, actor=operator, data=f.activity_data())
    services.claim_approve(claim=pending, actor=reviewer)
    with pytest.raises(NotAllowed):
        services.activity_publish(claim=pending, actor=operator2, data=f.activity_data())


# -- audit -----------------------------------------------------------------------------------


def test_every_transition_of_a_full_lifecycle_is_audited(demand, pending, reviewer, operator):
    from scoring.services import rating_submit

    services.claim_approve(claim=pending, actor=reviewer)
    services.activity_publish(claim=pending, actor=operator, data=f.activity_data())
    rating_submit(claim=pending, actor=reviewer, stars=5)
    rating_submit(claim=pending, actor=operator, stars=4)
    assert audit_trail(pending) == [
        ("request", "", "pending", "operator"),
        ("approve", "pending", "approved", "reviewer"),
        ("publish_activity", "approved", "activity_published", "operator"),
        ("rate_by_league", "activity_published", "activity_published", "reviewer"),
        ("rate_by_volunteer", "activity_published", "activity_published", "operator"),
        ("complete", "activity_published", "completed", None),
    ]
    assert [a[:3] for a in audit_trail(demand)] == [
        ("create", "", "draft"),
        ("publish", "draft", "open"),
        ("claim", "open", "claimed"),
        ("start_service", "claimed", "in_service"),
        ("complete", "in_service", "completed"),
    ]
