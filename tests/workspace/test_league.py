"""The league workspace (团组织工作台) in the operator Site: initial demands, publications, points."""

import logging

import pytest

from demands import services
from demands.models import Demand, DemandStatus, InitialDemandStatus, StudentRecordAccess
from orgs.choices import Role
from orgs.models import AuditRecord, Membership
from scoring.services import rating_submit
from workflows import services as claim_services

from .. import factories as f

BASE = "/workspace/league/"
MOBILE = "18500000000"
STUDENT = {
    "name": "赵小二",
    "gender": "male",
    "grade": "primary_3",
    "school": "李村小学",
    "address": "深圳市李村小学",
    "courses": [{"course": "english", "score": 44}, {"course": "math", "score": 76}],
    "interests": ["painting", "chess"],
    "remarks": "周末有空",
}


def submit(league, title="【乡村云支教】我需要补习英语", *, cloud=True, username="family"):
    return services.initial_demand_submit(
        actor=f.UserFactory(username=username),
        league_org=league,
        kind="cloud_teaching" if cloud else "ordinary",
        data={"title": title, "contact_name": "赵雷", "contact_mobile": MOBILE},
        student={**STUDENT, "city": f.city("深圳市")} if cloud else None,
        verify_mobile=False,
    )


@pytest.fixture
def initial(league):
    return submit(league)


@pytest.fixture
def other_initial(other_league):
    return submit(other_league, "【乡村云支教】广州的孩子想学数学", username="gz_family")


@pytest.fixture
def admin(province):
    user = f.UserFactory(username="admin")
    Membership.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, league_org=province)
    return user


def step1(**overrides):
    data = f.demand_data()
    body = {
        "zone": data["zone"],
        "title": data["title"],
        "type": data["type"],
        "type_other": "",
        "volunteers_needed": "8",
        "content": data["content"],
        "start_date": data["start_date"].isoformat(),
        "end_date": data["end_date"].isoformat(),
        "guarantees": ["meals", "insurance"],
        "action": "draft",
    }
    body.update(overrides)
    return body


def step2(**overrides):
    body = {
        "city": f.city("深圳市").pk,
        "district": "罗湖区",
        "contact_name": "李雷",
        "contact_landline": "0755-88889999",
        "contact_mobile": "18826480174",
        "sms_code": "",
        "service_content": "数学课程辅导",
        "action": "draft",
    }
    body.update(overrides)
    return body


def text(response) -> str:
    return response.content.decode()


# -- who may enter ---------------------------------------------------------------------------


def pages(demand, initial):
    return [
        ("get", BASE),
        ("get", BASE + "initial/"),
        ("get", f"{BASE}initial/{initial.pk}/"),
        ("post", f"{BASE}initial/{initial.pk}/adopt/"),
        ("post", f"{BASE}initial/{initial.pk}/decline/"),
        ("get", BASE + "demands/"),
        ("get", BASE + "demands/add/"),
        ("post", BASE + "demands/add/"),
        ("get", f"{BASE}demands/{demand.pk}/"),
        ("get", f"{BASE}demands/{demand.pk}/edit/"),
        ("get", f"{BASE}demands/{demand.pk}/contact/"),
        ("post", f"{BASE}demands/{demand.pk}/contact/send-code/"),
        ("get", f"{BASE}demands/{demand.pk}/close/"),
        ("post", f"{BASE}demands/{demand.pk}/close/"),
        ("get", BASE + "points/"),
    ]


@pytest.mark.parametrize("who", ["operator", "individual", "admin"])
def test_everyone_but_a_league_account_gets_403_on_every_page(
    client, who, operator, admin, demand, initial
):
    user = {"operator": operator, "admin": admin, "individual": f.UserFactory()}[who]
    client.force_login(user)
    for method, url in pages(demand, initial):
        assert getattr(client, method)(url).status_code == 403, (who, method, url)
    demand.refresh_from_db()
    initial.refresh_from_db()
    assert demand.status == DemandStatus.OPEN
    assert initial.status == InitialDemandStatus.PENDING


