"""Demand and initial-demand use cases: drafts, publish, close, expiry, adopt and decline."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from demands import services
from demands.models import DemandStatus, InitialDemand, InitialDemandStatus, StudentRecord
from orgs.errors import InvalidInput, NotAllowed, StateConflict
from workflows import services as claim_services
from workflows.models import ClaimProcess, ClaimStatus

from .. import factories as f


def refreshed(obj):
    obj.refresh_from_db()
    return obj


def test_a_draft_may_be_incomplete_but_publishing_needs_everything(reviewer, league):
    draft = services.demand_create(
        actor=reviewer,
        league_org=league,
        data={"zone": "colorful_holiday", "title": "【七彩假期】"},
    )
    assert draft.status == DemandStatus.DRAFT
    with pytest.raises(InvalidInput) as exc:
        services.demand_publish(demand=draft, actor=reviewer)
    assert {"type", "content", "start_date", "contact_mobile"} <= set(exc.value.fields)
    services.demand_update(demand=draft, actor=reviewer, data=f.demand_data(), verify_mobile=False)
    assert services.demand_publish(demand=draft, actor=reviewer).status == DemandStatus.OPEN


def test_bad_fields_are_named(reviewer, league):
    with pytest.raises(InvalidInput) as exc:
        services.demand_create(
            actor=reviewer,
            league_org=league,
            data=f.demand_data(title="招募", content="长" * 201, contact_mobile="123"),
        )
    assert set(exc.value.fields) == {"title", "content", "contact_mobile"}
    with pytest.raises(InvalidInput) as exc:
        services.demand_create(actor=reviewer, league_org=league, data=f.demand_data(zone="mars"))
    assert set(exc.value.fields) == {"zone"}


def test_only_the_league_orgs_accounts_create_and_publish(
    league, other_reviewer, operator, reviewer
):
    for actor in (other_reviewer, operator):
        with pytest.raises(NotAllowed):
            services.demand_create(actor=actor, league_org=league, data=f.demand_data())
    draft = f.draft_demand(reviewer)
    with pytest.raises(NotAllowed):
        services.demand_publish(demand=draft, actor=other_reviewer)


def test_published_demands_are_not_edited(demand, reviewer):
    with pytest.raises(StateConflict):
        services.demand_update(demand=demand, actor=reviewer, data={"content": "改了"})
    with pytest.raises(StateConflict):
        services.demand_publish(demand=demand, actor=reviewer)


def test_cannot_publish_a_period_that_already_ended(reviewer):
    draft = f.draft_demand(reviewer)  # a period of 30 days from today, written today
    with time_machine.travel(timezone.now() + datetime.timedelta(days=40), tick=False):
        with pytest.raises(InvalidInput) as exc:
            services.demand_publish(demand=draft, actor=reviewer)
    assert {"start_date", "end_date"} <= set(exc.value.fields)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(-1, 10, "start_date"), (5, 4, "end_date"), (-5, -1, "start_date")],
)
def test_a_written_period_is_judged_by_today_on_create_and_update(reviewer, start, end, field):
    today = timezone.localdate()
    period = {
        "start_date": today + datetime.timedelta(days=start),
        "end_date": today + datetime.timedelta(days=end),
    }
    with pytest.raises(InvalidInput) as exc:
        f.draft_demand(reviewer, **period)
    assert field in exc.value.fields
    draft = f.draft_demand(reviewer)
    with pytest.raises(InvalidInput) as exc:
        services.demand_update(demand=draft, actor=reviewer, data=period)
    assert field in exc.value.fields


def test_a_draft_whose_start_has_passed_still_saves_its_contact(reviewer):
    # Only a period that is written is judged then; publish judges it anyway.
    draft = f.draft_demand(reviewer)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3), tick=False):
        services.demand_update(
            demand=draft, actor=reviewer, data={"district": "福田区"}, verify_mobile=False
        )
        with pytest.raises(InvalidInput) as exc:
            services.demand_publish(demand=draft, actor=reviewer)
    assert set(exc.value.fields) == {"start_date"}


def test_close_returns_pending_claims(demand, reviewer, operator):
    claim = f.claim(demand, operator)
    services.demand_close(demand=demand, actor=reviewer, reason="活动取消")
    assert refreshed(demand).status == DemandStatus.CLOSED
    assert refreshed(claim).status == ClaimStatus.REJECTED
    assert claim.reason == "需求已关闭"
    assert ClaimProcess.objects.get(pk=claim.process_id).status == "CANCELED"


def test_a_claimed_demand_cannot_be_closed(demand, reviewer, operator):
    claim = f.claim(demand, operator)
    claim_services.claim_approve(claim=claim, actor=reviewer)
    with pytest.raises(StateConflict):
        services.demand_close(demand=demand, actor=reviewer)


def test_expiry_of_unclaimed_demands(reviewer, operator, operator2):
    today = timezone.localdate()
    short = f.open_demand(reviewer, end_date=today + datetime.timedelta(days=1))
    waiting = f.claim(short, operator)
    claimed = f.open_demand(reviewer, end_date=today + datetime.timedelta(days=1))
    claim_services.claim_approve(claim=f.claim(claimed, operator2), actor=reviewer)
    running = f.open_demand(reviewer, end_date=today + datetime.timedelta(days=10))

    assert services.demand_expire_due() == []  # nothing has ended yet
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        assert services.demand_expire_due() == [short.pk]
        assert services.demand_expire_due() == []  # idempotent
    assert refreshed(short).status == DemandStatus.EXPIRED
    assert refreshed(waiting).status == ClaimStatus.REJECTED
    assert waiting.reason == "需求已过期"
    assert refreshed(claimed).status == DemandStatus.CLAIMED
    assert refreshed(running).status == DemandStatus.OPEN


def test_expire_command(reviewer, capsys):
    demand = f.open_demand(reviewer, end_date=timezone.localdate())
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        call_command("expire_demands")
    assert "expired 1 demand(s)" in capsys.readouterr().out
    assert refreshed(demand).status == DemandStatus.EXPIRED


# -- initial demands ---------------------------------------------------------------------------

STUDENT = {
    "name": "赵小二",
    "gender": "male",
    "grade": "primary_3",
    "school": "李村小学",
    "address": "深圳市李村小学",
    "courses": [{"course": "english", "score": 44}, {"course": "math", "score": 76}],
    "interests": ["painting", "chess", "recitation"],
    "remarks": "",
}


@pytest.fixture
def individual(db):
    return f.UserFactory(username="individual")


def submit_cloud(individual, league, **student):
    return services.initial_demand_submit(
        actor=individual,
        league_org=league,
        kind="cloud_teaching",
        data={
            "title": "【乡村云支教】我需要补习英语",
            "contact_name": "赵雷",
            "contact_mobile": "18500000000",
        },
        student={**STUDENT, "city": f.city("深圳市"), **student},
        verify_mobile=False,
    )


def test_cloud_teaching_initial_demand_keeps_the_student(individual, league):
    initial = submit_cloud(individual, league)
    assert initial.status == InitialDemandStatus.PENDING
    assert initial.student.school == "李村小学"
    assert initial.student.courses[1] == {"course": "math", "score": 76}


@pytest.mark.parametrize(
    ("student", "field"),
    [
        ({"courses": []}, "student.courses"),
        (
            {
                "courses": [
                    {"course": c, "score": 60} for c in ("math", "english", "chinese", "physics")
                ]
            },
            "student.courses",
        ),
        ({"courses": [{"course": "math"}]}, "student.courses"),
        ({"courses": [{"course": "math", "score": 151}]}, "student.courses"),
        ({"courses": [{"course": "cooking", "score": 60}]}, "student.courses"),
        ({"interests": ["painting", "chess", "dance", "drone"]}, "student.interests"),
        ({"interests": ["surfing"]}, "student.interests"),
        ({"school": "校" * 51}, "student.school"),
        ({"address": "址" * 101}, "student.address"),
        ({"remarks": "备" * 201}, "student.remarks"),
        ({"gender": "x"}, "student.gender"),
    ],
)
def test_student_field_rules(individual, league, student, field):
    with pytest.raises(InvalidInput) as exc:
        submit_cloud(individual, league, **student)
    assert field in exc.value.fields
    assert not InitialDemand.objects.exists()
    assert not StudentRecord.objects.exists()


def test_cloud_teaching_title_prefix(individual, league):
    with pytest.raises(InvalidInput) as exc:
        services.initial_demand_submit(
            actor=individual,
            league_org=league,
            kind="cloud_teaching",
            data={
                "title": "我需要补习英语",
                "contact_name": "赵雷",
                "contact_mobile": "18500000000",
            },
            student={**STUDENT, "city": f.city("深圳市")},
            verify_mobile=False,
        )
    assert "title" in exc.value.fields


def test_adopt_and_decline(individual, league, reviewer, other_reviewer):
    first = submit_cloud(individual, league)
    second = services.initial_demand_submit(
        actor=individual,
        league_org=league,
        kind="ordinary",
        data={"title": "社区老人需要陪伴", "contact_name": "王雷", "contact_mobile": "18600000000"},
        verify_mobile=False,
    )
    with pytest.raises(NotAllowed):
        services.initial_demand_adopt(initial_demand=first, actor=other_reviewer)
    services.initial_demand_adopt(initial_demand=first, actor=reviewer)
    services.initial_demand_decline(initial_demand=second, actor=reviewer, reason="不在服务范围")
    assert refreshed(first).status == InitialDemandStatus.ADOPTED
    assert refreshed(second).status == InitialDemandStatus.DECLINED
    assert second.decision_reason == "不在服务范围"
    with pytest.raises(StateConflict):
        services.initial_demand_adopt(initial_demand=second, actor=reviewer)


def test_only_adopted_initial_demands_of_the_org_are_linked(individual, league, reviewer):
    initial = submit_cloud(individual, league)
    with pytest.raises(InvalidInput) as exc:
        f.draft_demand(reviewer, zone="cloud_teaching", initial_demands=[initial])
    assert "initial_demands" in exc.value.fields
    services.initial_demand_adopt(initial_demand=initial, actor=reviewer)
    demand = f.draft_demand(reviewer, zone="cloud_teaching", initial_demands=[initial])
    assert list(demand.initial_demands.all()) == [initial]


# -- favorites, likes, reports ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("setter", "model"), [("favorite_set", "favorites"), ("like_set", "likes")]
)
def test_favorite_and_like_toggle_once_per_user(demand, individual, setter, model):
    toggle = getattr(services, setter)
    toggle(actor=individual, demand=demand, on=True)
    toggle(actor=individual, demand=demand, on=True)  # a repeated tap changes nothing
    assert getattr(demand, model).count() == 1
    toggle(actor=individual, demand=demand, on=False)
    assert getattr(demand, model).count() == 0


def test_drafts_are_not_favorited_or_reported(reviewer, individual):
    draft = f.draft_demand(reviewer)
    with pytest.raises(StateConflict):
        services.favorite_set(actor=individual, demand=draft, on=True)
    with pytest.raises(StateConflict):
        services.report_submit(actor=individual, demand=draft, reason="虚假信息")


@pytest.mark.parametrize(
    ("reason", "ok"), [("", False), ("虚" * 201, False), ("联系电话无法接通", True)]
)
def test_report_needs_a_reason(demand, individual, reason, ok):
    if ok:
        assert (
            services.report_submit(actor=individual, demand=demand, reason=reason).reason == reason
        )
    else:
        with pytest.raises(InvalidInput) as exc:
            services.report_submit(actor=individual, demand=demand, reason=reason)
        assert "reason" in exc.value.fields
        assert not demand.reports.exists()
