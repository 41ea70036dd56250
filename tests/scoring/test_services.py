"""Ratings (one per side, blind until both are in) and the append-only points ledger."""

import pytest

from orgs.errors import InvalidInput, NotAllowed, StateConflict
from scoring.models import PointsEntry, Rating
from scoring.rules import points_for_rating
from scoring.selectors import points_balance, rating_list_visible
from scoring.services import rating_submit
from workflows import services
from workflows.models import ClaimStatus

from .. import factories as f


@pytest.fixture
def in_service(demand, operator, reviewer):
    claim = f.claim(demand, operator)
    services.claim_approve(claim=claim, actor=reviewer)
    services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    return claim


def test_both_ratings_settle_points_for_the_rated_orgs(
    in_service, reviewer, operator, vorg, league
):
    rating_submit(claim=in_service, actor=reviewer, stars=5, comment="服务认真")
    assert points_balance(org=vorg) == 0  # nothing is paid before both sides rated
    rating_submit(claim=in_service, actor=operator, stars=3)

    in_service.refresh_from_db()
    assert in_service.status == ClaimStatus.COMPLETED
    assert points_balance(org=vorg) == points_for_rating(5) == 10
    assert points_balance(org=league) == points_for_rating(3) == 6
    assert PointsEntry.objects.filter(claim=in_service).count() == 2


def test_balance_is_the_sum_of_entries(in_service, reviewer, operator, vorg, league, operator2):
    rating_submit(claim=in_service, actor=reviewer, stars=4)
    rating_submit(claim=in_service, actor=operator, stars=4)
    second_demand = f.open_demand(reviewer)
    second = f.claim(second_demand, operator)
    services.claim_approve(claim=second, actor=reviewer)
    services.activity_publish(claim=second, actor=operator, data=f.activity_data())
    rating_submit(claim=second, actor=reviewer, stars=2)
    rating_submit(claim=second, actor=operator, stars=5)
    assert points_balance(org=vorg) == 8 + 4
    assert points_balance(org=league) == 8 + 10


def test_ledger_entries_are_never_edited(in_service, reviewer, operator):
    rating_submit(claim=in_service, actor=reviewer, stars=4)
    rating_submit(claim=in_service, actor=operator, stars=4)
    entry = PointsEntry.objects.first()
    entry.points = 1000
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_ratings_are_blind_until_both_are_in(in_service, reviewer, operator):
    rating_submit(claim=in_service, actor=reviewer, stars=2, comment="迟到")
    assert [r.stars for r in rating_list_visible(claim=in_service, viewer=reviewer)] == [2]
    assert rating_list_visible(claim=in_service, viewer=operator) == []
    rating_submit(claim=in_service, actor=operator, stars=5)
    assert len(rating_list_visible(claim=in_service, viewer=operator)) == 2


def test_one_rating_per_side(in_service, reviewer):
    rating_submit(claim=in_service, actor=reviewer, stars=4)
    with pytest.raises(StateConflict) as exc:
        rating_submit(claim=in_service, actor=reviewer, stars=5)
    assert exc.value.code == "already_rated"
    assert Rating.objects.get().stars == 4


@pytest.mark.parametrize(
    ("stars", "comment", "field"),
    [
        (0, "", "stars"),
        (6, "", "stars"),
        ("5", "", "stars"),
        (True, "", "stars"),
        (5, "好" * 201, "comment"),
    ],
)
def test_rating_field_rules(in_service, reviewer, stars, comment, field):
    with pytest.raises(InvalidInput) as exc:
        rating_submit(claim=in_service, actor=reviewer, stars=stars, comment=comment)
    assert field in exc.value.fields
    assert not Rating.objects.exists()


def test_only_parties_rate(in_service, operator2, other_reviewer):
    for actor in (operator2, other_reviewer):
        with pytest.raises(NotAllowed):
            rating_submit(claim=in_service, actor=actor, stars=5)


def test_no_rating_before_the_activity(demand, operator, reviewer):
    claim = f.claim(demand, operator)
    services.claim_approve(claim=claim, actor=reviewer)
    with pytest.raises(StateConflict):
        rating_submit(claim=claim, actor=reviewer, stars=5)


def test_ledger_refuses_bulk_edits(in_service, reviewer, operator):
    rating_submit(claim=in_service, actor=reviewer, stars=4)
    rating_submit(claim=in_service, actor=operator, stars=4)
    with pytest.raises(ValueError):
        PointsEntry.objects.update(points=0)
    with pytest.raises(ValueError):
        PointsEntry.objects.all().delete()
    assert sorted(PointsEntry.objects.values_list("points", flat=True)) == [8, 8]