def test_anonymous_is_sent_to_log_in(client, demand, initial):
    for method, url in pages(demand, initial):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_site_menu_lists_the_workspace_for_reviewers_only(client, reviewer, operator):
    client.force_login(reviewer)
    response = client.get(BASE + "initial/")
    assert "团组织工作台" in text(response)
    assert "我的积分" in text(response)
    assert client.get(BASE).url == BASE + "initial/"


# -- 初始需求 -----------------------------------------------------------------------------------


def test_initial_list_is_the_orgs_own_newest_first_with_a_status_filter(
    client, reviewer, league, initial, other_initial
):
    later = submit(league, "老人需要陪伴", cloud=False, username="neighbour")
    services.initial_demand_decline(initial_demand=later, actor=reviewer, reason="不在辖区")
    client.force_login(reviewer)

    body = text(client.get(BASE + "initial/"))
    assert initial.title in body and later.title in body
    assert other_initial.title not in body
    assert body.index(later.title) < body.index(initial.title)

    declined = text(client.get(BASE + "initial/?status=declined"))
    assert later.title in declined and initial.title not in declined
    pending = text(client.get(BASE + "initial/?status=pending"))
    assert initial.title in pending and later.title not in pending
    assert later.title not in text(client.get(BASE + "initial/?status=adopted"))


def test_initial_detail_shows_the_student_and_progress_and_logs_the_read(
    client, reviewer, initial, caplog
):
    client.force_login(reviewer)
    with caplog.at_level(logging.INFO, logger="demands.initial_selectors"):
        response = client.get(f"{BASE}initial/{initial.pk}/")
    assert response.status_code == 200
    body = text(response)
    assert "赵小二" in body and "李村小学" in body and "英语44分" in body and "绘画" in body
    assert [s["step"] for s in response.context["progress"]][:2] == ["pending", "adopted"]
    assert "采用" in body and "不采用" in body
    assert f"student record of initial demand {initial.pk} read by user {reviewer.pk}" in (
        caplog.text
    )
    access = StudentRecordAccess.objects.get()
    assert (access.user, access.record, access.via) == (reviewer, initial.student, "workspace")


def test_another_orgs_initial_demand_is_404_and_its_student_never_shown(
    client, other_reviewer, initial, caplog
):
    client.force_login(other_reviewer)
    with caplog.at_level(logging.INFO, logger="demands.initial_selectors"):
        response = client.get(f"{BASE}initial/{initial.pk}/")
    assert response.status_code == 404
    assert "赵小二" not in text(response)
    assert "student record" not in caplog.text
    assert not StudentRecordAccess.objects.exists()
    assert client.get(f"{BASE}initial/{initial.pk + 1000}/").status_code == 404
    assert client.post(f"{BASE}initial/{initial.pk}/adopt/").status_code == 404
    assert client.post(f"{BASE}initial/{initial.pk}/decline/").status_code == 404
    initial.refresh_from_db()
    assert initial.status == InitialDemandStatus.PENDING


def test_adopt_through_the_service(client, reviewer, initial):
    client.force_login(reviewer)
    response = client.post(f"{BASE}initial/{initial.pk}/adopt/", {"adopt-reason": ""})
    assert response.status_code == 302 and response.url == f"{BASE}initial/{initial.pk}/"
    initial.refresh_from_db()
    assert initial.status == InitialDemandStatus.ADOPTED
    record = AuditRecord.objects.get(object_id=initial.pk, action="adopt")
    assert record.actor == reviewer
    body = text(client.get(response.url))
    assert "已采用" in body
    assert 'action="/workspace/league/initial/' not in body  # no more decision forms


