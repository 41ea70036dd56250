"""Test data builders. Stateful objects are built through the services, never by writing a state."""

import datetime

import factory
from django.utils import timezone

from demands import services as demand_services
from demands.choices import Zone
from orgs.choices import GUANGDONG_CITIES, LeagueLevel, Role, ServiceArea, ServiceObject
from orgs.models import City, LeagueOrg, Membership, User, VolunteerOrg
from workflows import services as claim_services

PASSWORD = "Secret-pass-123"


def city(name: str = "广州市") -> City:
    # get_or_create: a transactional test flushes the reference data loaded by migration.
    code = dict((n, c) for c, n in GUANGDONG_CITIES)[name]
    return City.objects.get_or_create(code=code, defaults={"name": name})[0]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class LeagueOrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeagueOrg

    code = factory.Sequence(lambda n: f"L{n:06d}")
    name = factory.Sequence(lambda n: f"共青团测试委员会{n}")
    level = LeagueLevel.CITY
    city = factory.LazyFunction(city)


class VolunteerOrgFactory(factory.django.DjangoModelFactory):
    """A registered org with a complete profile, ready to claim."""

    class Meta:
        model = VolunteerOrg

    code = factory.Sequence(lambda n: f"V{n:06d}")
    name = factory.Sequence(lambda n: f"测试志愿服务队{n}")
    city = factory.LazyFunction(city)
    service_areas = factory.LazyFunction(lambda: [ServiceArea.CARE_FOR_MINORS])
    service_objects = factory.LazyFunction(lambda: [ServiceObject.TEENAGERS])
    volunteer_count = 20
    contact_name = "王队长"
    contact_mobile = "13800138000"
    intro = "长期开展关爱未成年人志愿服务。"


def reviewer_of(org: LeagueOrg, **kwargs) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, role=Role.LEAGUE_REVIEWER, league_org=org)
    return user


def operator_of(org: VolunteerOrg, **kwargs) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, role=Role.ORG_OPERATOR, volunteer_org=org)
    return user


def demand_data(zone: str = Zone.COLORFUL_HOLIDAY, **overrides) -> dict:
    today = timezone.localdate()
    prefix = {"colorful_holiday": "【七彩假期】", "cloud_teaching": "【云支教】"}.get(zone, "")
    data = {
        "zone": zone,
        "title": f"{prefix}招募志愿服务团队",
        "type": ServiceArea.CARE_FOR_MINORS,
        "volunteers_needed": 8,
        "content": "为乡村孩子辅导暑期作业。",
        "start_date": today,
        "end_date": today + datetime.timedelta(days=30),
        "guarantees": ["meals"],
        "city": city("深圳市"),
        "district": "罗湖区",
        "contact_name": "李雷",
        "contact_landline": "0755-88889999",
        "contact_mobile": "18826480174",
    }
    data.update(overrides)
    return data


def draft_demand(reviewer: User, league_org: LeagueOrg | None = None, **overrides):
    league_org = league_org or reviewer.league_org
    return demand_services.demand_create(
        actor=reviewer, league_org=league_org, data=demand_data(**overrides), verify_mobile=False
    )


def open_demand(reviewer: User, league_org: LeagueOrg | None = None, **overrides):
    demand = draft_demand(reviewer, league_org, **overrides)
    return demand_services.demand_publish(demand=demand, actor=reviewer)


def claim(demand, operator: User, org: VolunteerOrg | None = None):
    return claim_services.claim_request(
        demand=demand, org=org or operator.volunteer_org, actor=operator
    )


def activity_data(zone: str = Zone.COLORFUL_HOLIDAY, **overrides) -> dict:
    start = timezone.now() + datetime.timedelta(days=2)
    prefix = {"colorful_holiday": "【七彩假期】", "cloud_teaching": "【云支教】"}.get(zone, "")
    data = {
        "title": f"{prefix}暑期陪伴活动",
        "attendance_method": "qr_or_card",
        "activity_type": "volunteer_service",
        "category": "civilization_practice",
        "recruit_count": 8,
        "contact_name": "王队长",
        "contact_phone": "13800138000",
        "recruit_start_at": start - datetime.timedelta(days=1),
        "start_at": start,
        "end_at": start + datetime.timedelta(hours=4),
        "address": "广东深圳市罗湖区测试地址",
        "longitude": "114.123456",
        "latitude": "22.543210",
        "checkin_radius_km": "3",
        "signup_scope": "all",
        "suitability": ["family", "students"],
        "service_objects": ["teenagers"],
        "guarantees": ["meals"],
        "description": "为乡村孩子辅导功课。",
        "service_content": "数学辅导",
        "certificate_consent": True,
    }
    data.update(overrides)
    return data


def adopted_initial_demand(reviewer: User, league_org: LeagueOrg):
    """An ordinary initial demand sent to `league_org` and adopted by its reviewer."""
    initial = demand_services.initial_demand_submit(
        actor=UserFactory(),
        league_org=league_org,
        kind="ordinary",
        data={"title": "老人需要陪伴", "contact_name": "赵雷", "contact_mobile": "18500000000"},
        verify_mobile=False,
    )
    return demand_services.initial_demand_adopt(initial_demand=initial, actor=reviewer)


def review_task(claim):
    """The claim's review task (Viewflow's Task of ClaimFlow.review)."""
    from viewflow.workflow.models import Task

    from workflows.flows import ClaimFlow

    return Task.objects.get(process_id=claim.process_id, flow_task=ClaimFlow.review)


def task_url(task, name: str) -> str:
    """The URL of one of a task's pages (`execute`, `assign`, `unassign` …)."""
    return task.flow_task.reverse(name, args=[task.process_id, task.pk])


def fresh(obj):
    """The object as the database holds it now."""
    return type(obj).objects.get(pk=obj.pk)
