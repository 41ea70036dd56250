"""The league workspace's finish (issue 13): full texts, the timeline, the wizard's marks and
rules, the close reason, one date format, 以此发布需求, the rating screen, phones."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from demands import services
from demands.models import Demand, DemandStatus
from scoring.models import Rating, Side
from workflows import services as claim_services
from workflows.models import ClaimStatus
from workflows.todo import claims_to_rate, todo_counts

from .. import factories as f
from .test_league import BASE, step1, step2, submit, text

LONG = "第一行：孩子英语基础薄弱，希望有老师线上辅导。\n第二行：周一至周五晚上七点后有空。"


def in_service_claim(demand, reviewer, operator):
    claim = f.claim(demand, operator)
    claim_services.claim_approve(claim=claim, actor=reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    claim.refresh_from_db()
    return claim


# -- 1. full texts, 7. one date format, 2. the timeline ------------------------------------------


def test_details_show_long_texts_whole_with_their_line_breaks(client, reviewer, league):
    initial = submit(league, cloud=False)
    initial.description = LONG
    initial.save(update_fields=["description"])
    client.force_login(reviewer)
    body = text(client.get(f"{BASE}initial/{initial.pk}/"))
    # The whole text in a cell that wraps and keeps line breaks (white-space: pre-line).
    assert re.search(r'<td class="[^"]*league-text">第一行：.*\n第二行：', body)
    assert ".league-text" in body and "pre-line" in body


def test_the_demand_timeline_has_dates_and_the_close_reason(client, reviewer, demand):
    services.demand_close(demand=demand, actor=reviewer, reason="大沙河步道施工封闭，\n活动取消。")
    client.force_login(reviewer)
    response = client.get(f"{BASE}demands/{demand.pk}/")
    steps = response.context["progress"]
    assert [s["step"] for s in steps] == ["publish", "claim", "activity", "close"]
    assert steps[0]["at"] is not None and steps[1]["at"] is None
    assert steps[-1]["reason"].startswith("大沙河步道施工封闭")
    body = text(response)
    assert 'class="league-progress__reason">大沙河步道施工封闭，\n活动取消。' in body
    # 6. the reason is also a row of the detail, after 关闭时间.
    assert "关闭原因" in body and "关闭时间" in body


def test_dates_have_one_format_in_both_languages(client, reviewer, demand, operator):
    f.claim(demand, operator)
    client.force_login(reviewer)
    date = r"\d{4}-\d{2}-\d{2}"
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        for url in (f"{BASE}demands/", f"{BASE}demands/{demand.pk}/"):
            body = text(client.get(url))
            assert re.search(rf"{date} \d{{2}}:\d{{2}}", body)
            # Neither Django's localized forms nor a bare ISO datetime with seconds.
            assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日", body)
            assert not re.search(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.? \d", body)
            assert not re.search(r"[ap]\.m\.", body)


def test_the_initial_timeline_dates_its_steps(client, reviewer, league):
    initial = submit(league)
    services.initial_demand_adopt(initial_demand=initial, actor=reviewer, reason="核实情况")
    client.force_login(reviewer)
    steps = client.get(f"{BASE}initial/{initial.pk}/").context["progress"]
    assert [s["done"] for s in steps] == [True, True, False, False, False]
    assert steps[0]["at"] and steps[1]["at"] and steps[1]["reason"] == "核实情况"
    assert steps[2]["at"] is None


# -- 3. the wizard ------------------------------------------------------------------------------


def test_the_wizard_numbers_each_step_once_and_marks_the_current(client, reviewer):
    client.force_login(reviewer)
    body = text(client.get(BASE + "demands/add/"))
    steps = re.search(r'<ol class="league-steps".*?</ol>', body, re.S).group(0)
    assert steps.count('league-steps__number" aria-hidden="true">1<') == 1
    assert "<ol" in steps and 'aria-current="step"' in steps
    assert "list-style: none" in body  # the list's own numbers are off


def test_required_fields_are_marked_on_both_steps_and_draft_skips_the_check(client, reviewer):
    client.force_login(reviewer)
    body = text(client.get(BASE + "demands/add/"))
    for name in ("title", "type", "volunteers_needed", "content", "start_date", "end_date"):
        tag = re.search(rf'<vf-field-[a-z-]+ [^>]*name="{name}"[^>]*>', body).group(0)
        assert "required" in tag and 'aria-required="true"' in tag, name
    guarantees = re.search(r'<vf-field-[a-z-]+ [^>]*name="guarantees"[^>]*>', body).group(0)
    assert "required" not in guarantees
    assert re.search(r'value="draft" formnovalidate', body)

    draft = f.draft_demand(reviewer, contact_mobile="", contact_name="")
    body = text(client.get(f"{BASE}demands/{draft.pk}/contact/"))
    for name in ("city", "contact_name", "contact_landline", "contact_mobile"):
        tag = re.search(rf'<vf-field-[a-z-]+ [^>]*name="{name}"[^>]*>', body).group(0)
        assert 'aria-required="true"' in tag, name
    assert re.search(r"league-sms[^>]*formnovalidate", body)


def test_next_refuses_a_step_with_missing_fields_but_a_draft_saves(client, reviewer):
    client.force_login(reviewer)
    response = client.post(BASE + "demands/add/", step1(action="next", content="", type=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"content", "type"} and "发布前须填写此项" in errors["content"][0]
    assert not Demand.objects.exists()
    response = client.post(BASE + "demands/add/", step1(content="", type=""))
    assert response.status_code == 302 and Demand.objects.count() == 1


def test_the_sms_button_counts_down_after_a_code_and_the_server_limit_still_answers(
    client, reviewer, outbox, django_capture_on_commit_callbacks
):
    draft = f.draft_demand(reviewer, contact_mobile="")
    client.force_login(reviewer)
    url = f"{BASE}demands/{draft.pk}/contact/send-code/"
    body = text(client.get(f"{BASE}demands/{draft.pk}/contact/"))
    assert 'data-wait="0"' in body
    with django_capture_on_commit_callbacks(execute=True):
        body = text(client.post(url, step2()))
    assert 'data-wait="60"' in body and 'data-again="重新发送"' in body
    again = client.post(url, step2())  # the server's own limit, shown on the field
    assert again.status_code == 200
    assert "频繁" in " ".join(again.context["form"].non_field_errors())
    assert "频繁" in text(again) and 'data-wait="0"' in text(again)


# -- 4. the period at step 1 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(-1, 10, "start_date"), (5, 3, "end_date"), (-10, -2, "start_date")],
)
def test_step_one_refuses_a_past_or_inverted_period(client, reviewer, start, end, field):
    today = timezone.localdate()
    period = {
        "start_date": (today + datetime.timedelta(days=start)).isoformat(),
        "end_date": (today + datetime.timedelta(days=end)).isoformat(),
    }
    client.force_login(reviewer)
    for action in ("next", "draft"):
        response = client.post(BASE + "demands/add/", step1(action=action, **period))
        assert response.status_code == 200
        assert field in response.context["form"].errors
    assert not Demand.objects.exists()
    body = text(client.get(BASE + "demands/add/"))
    assert f'min="{today.isoformat()}"' in body  # the calendar starts today


# -- 5. the volunteers bound --------------------------------------------------------------------


def test_the_form_refuses_more_volunteers_than_the_domain_allows(client, reviewer):
    client.force_login(reviewer)
    response = client.post(BASE + "demands/add/", step1(volunteers_needed="99999999999"))
    assert response.status_code == 200
    assert "10000" in response.context["form"].errors["volunteers_needed"][0]
    assert not Demand.objects.exists()
    response = client.post(BASE + "demands/add/", step1(volunteers_needed="10000"))
    assert response.status_code == 302
    assert Demand.objects.get().volunteers_needed == 10_000


# -- 8. 以此发布需求 ----------------------------------------------------------------------------


def test_publish_from_an_adopted_initial_demand(client, reviewer, league):
    initial = submit(league)
    client.force_login(reviewer)
    assert "以此发布需求" not in text(client.get(f"{BASE}initial/{initial.pk}/"))  # pending
    client.post(f"{BASE}initial/{initial.pk}/adopt/", {"adopt-reason": ""})
    body = text(client.get(f"{BASE}initial/{initial.pk}/"))
    link = f"{BASE}demands/add/?initial={initial.pk}"
    assert "以此发布需求" in body and link in body
    form = client.get(link).context["form"]
    assert form.initial["initial_demands"] == [initial.pk]
    assert form.initial["zone"] == "cloud_teaching"  # a cloud-teaching request
    response = client.post(
        BASE + "demands/add/",
        step1(zone="cloud_teaching", title="【云支教】补习英语", initial_demands=[initial.pk]),
    )
    assert response.status_code == 302
    assert list(Demand.objects.get().initial_demands.all()) == [initial]


def test_publish_from_ignores_a_request_that_is_not_the_orgs_adopted_one(
    client, reviewer, other_league, league
):
    foreign = submit(other_league, username="gz")
    pending = submit(league, username="sz")
    client.force_login(reviewer)
    for pk in (foreign.pk, pending.pk, "x"):
        form = client.get(f"{BASE}demands/add/?initial={pk}").context["form"]
        assert "initial_demands" not in form.initial


# -- 9. 评分 ------------------------------------------------------------------------------------


def test_the_ratings_url_and_the_menu_entry(client, reviewer):
    assert reverse("league:ratings") == BASE + "ratings/"
    client.force_login(reviewer)
    response = client.get(BASE + "ratings/")
    assert response.status_code == 200
    assert any(name == "ratings" for name, _l, _i in response.context["app"].MENU)
    assert "暂无待评分的认领" in text(response)


def test_the_ratings_list_is_the_to_do_count_rule(
    client, reviewer, other_reviewer, demand, operator, operator2
):
    owed = in_service_claim(demand, reviewer, operator)
    f.claim(f.open_demand(reviewer), operator2)  # pending: nothing to rate yet
    assert list(claims_to_rate(user=reviewer)) == [owed]
    assert todo_counts(user=reviewer)["to_rate"] == 1
    assert list(claims_to_rate(user=operator)) == [owed]  # the volunteer side owes one too
    assert not claims_to_rate(user=other_reviewer).exists()
    client.force_login(reviewer)
    response = client.get(BASE + "ratings/")
    assert [claim for claim, _form, _url in response.context["rows"]] == [owed]
    assert "待评分" in text(response) and str(owed.org) in text(response)


def test_rate_through_the_service_and_see_the_result(client, reviewer, demand, operator):
    claim = in_service_claim(demand, reviewer, operator)
    client.force_login(reviewer)
    url = f"{BASE}ratings/{claim.pk}/"
    response = client.post(
        url, {f"{claim.pk}-stars": "4", f"{claim.pk}-comment": "准时到岗，认真负责"}
    )
    assert response.status_code == 302 and response.url == BASE + "ratings/#given"
    rating = Rating.objects.get(claim=claim)
    assert (rating.side, rating.stars, rating.rater) == (Side.LEAGUE, 4, reviewer)
    assert todo_counts(user=reviewer)["to_rate"] == 0
    page = client.get(BASE + "ratings/")
    assert page.context["rows"] == []
    body = text(page)
    assert "准时到岗，认真负责" in body and "4星" in body and "已评分" in body
    assert "等待志愿服务组织评分" in body
    # The other side rates: the claim completes and the page says so.
    from scoring.services import rating_submit

    rating_submit(claim=claim, actor=operator, stars=5)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED
    assert "已完成" in text(client.get(BASE + "ratings/"))


def test_bad_or_repeated_ratings_are_field_errors_not_500(client, reviewer, demand, operator):
    claim = in_service_claim(demand, reviewer, operator)
    client.force_login(reviewer)
    url = f"{BASE}ratings/{claim.pk}/"
    response = client.post(url, {f"{claim.pk}-stars": "9", f"{claim.pk}-comment": "长" * 201})
    assert response.status_code == 200
    rows = {c.pk: form for c, form, _u in response.context["rows"]}
    assert {"stars", "comment"} <= set(rows[claim.pk].errors)
    client.post(url, {f"{claim.pk}-stars": "5"})
    again = client.post(url, {f"{claim.pk}-stars": "5"})  # already rated: the service refuses
    assert again.status_code == 200
    assert Rating.objects.filter(claim=claim).count() == 1


def test_another_orgs_claim_cannot_be_rated_here(
    client, other_reviewer, reviewer, demand, operator
):
    claim = in_service_claim(demand, reviewer, operator)
    client.force_login(other_reviewer)
    assert client.post(f"{BASE}ratings/{claim.pk}/", {f"{claim.pk}-stars": "5"}).status_code == 404
    assert not Rating.objects.exists()


def test_the_ratings_page_is_for_league_accounts_only(client, operator):
    client.force_login(operator)
    assert client.get(BASE + "ratings/").status_code == 403


# -- 10. phones ---------------------------------------------------------------------------------


def test_lists_and_details_label_their_cells_for_the_phone_cards(
    client, reviewer, demand, operator
):
    f.claim(demand, operator)
    client.force_login(reviewer)
    for url in (
        f"{BASE}demands/",
        f"{BASE}initial/",
        f"{BASE}points/",
        f"{BASE}demands/{demand.pk}/",
    ):
        body = text(client.get(url))
        assert "@media (max-width: 600px)" in body, url
        assert "league-page" in body, url
    assert 'data-label="需求标题"' in text(client.get(f"{BASE}demands/"))
    assert 'data-label="认领组织"' in text(client.get(f"{BASE}demands/{demand.pk}/"))
    assert demand.status == DemandStatus.OPEN