def test_decline_with_an_optional_reason(client, reviewer, initial):
    client.force_login(reviewer)
    response = client.post(f"{BASE}initial/{initial.pk}/decline/", {"decline-reason": "已线下解决"})
    assert response.status_code == 302
    initial.refresh_from_db()
    assert initial.status == InitialDemandStatus.DECLINED
    assert initial.decision_reason == "已线下解决"
    assert [s["step"] for s in client.get(response.url).context["progress"]] == [
        "pending",
        "declined",
    ]


def test_a_second_decision_shows_the_services_refusal(client, reviewer, initial):
    services.initial_demand_adopt(initial_demand=initial, actor=reviewer)
    client.force_login(reviewer)
    response = client.post(f"{BASE}initial/{initial.pk}/decline/", {"decline-reason": "x"})
    assert response.status_code == 200
    assert response.context["decline_form"].non_field_errors()
    assert "不允许此操作" in text(response)
    initial.refresh_from_db()
    assert initial.status == InitialDemandStatus.ADOPTED


def test_a_too_long_reason_is_a_field_error(client, reviewer, initial):
    client.force_login(reviewer)
    response = client.post(f"{BASE}initial/{initial.pk}/decline/", {"decline-reason": "长" * 201})
    assert response.status_code == 200
    assert "reason" in response.context["decline_form"].errors
    initial.refresh_from_db()
    assert initial.status == InitialDemandStatus.PENDING


# -- 我的发布 -----------------------------------------------------------------------------------


def test_my_publications_with_drafts_and_filters(client, reviewer, other_reviewer, demand):
    draft = f.draft_demand(reviewer, title="【七彩假期】还在写的草稿")
    cloud = f.open_demand(reviewer, zone="cloud_teaching", title="【云支教】数学辅导")
    theirs = f.open_demand(other_reviewer, title="【七彩假期】广州的需求")
    client.force_login(reviewer)

    body = text(client.get(BASE + "demands/"))
    assert demand.title in body and draft.title in body and cloud.title in body
    assert theirs.title not in body
    assert body.index(cloud.title) < body.index(draft.title) < body.index(demand.title)

    drafts = text(client.get(BASE + "demands/?status=draft"))
    assert draft.title in drafts and demand.title not in drafts
    zone = text(client.get(BASE + "demands/?zone=cloud_teaching"))
    assert cloud.title in zone and demand.title not in zone
    assert client.get(BASE + "demands/?status=nonsense").status_code == 200


def test_two_step_create_with_a_draft_an_sms_code_and_publish(
    client, reviewer, league, outbox, django_capture_on_commit_callbacks
):
    adopted = submit(league)
    services.initial_demand_adopt(initial_demand=adopted, actor=reviewer)
    client.force_login(reviewer)
    form = client.get(BASE + "demands/add/")
    assert form.status_code == 200
    assert list(form.context["form"].fields["initial_demands"].queryset) == [adopted]

    # Step 1: 下一步 saves the draft and goes on to the contact step.
    response = client.post(
        BASE + "demands/add/", step1(action="next", initial_demands=[adopted.pk])
    )
    demand = Demand.objects.get()
    assert response.status_code == 302 and response.url == f"{BASE}demands/{demand.pk}/contact/"
    assert demand.status == DemandStatus.DRAFT and demand.league_org == league
    assert list(demand.initial_demands.all()) == [adopted]
    assert demand.guarantees == ["meals", "insurance"]

    # Step 2, 保存草稿 with a new mobile and no code: the service asks for the code.
    contact = f"{BASE}demands/{demand.pk}/contact/"
    response = client.post(contact, step2())
    assert response.status_code == 200
    assert "sms_code" in response.context["form"].errors
    demand.refresh_from_db()
    assert demand.contact_mobile == ""

    # 发送验证码: the code goes to the outbox; what was typed is shown again.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact + "send-code/", step2())
    assert response.status_code == 200
    assert "验证码已发送" in text(response)
    assert 'value="李雷"' in text(response)
    sent = outbox()[-1]
    assert sent["phone"] == "18826480174" and sent["purpose"] == "demand_contact"

    # 发布 with the code.
    response = client.post(contact, step2(action="publish", sms_code=sent["code"]))
    assert response.status_code == 302 and response.url == f"{BASE}demands/{demand.pk}/"
    demand.refresh_from_db()
    assert demand.status == DemandStatus.OPEN and demand.published_at is not None
    assert demand.contact_mobile == "18826480174" and demand.city.name == "深圳市"
    detail = text(client.get(response.url))
    assert "待认领" in detail and "18826480174" in detail and adopted.title in detail
    # The adopted request now links to the demand and shows how far it got.
    response = client.get(f"{BASE}initial/{adopted.pk}/")
    assert f'href="{BASE}demands/{demand.pk}/"' in text(response)
    assert [s["done"] for s in response.context["progress"]] == [True, True, True, False, False]


