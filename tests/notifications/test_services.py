"""Who is told what: each event's recipients, driven through the real services."""

import pytest
from django.db import transaction
from django.utils import translation

from demands import services as demand_services
from notifications.models import Notification
from notifications.rendering import notification_body, notification_title
from notifications.services import notifications_for_event
from orgs import events
from orgs.choices import Role
from orgs.models import Membership
from scoring import services as scoring_services
from workflows import services as claim_services

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(league):
    """A second reviewer of the demand's league org."""
    return f.reviewer_of(league, username="colleague")


@pytest.fixture
def teammate(vorg):
    """A second operator of the claiming org."""
    return f.operator_of(vorg, username="teammate")


@pytest.fixture
def bystanders(other_reviewer, operator2):
    """Users of other orgs: never told."""
    return [other_reviewer, operator2]


def told(kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def approved_claim(demand, operator, reviewer):
    claim = f.claim(demand, operator)
    return claim_services.claim_approve(claim=claim, actor=reviewer)


def published_claim(demand, operator, reviewer):
    claim = approved_claim(demand, operator, reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    return f.fresh(claim)


def test_claim_received_tells_the_demands_reviewers(
    demand, operator, reviewer, colleague, teammate, bystanders
):
    claim = f.claim(demand, operator)
    assert told(events.CLAIM_RECEIVED) == {"reviewer", "colleague"}
    note = Notification.objects.get(user=reviewer)
    assert (note.claim_id, note.demand_id, note.initial_demand_id) == (claim.pk, demand.pk, None)
    assert note.read_at is None


def test_inactive_users_are_not_told(demand, operator, reviewer, colleague):
    colleague.is_active = False
    colleague.save()
    f.claim(demand, operator)
    assert told(events.CLAIM_RECEIVED) == {"reviewer"}


def test_approved_tells_the_claimers_operators_and_closes_competitors(
    demand, operator, operator2, reviewer, colleague, teammate
):
    claim = f.claim(demand, operator)
    other = f.claim(demand, operator2)
    Notification.objects.all().delete()
    claim_services.claim_approve(claim=claim, actor=reviewer)
    assert told(events.CLAIM_APPROVED) == {"operator", "teammate"}
    # the competing claim is closed by the system: its org is told, with the reason
    assert told(events.CLAIM_REJECTED) == {"operator2"}
    rejected = Notification.objects.get(kind=events.CLAIM_REJECTED)
    assert rejected.claim_id == other.pk and rejected.params["by_system"] is True
    with translation.override("zh-hans"):
        assert "已关闭" in notification_body(rejected)


def test_returned_tells_the_operators_with_the_reason(
    demand, operator, reviewer, colleague, teammate, bystanders
):
    claim = f.claim(demand, operator)
    claim_services.claim_reject(claim=claim, actor=reviewer, reason="资料不全")
    assert told(events.CLAIM_REJECTED) == {"operator", "teammate"}
    note = Notification.objects.filter(kind=events.CLAIM_REJECTED).first()
    with translation.override("zh-hans"):
        assert notification_title(note) == "认领申请未通过"
        assert "资料不全" in notification_body(note) and "退回" in notification_body(note)


def test_withdrawn_tells_the_reviewers_not_the_operator(
    demand, operator, reviewer, colleague, teammate
):
    claim = f.claim(demand, operator)
    claim_services.claim_withdraw(claim=claim, actor=operator)
    assert told(events.CLAIM_WITHDRAWN) == {"reviewer", "colleague"}


def test_cancelled_tells_both_sides(
    demand, operator, reviewer, colleague, teammate, province, bystanders
):
    admin = f.UserFactory(username="admin")
    Membership.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, league_org=province)
    claim = f.claim(demand, operator)
    claim_services.claim_process_cancel(claim=claim, actor=admin, reason="重复认领")
    assert told(events.CLAIM_CANCELLED) == {"reviewer", "colleague", "operator", "teammate"}


def test_lapse_warning_and_lapsed(demand, operator, reviewer, colleague, teammate, bystanders):
    claim = approved_claim(demand, operator, reviewer)
    with transaction.atomic():
        events.emit(events.CLAIM_LAPSE_WARNING, claim=claim)
    assert told(events.CLAIM_LAPSE_WARNING) == {"operator", "teammate"}
    with transaction.atomic():
        events.emit(events.CLAIM_LAPSED, claim=claim)
    assert told(events.CLAIM_LAPSED) == {"operator", "teammate", "reviewer", "colleague"}


def test_escalated_tells_the_org_it_reached(
    demand, operator, reviewer, colleague, province, bystanders
):
    f.reviewer_of(province, username="provincial")
    claim = f.claim(demand, operator)
    with transaction.atomic():
        events.emit(events.REVIEW_ESCALATED, claim=claim, league_org=province)
    assert told(events.REVIEW_ESCALATED) == {"provincial"}
    note = Notification.objects.get(kind=events.REVIEW_ESCALATED)
    with translation.override("zh-hans"):
        assert province.name in notification_body(note)


def test_ratings_and_points_tell_the_rated_side(
    demand, operator, reviewer, colleague, teammate, bystanders
):
    claim = published_claim(demand, operator, reviewer)
    scoring_services.rating_submit(claim=claim, actor=reviewer, stars=5)
    # the league rated the volunteer org: its operators hear of it, not the reviewers
    assert told(events.RATING_RECEIVED) == {"operator", "teammate"}
    scoring_services.rating_submit(claim=f.fresh(claim), actor=operator, stars=4)
    assert told(events.RATING_RECEIVED) == {"operator", "teammate", "reviewer", "colleague"}
    # both rated: the points are paid to each side, with no actor (the system)
    assert told(events.POINTS_PAID) == {"operator", "teammate", "reviewer", "colleague"}
    stars = {
        n.user.username: n.params["stars"]
        for n in Notification.objects.filter(kind=events.RATING_RECEIVED)
    }
    assert stars == {"operator": 5, "teammate": 5, "reviewer": 4, "colleague": 4}


def test_initial_demand_decisions_tell_the_submitter(league, reviewer, colleague):
    submitter = f.UserFactory(username="resident")

    def submit():
        return demand_services.initial_demand_submit(
            actor=submitter,
            league_org=league,
            kind="ordinary",
            data={"title": "老人需要陪伴", "contact_name": "赵雷", "contact_mobile": "18500000000"},
            verify_mobile=False,
        )

    adopted = demand_services.initial_demand_adopt(initial_demand=submit(), actor=reviewer)
    assert told(events.INITIAL_DEMAND_ADOPTED) == {"resident"}
    assert Notification.objects.get(kind=events.INITIAL_DEMAND_ADOPTED).initial_demand == adopted
    demand_services.initial_demand_decline(
        initial_demand=submit(), actor=reviewer, reason="不在辖区"
    )
    note = Notification.objects.get(kind=events.INITIAL_DEMAND_DECLINED)
    assert note.user == submitter
    with translation.override("zh-hans"):
        assert "不在辖区" in notification_body(note)
    # never a contact mobile
    assert all("18500000000" not in str(n.params) for n in Notification.objects.all())


def test_the_actor_is_not_told(league, operator, reviewer):
    """A reviewer who is also an operator of the claiming org is not told of their own step."""
    Membership.objects.create(
        user=reviewer, role=Role.ORG_OPERATOR, volunteer_org=operator.volunteer_org
    )
    demand = f.open_demand(reviewer)
    claim = f.claim(demand, operator)
    claim_services.claim_approve(claim=claim, actor=reviewer)
    assert told(events.CLAIM_APPROVED) == {"operator"}
    assert told(events.CLAIM_RECEIVED) == {"reviewer"}


def test_a_rolled_back_change_tells_nobody(demand, operator, reviewer):
    with pytest.raises(RuntimeError), transaction.atomic():
        f.claim(demand, operator)
        assert told(events.CLAIM_RECEIVED) == {"reviewer"}
        raise RuntimeError("rolled back")
    assert Notification.objects.count() == 0


def test_both_languages_render_every_kind(demand, operator, reviewer):
    claim = f.claim(demand, operator)
    for kind in events.KINDS:
        note = Notification(user=reviewer, kind=kind, claim=claim, params={"demand": "D"})
        for language in ("zh-hans", "en"):
            with translation.override(language):
                assert notification_title(note) and notification_body(note), (kind, language)


def test_an_event_of_another_kind_tells_nobody(reviewer):
    assert notifications_for_event(events.Event(kind="demand.liked", actor=reviewer)) == []
