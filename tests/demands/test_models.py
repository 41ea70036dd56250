"""Transition tables of Demand and InitialDemand: every allowed and every forbidden move."""

import datetime

import pytest
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed

from demands.models import (
    MAX_VOLUNTEERS_NEEDED,
    Demand,
    DemandStatus,
    InitialDemand,
    InitialDemandStatus,
    period_errors,
)
from orgs.models import City
from orgs.validation import model_field_errors

from ..factories import demand_data

D = DemandStatus
DEMAND_TABLE = {
    "publish": {D.DRAFT: D.OPEN},
    "close": {D.DRAFT: D.CLOSED, D.OPEN: D.CLOSED},
    "claim": {D.OPEN: D.CLAIMED},
    "reopen": {D.CLAIMED: D.OPEN},
    "start_service": {D.CLAIMED: D.IN_SERVICE},
    "complete": {D.IN_SERVICE: D.COMPLETED},
    "expire": {D.OPEN: D.EXPIRED},
}


def unsaved_demand(status, **overrides) -> Demand:
    data = demand_data(**overrides)
    city = data.pop("city")
    demand = Demand(status=status, **data)
    demand.city = city
    return demand


@pytest.mark.django_db
@pytest.mark.parametrize("name", DEMAND_TABLE)
@pytest.mark.parametrize("source", D.values)
def test_demand_transition_table(name, source):
    # expire needs a period that has ended; publish one that has not (the other moves ignore it)
    overrides = (
        {"start_date": datetime.date(2020, 6, 5), "end_date": datetime.date(2020, 6, 8)}
        if name == "expire"
        else {}
    )
    demand = unsaved_demand(source, **overrides)
    target = DEMAND_TABLE[name].get(source)
    if target is None:
        assert not can_proceed(getattr(demand, name))
        with pytest.raises(TransitionNotAllowed):
            getattr(demand, name)()
        assert demand.status == source
    else:
        getattr(demand, name)()
        assert demand.status == target


@pytest.mark.django_db
def test_publish_needs_every_required_field():
    demand = unsaved_demand(D.DRAFT, contact_mobile="")
    assert not can_proceed(demand.publish)
    assert demand.validation_errors(for_publish=True) == {"contact_mobile": "发布前须填写此项"}


@pytest.mark.django_db
def test_publish_only_before_the_period_ended():
    demand = unsaved_demand(
        D.DRAFT, start_date=datetime.date(2020, 6, 5), end_date=datetime.date(2020, 6, 8)
    )
    assert not can_proceed(demand.publish)  # the transition's own condition
    assert demand.validation_errors(for_publish=True) == {
        "start_date": "开始日期不能早于今天",
        "end_date": "需求周期已结束",
    }
    demand.start_date = demand.end_date = timezone.localdate()  # today still counts
    assert can_proceed(demand.publish)


TODAY = datetime.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("start", "end", "errors"),
    [
        (TODAY, TODAY, set()),
        (TODAY, TODAY + datetime.timedelta(days=30), set()),
        (None, None, set()),  # a draft may leave the period empty
        (TODAY - datetime.timedelta(days=1), TODAY, {"start_date"}),
        (TODAY + datetime.timedelta(days=3), TODAY + datetime.timedelta(days=2), {"end_date"}),
        (
            TODAY - datetime.timedelta(days=9),
            TODAY - datetime.timedelta(days=2),
            {"start_date", "end_date"},
        ),
        (None, TODAY - datetime.timedelta(days=1), {"end_date"}),
    ],
)
def test_the_period_rule(start, end, errors):
    assert set(period_errors(start, end, today=TODAY)) == errors


@pytest.mark.django_db
def test_volunteers_needed_is_bounded_by_the_model():
    exclude = ("league_org", "created_by", "initial_demands", "status")  # as the service does
    demand = unsaved_demand(D.DRAFT, volunteers_needed=MAX_VOLUNTEERS_NEEDED)
    assert "volunteers_needed" not in model_field_errors(demand, exclude=exclude)
    demand = unsaved_demand(D.DRAFT, volunteers_needed=99_999_999_999)
    errors = model_field_errors(demand, exclude=exclude)
    assert "10000" in errors["volunteers_needed"]


@pytest.mark.django_db
def test_expire_only_after_the_period_ended():
    demand = unsaved_demand(D.OPEN)  # period runs 30 more days
    assert not can_proceed(demand.expire)
    demand.end_date = timezone.localdate() - datetime.timedelta(days=1)
    demand.start_date = demand.end_date
    assert can_proceed(demand.expire)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "title", "ok"),
    [
        ("colorful_holiday", "【七彩假期】招募志愿服务团队", True),
        ("colorful_holiday", "招募志愿服务团队", False),
        ("colorful_holiday", "【云支教】招募", False),
        ("cloud_teaching", "【云支教】补习数学", True),
        ("cloud_teaching", "【乡村云支教】补习英语", True),
        ("cloud_teaching", "【七彩假期】补习", False),
        ("general", "社区助老", True),
    ],
)
def test_title_prefix_rule_per_zone(zone, title, ok):
    errors = unsaved_demand(D.DRAFT, zone=zone, title=title).validation_errors()
    assert ("title" not in errors) is ok
    if not ok:
        assert "开头" in errors["title"]


@pytest.mark.django_db
def test_other_type_needs_its_text():
    demand = unsaved_demand(D.DRAFT, type="other", type_other="")
    assert "type_other" in demand.validation_errors()
    demand.type_other = "大概有20位小朋友"
    assert "type_other" not in demand.validation_errors()


@pytest.mark.django_db
def test_period_and_guarantee_rules():
    demand = unsaved_demand(
        D.DRAFT,
        start_date=datetime.date(2026, 7, 2),
        end_date=datetime.date(2026, 7, 1),
        guarantees=["meals", "helicopter"],
    )
    errors = demand.validation_errors()
    assert set(errors) == {"end_date", "guarantees"}
    assert "helicopter" in errors["guarantees"]


S = InitialDemandStatus
INITIAL_TABLE = {"adopt": {S.PENDING: S.ADOPTED}, "decline": {S.PENDING: S.DECLINED}}


@pytest.mark.parametrize("name", INITIAL_TABLE)
@pytest.mark.parametrize("source", S.values)
def test_initial_demand_transition_table(name, source):
    initial = InitialDemand(status=source, kind="ordinary", title="我需要补习英语")
    target = INITIAL_TABLE[name].get(source)
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            getattr(initial, name)()
        assert initial.status == source
    else:
        getattr(initial, name)(reason="")
        assert initial.status == target
        assert initial.decided_at is not None


def test_state_field_is_protected():
    demand = Demand()
    with pytest.raises(AttributeError):
        demand.status = D.OPEN


@pytest.mark.django_db
def test_cities_are_loaded():
    assert City.objects.count() == 21
    assert City.objects.filter(name="深圳市", code="440300").exists()