def test_step_one_saves_a_draft_that_can_be_edited(client, reviewer):
    client.force_login(reviewer)
    response = client.post(BASE + "demands/add/", step1(title="", content="", action="draft"))
    demand = Demand.objects.get()
    assert response.url == f"{BASE}demands/{demand.pk}/"
    assert demand.status == DemandStatus.DRAFT and demand.title == ""
    assert "未命名草稿" in text(client.get(BASE + "demands/"))

    edit = f"{BASE}demands/{demand.pk}/edit/"
    assert client.get(edit).status_code == 200
    response = client.post(edit, step1(title="【七彩假期】补写的标题", action="draft"))
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.title == "【七彩假期】补写的标题"


def test_a_title_without_the_zone_prefix_is_a_title_error_and_saves_nothing(client, reviewer):
    client.force_login(reviewer)
    response = client.post(BASE + "demands/add/", step1(title="招募志愿服务团队", action="next"))
    assert response.status_code == 200
    assert "【七彩假期】" in response.context["form"].errors["title"][0]
    assert not Demand.objects.exists()


def test_publish_reports_what_step_one_still_misses(client, reviewer):
    demand = f.draft_demand(reviewer, type="", content="")
    client.force_login(reviewer)
    response = client.post(
        f"{BASE}demands/{demand.pk}/contact/",
        step2(action="publish", contact_mobile=demand.contact_mobile),
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "需求类型" in errors and "需求内容" in errors
    demand.refresh_from_db()
    assert demand.status == DemandStatus.DRAFT
    assert demand.service_content == "数学课程辅导"  # step 2 was saved as a draft


def test_a_second_code_within_a_minute_is_refused_on_the_mobile_field(
    client, reviewer, outbox, django_capture_on_commit_callbacks
):
    demand = f.draft_demand(reviewer)
    client.force_login(reviewer)
    url = f"{BASE}demands/{demand.pk}/contact/send-code/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, step2(contact_mobile="13900000000"))
        response = client.post(url, step2(contact_mobile="13900000000"))
    assert len(outbox()) == 1
    assert "验证码已发送" not in text(response)
    assert response.context["form"].non_field_errors()
    bad = client.post(url, step2(contact_mobile="123"))
    assert "contact_mobile" in bad.context["form"].errors


def test_a_published_demand_is_not_offered_for_editing(client, reviewer, demand):
    client.force_login(reviewer)
    response = client.get(f"{BASE}demands/{demand.pk}/edit/")
    assert response.status_code == 302 and response.url == f"{BASE}demands/{demand.pk}/"
    response = client.post(f"{BASE}demands/{demand.pk}/edit/", step1(title="【七彩假期】改"))
    assert response.status_code == 200
    assert "只有草稿可以修改" in text(response)


def test_close_with_a_reason(client, reviewer, demand, operator):
    claim = f.claim(demand, operator)
    client.force_login(reviewer)
    url = f"{BASE}demands/{demand.pk}/close/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "活动取消"})
    assert response.status_code == 302 and response.url == f"{BASE}demands/{demand.pk}/"
    demand.refresh_from_db()
    claim.refresh_from_db()
    assert demand.status == DemandStatus.CLOSED
    assert AuditRecord.objects.get(object_id=demand.pk, action="close").reason == "活动取消"
    assert claim.status == "rejected"
    # Closed is final: the service refuses a second close.
    response = client.post(url, {"reason": "再关一次"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_close_a_draft(client, reviewer):
    draft = f.draft_demand(reviewer)
    client.force_login(reviewer)
    client.post(f"{BASE}demands/{draft.pk}/close/", {"reason": ""})
    draft.refresh_from_db()
    assert draft.status == DemandStatus.CLOSED


def test_another_orgs_demand_is_404(client, other_reviewer, reviewer, demand):
    draft = f.draft_demand(reviewer)
    client.force_login(other_reviewer)
    for target in (demand, draft):
        for suffix in ("", "edit/", "contact/", "close/"):
            assert client.get(f"{BASE}demands/{target.pk}/{suffix}").status_code == 404
        assert client.post(f"{BASE}demands/{target.pk}/close/").status_code == 404
        assert client.post(f"{BASE}demands/{target.pk}/contact/", step2()).status_code == 404
        assert client.post(f"{BASE}demands/{target.pk}/contact/send-code/").status_code == 404
    demand.refresh_from_db()
    assert demand.status == DemandStatus.OPEN


def test_detail_lists_the_claims_with_links_into_the_claim_process(
    client, reviewer, demand, operator, operator2
):
    first = f.claim(demand, operator)
    second = f.claim(demand, operator2)
    claim_services.claim_approve(claim=first, actor=reviewer)
    client.force_login(reviewer)
    response = client.get(f"{BASE}demands/{demand.pk}/")
    body = text(response)
    assert "深圳青年志愿服务队" in body and "认领成功" in body
    assert "鹏城义工联" in body and "认领失败" in body
    first.refresh_from_db()
    assert f'href="/workspace/claim/{first.process_id}/"' in body
    links = dict((c.pk, url) for c, url in response.context["claims"])
    assert links[second.pk] is not None


# -- 我的积分 -----------------------------------------------------------------------------------


def test_points_page_shows_the_balance_and_the_entries(
    client, reviewer, other_reviewer, demand, operator
):
    claim = f.claim(demand, operator)
    claim_services.claim_approve(claim=claim, actor=reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    rating_submit(claim=claim, actor=reviewer, stars=5)
    rating_submit(claim=claim, actor=operator, stars=3)
    client.force_login(reviewer)
    response = client.get(BASE + "points/")
    assert response.status_code == 200
    assert [balance for _, balance in response.context["view"].balances()] == [6]
    body = text(response)
    assert "当前积分 <strong>6</strong>" in body
    assert len(response.context["object_list"]) == 1

    client.force_login(other_reviewer)
    response = client.get(BASE + "points/")
    assert "当前积分 <strong>0</strong>" in text(response)
    assert len(response.context["object_list"]) == 0


def test_an_account_of_two_orgs_chooses_which_one_publishes(client, reviewer, other_league):
    Membership.objects.create(user=reviewer, role=Role.LEAGUE_REVIEWER, league_org=other_league)
    stranger = f.LeagueOrgFactory()
    client.force_login(reviewer)
    response = client.post(BASE + "demands/add/", step1(league_org=stranger.pk))
    assert "league_org" in response.context["form"].errors
    assert not Demand.objects.exists()
    client.post(BASE + "demands/add/", step1(league_org=other_league.pk))
    assert Demand.objects.get().league_org == other_league


def test_pages_carry_the_workspace_to_do_counts(client, reviewer, demand, operator):
    f.claim(demand, operator)
    client.force_login(reviewer)
    for url in (BASE + "initial/", f"{BASE}demands/{demand.pk}/", BASE + "points/"):
        assert "todo-count--to-confirm" in text(client.get(url)), url
