"""The reviewer workspace: queue and inbox columns, the review screen, to-do counts, scoping."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone, translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from orgs.models import User
from scoring import services as scoring
from workflows import selectors, services
from workflows.flows import ClaimFlow
from workflows.models import Claim, ClaimStatus
from workspace.context_processors import todo
from workspace.queue import task_age

from .. import factories as f

QUEUE = "/workspace/claim/queue/"
INBOX = "/workspace/claim/inbox/"


@pytest.fixture(autouse=True)
def workspace_urls():
    # A flow node's URL names get the Site's namespace when the URLconf is first loaded.
    assert get_resolver().url_patterns


@pytest.fixture
def demand2(reviewer):
    return f.open_demand(reviewer, title="【七彩假期】周末社区陪读")


@pytest.fixture
def claims(demand, demand2, operator, operator2):
    """Two orgs claim `demand`; the first org also claims `demand2`, later."""
    first = f.claim(demand, operator)
    competing = f.claim(demand, operator2)
    later = f.claim(demand2, operator)
    return first, competing, later


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


# -- queue and inbox -----------------------------------------------------------------------------


def test_queue_filters_by_process_number_without_listing_every_process(reviewer_client, claims):
    first, competing, later = claims
    with CaptureQueriesContext(connection) as queries:
        html = reviewer_client.get(QUEUE).content.decode()
    # Viewflow's own filter reads the queue twice more on every page: its steps with a SELECT
    # DISTINCT, and every queued process for a drop-down of them all.
    assert "<select" not in html
    assert not [q for q in queries if "DISTINCT" in q["sql"]]

    filtered = reviewer_client.get(QUEUE, {"process": first.process_id}).content.decode()
    assert f.task_url(f.review_task(first), "index") in filtered
    assert f.task_url(f.review_task(competing), "index") not in filtered


def test_queue_lists_review_tasks_with_demand_org_and_age(reviewer_client, claims, demand2):
    first, competing, later = claims

    response = reviewer_client.get(QUEUE)

    assert response.status_code == 200
    html = response.content.decode()
    for claim in claims:
        assert f.task_url(f.review_task(claim), "index") in html
    assert "【七彩假期】招募志愿服务团队" in html and demand2.title in html
    assert "深圳青年志愿服务队" in html and "鹏城义工联" in html
    assert "需求标题" in html and "认领组织" in html and "提交时长" in html
    assert "0分钟" in html
    assert 'class="review-overdue"' not in html
    assert "审核认领" not in html  # the one step's name is no column
    # one click takes a task and opens its form
    assert html.count("领取并审核") == 3
    assert f'formaction="{f.task_url(f.review_task(first), "assign")}"' in html
    # Viewflow's bulk assign is offered on the queue
    assert "将所选任务分配给我" in html
    assert '"/workspace/claim/queue/assign/' in html


def test_inbox_lists_the_reviewers_assigned_tasks(reviewer_client, claims):
    first, competing, later = claims
    task = f.review_task(first)
    assert reviewer_client.post(f.task_url(task, "assign")).status_code == 302

    html = reviewer_client.get(INBOX).content.decode()

    assert f.task_url(task, "index") in html
    assert f.task_url(f.review_task(later), "index") not in html
    assert "深圳青年志愿服务队" in html and "提交时长" in html
    assert "将所选任务放回队列" in html


def test_bulk_assign_from_the_queue(reviewer_client, reviewer, claims):
    first, competing, later = claims
    tasks = [f.review_task(first), f.review_task(later)]
    assign = "/workspace/claim/queue/assign/"

    response = reviewer_client.post(assign, {"pk": [t.pk for t in tasks], "_confirm": "1"})

    assert response.status_code == 302
    for task in tasks:
        task = f.fresh(task)
        assert (task.status, task.owner) == (STATUS.ASSIGNED, reviewer)
    assert f.fresh(f.review_task(competing)).status == STATUS.NEW


def test_bulk_assign_refuses_another_league_orgs_tasks(client, other_reviewer, claims):
    client.force_login(other_reviewer)
    task = f.review_task(claims[0])

    response = client.post("/workspace/claim/queue/assign/", {"pk": [task.pk], "_confirm": "1"})

    assert response.status_code in (403, 404)
    task = f.fresh(task)
    assert (task.status, task.owner_id) == (STATUS.NEW, None)


def test_overdue_badge_on_a_task_older_than_the_limit(reviewer_client, reviewer, operator, demand):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=4, hours=5), tick=False):
        old_demand = f.open_demand(reviewer, title="【七彩假期】四天前的需求")
        old = f.claim(old_demand, operator)
    new = f.claim(demand, operator)

    html = reviewer_client.get(QUEUE).content.decode()

    assert html.count('class="review-overdue"') == 1
    rows = {task.pk: row for task in map(f.review_task, (old, new)) for row in _rows(html, task)}
    assert "已超期" in rows[f.review_task(old).pk] and "4天5小时" in rows[f.review_task(old).pk]
    assert "已超期" not in rows[f.review_task(new).pk]


def test_overdue_limit_comes_from_settings(reviewer_client, reviewer, operator, settings):
    settings.PLATFORM = {**settings.PLATFORM, "REVIEW_DUE_DAYS": 5}
    with time_machine.travel(timezone.now() - datetime.timedelta(days=4), tick=False):
        f.claim(f.open_demand(reviewer), operator)

    assert 'class="review-overdue"' not in reviewer_client.get(QUEUE).content.decode()


def _rows(html: str, task) -> list[str]:
    start = html.index(f'<tr data-row-id="{task.pk}">')
    return [html[start : html.index("</tr>", start)]]


def test_task_age_reads_the_chinese_way():
    now = timezone.now()
    with translation.override("zh-hans"):
        assert task_age(now - datetime.timedelta(days=3, hours=5, minutes=2), now) == "3天5小时"
        assert task_age(now - datetime.timedelta(minutes=7), now) == "7分钟"


# -- to-do counts ----------------------------------------------------------------------------


def test_todo_counts_in_the_queue_page_header(reviewer_client, claims):
    html = reviewer_client.get(QUEUE).content.decode()

    assert 'class="todo-counts"' in html
    # three pending claims to confirm; both demands are still open (待认领)
    assert "待确认 <b>3</b>" in html
    assert "待认领 <b>2</b>" in html
    assert "待评分 <b>0</b>" in html


def test_todo_context_is_lazy_and_only_for_org_users(reviewer, operator, claims, db):
    request = RequestFactory().get("/")
    request.user = f.fresh(reviewer)
    with CaptureQueriesContext(connection) as queries:
        context = todo(request)
    assert len(queries) == 0
    assert context["todo_counts"]["to_confirm"] == 3

    request.user = f.fresh(operator)
    assert todo(request)["todo_counts"] == {"to_confirm": 2, "to_claim": 0, "to_rate": 0}

    request.user = f.UserFactory(username="nobody")
    assert not todo(request)["todo_counts"]

    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert todo(request) == {}


# -- the review screen -------------------------------------------------------------------------


def test_review_screen_shows_demand_org_record_and_competing_claims(
    reviewer_client, reviewer, claims, operator2, vorg2
):
    first, competing, later = claims
    _completed_claim_rated(reviewer, operator2, stars=4, comment="准时到岗，服务细致")
    task = f.review_task(competing)
    reviewer_client.post(f.task_url(task, "assign"))

    response = reviewer_client.get(f.task_url(task, "execute"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "vf-card" in html and "审核认领" in html  # Viewflow's task page
    # the demand
    for text in (
        "【七彩假期】招募志愿服务团队",
        "七彩假期",
        "关爱未成年人",
        "为乡村孩子辅导暑期作业。",
    ):
        assert text in html
    assert "所需志愿者人数</dt><dd>8" in html
    assert "需求状态</dt><dd>待认领" in html
    # the claiming org's profile and record
    assert "鹏城义工联" in html and "长期开展关爱未成年人志愿服务。" in html
    assert "志愿者人数</dt><dd>20" in html and "青少年" in html
    assert 'class="review-completed">1<' in html
    assert "★★★★☆" in html and "准时到岗，服务细致" in html
    # the other claims of the demand
    competing_table = html[html.index("review-competing") :]
    assert "深圳青年志愿服务队" in competing_table and "待确认" in competing_table
    # the decision form
    assert 'name="decision"' in html and 'name="reason"' in html


def test_review_screen_reads_a_constant_number_of_queries(reviewer, demand, operator):
    claim = f.claim(demand, operator)
    with CaptureQueriesContext(connection) as one:
        selectors.review_context(claim)
    for _ in range(3):
        f.claim(demand, f.operator_of(f.VolunteerOrgFactory()))
    with CaptureQueriesContext(connection) as four:
        context = selectors.review_context(claim)
    assert len(context["competing_claims"]) == 3
    assert len(one) == len(four) == 4


def test_approve_through_the_ui_closes_competitors_and_goes_to_the_next_task(
    reviewer_client, reviewer, claims
):
    first, competing, later = claims
    reviewer_client.get(QUEUE)
    task = f.review_task(first)
    assert reviewer_client.post(f.task_url(task, "assign")).status_code == 302
    assert f.fresh(task).owner == reviewer

    response = reviewer_client.post(f.task_url(task, "execute"), {"decision": "approve"})

    assert response.status_code == 302
    assert f.fresh(first).status == ClaimStatus.APPROVED
    assert f.fresh(competing).status == ClaimStatus.REJECTED
    assert f.fresh(task).status == STATUS.DONE
    # the competing claim's task is gone; the next review is the later claim's, from the queue:
    # taken for the reviewer, its form opens
    assert response["Location"] == f.task_url(f.review_task(later), "execute")
    assert (f.fresh(f.review_task(later)).status, f.fresh(f.review_task(later)).owner) == (
        STATUS.ASSIGNED,
        reviewer,
    )
    page = reviewer_client.get(response["Location"]).content.decode()
    assert "已同意该认领申请" in page and "已为你领取下一个任务" in page
    assert 'name="decision"' in page


def test_next_task_prefers_the_inbox_over_an_older_queue_task(reviewer_client, reviewer, claims):
    first, competing, later = claims
    reviewer_client.post(
        f.task_url(f.review_task(later), "assign")
    )  # newer than `competing`, but mine
    task = f.review_task(first)
    reviewer_client.post(f.task_url(task, "assign"))

    response = reviewer_client.post(
        f.task_url(task, "execute"), {"decision": "reject", "reason": "人数不足"}
    )

    assert response["Location"] == f.task_url(f.review_task(later), "execute")


def test_no_next_task_goes_back_to_the_queue(reviewer_client, demand, operator):
    claim = f.claim(demand, operator)
    task = f.review_task(claim)
    reviewer_client.post(f.task_url(task, "assign"))

    response = reviewer_client.post(f.task_url(task, "execute"), {"decision": "approve"})

    assert response["Location"] == QUEUE
    assert selectors.next_review_task(fresh_user(reviewer_client), ClaimFlow.review) is None
    assert "队列中已没有待审核的任务" in reviewer_client.get(QUEUE).content.decode()


def fresh_user(client) -> User:
    return User.objects.get(pk=client.session["_auth_user_id"])


def test_reject_needs_a_reason(reviewer_client, reviewer, claims):
    first, competing, later = claims
    task = f.review_task(first)
    reviewer_client.post(f.task_url(task, "assign"))

    response = reviewer_client.post(
        f.task_url(task, "execute"), {"decision": "reject", "reason": "  "}
    )

    assert response.status_code == 200
    assert "请填写退回原因" in response.content.decode()
    assert f.fresh(first).status == ClaimStatus.PENDING
    assert (f.fresh(task).status, f.fresh(task).owner) == (STATUS.ASSIGNED, reviewer)

    response = reviewer_client.post(
        f.task_url(task, "execute"), {"decision": "reject", "reason": "服务领域与需求不符"}
    )

    assert response.status_code == 302
    first = f.fresh(first)
    assert (first.status, first.reason, first.decided_by) == (
        ClaimStatus.REJECTED,
        "服务领域与需求不符",
        reviewer,
    )
    assert f.fresh(competing).status == ClaimStatus.PENDING  # a return closes nothing else
    assert f.fresh(task).status == STATUS.DONE


def test_a_claim_decided_meanwhile_is_shown_as_such_and_refused(reviewer_client, reviewer, claims):
    first, competing, later = claims
    task = f.review_task(competing)
    reviewer_client.post(f.task_url(task, "assign"))
    services.claim_approve(claim=first, actor=reviewer)  # e.g. from the API

    page = reviewer_client.get(f.task_url(task, "execute")).content.decode()
    assert "该认领已处理" in page and 'name="decision"' not in page

    response = reviewer_client.post(f.task_url(task, "execute"), {"decision": "approve"})
    assert response.status_code == 409
    assert "该认领已处理（当前状态：认领失败），你的审核结果未提交" in response.content.decode()
    assert f.fresh(competing).status == ClaimStatus.REJECTED


# -- scoping -----------------------------------------------------------------------------------


def test_another_league_orgs_reviewer_cannot_see_or_touch_the_task(
    client, reviewer, other_reviewer, claims
):
    first = claims[0]
    task = f.review_task(first)
    client.force_login(other_reviewer)

    assert "招募志愿服务团队" not in client.get(QUEUE).content.decode()
    assert client.get(f.task_url(task, "assign")).status_code in (403, 404)
    assert client.post(f.task_url(task, "assign")).status_code in (403, 404)
    assert client.get(f.task_url(task, "detail")).status_code in (403, 404)
    assert client.get(f.task_url(task, "execute")).status_code in (403, 404)
    assert client.post(f.task_url(task, "execute"), {"decision": "approve"}).status_code in (
        403,
        404,
    )
    task = f.fresh(task)
    assert (task.status, task.owner_id) == (STATUS.NEW, None)

    # nor once the league org's own reviewer holds it
    client.force_login(reviewer)
    client.post(f.task_url(task, "assign"))
    client.force_login(other_reviewer)
    assert "招募志愿服务团队" not in client.get(INBOX).content.decode()
    assert client.get(f.task_url(task, "execute")).status_code in (403, 404)
    response = client.post(f.task_url(task, "execute"), {"decision": "reject", "reason": "越权"})
    assert response.status_code in (403, 404)
    assert f.fresh(first).status == ClaimStatus.PENDING
    assert (f.fresh(task).status, f.fresh(task).owner) == (STATUS.ASSIGNED, reviewer)


def test_a_guessed_task_id_of_another_process_is_404(reviewer_client, claims):
    first, competing, later = claims
    task = f.review_task(first)
    wrong = ClaimFlow.review.reverse("execute", args=[f.review_task(later).process_id, task.pk])
    assert reviewer_client.get(wrong).status_code == 404
    missing = ClaimFlow.review.reverse("execute", args=[task.process_id, 999999])
    assert reviewer_client.get(missing).status_code == 404


@pytest.mark.parametrize("path", [QUEUE, INBOX])
def test_a_volunteer_org_operator_is_refused_the_workspace(client, operator, claims, path):
    client.force_login(operator)
    assert client.get(path).status_code == 403


# -- helpers -----------------------------------------------------------------------------------


def _completed_claim_rated(reviewer, operator, *, stars, comment):
    """A claim of `operator`'s org on another demand, through to both ratings."""
    demand = f.open_demand(reviewer, title="【七彩假期】往期需求")
    claim = f.claim(demand, operator)
    services.claim_approve(claim=claim, actor=reviewer)
    services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    scoring.rating_submit(claim=claim, actor=reviewer, stars=stars, comment=comment)
    scoring.rating_submit(claim=claim, actor=operator, stars=5)
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == ClaimStatus.COMPLETED
    return claim


def test_the_header_names_the_reviewer_by_their_display_name(client, reviewer):
    reviewer.display_name = "李雷"
    reviewer.save()
    client.force_login(reviewer)
    html = client.get(QUEUE).content.decode()
    assert "李雷" in html
    assert reviewer.username.title() not in html


# -- the queue: order, search, saved filters, assignee, empty state (issue 13) ------------------


def _order(html: str, claims) -> list:
    """The claims in the order their rows appear."""
    return sorted(claims, key=lambda c: html.index(f'<tr data-row-id="{f.review_task(c).pk}">'))


@pytest.fixture
def aged(reviewer, operator, operator2):
    """Three claims: one overdue (5 days), one of 2 days on a 青年云支教 demand, one new."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=5), tick=False):
        old = f.claim(f.open_demand(reviewer, title="【七彩假期】五天前的需求"), operator)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2), tick=False):
        cloud = f.claim(
            f.open_demand(reviewer, title="【云支教】两天前的需求", zone="cloud_teaching"),
            operator2,
        )
    new = f.claim(f.open_demand(reviewer, title="【七彩假期】刚提交的需求"), operator2)
    return old, cloud, new


def test_the_queue_lists_the_due_soonest_first_and_sorts_by_age_both_ways(reviewer_client, aged):
    # Due REVIEW_DUE_DAYS after the claim, the review due soonest is the oldest claim's.
    old, cloud, new = aged
    html = reviewer_client.get(QUEUE).content.decode()
    assert _order(html, aged) == [old, cloud, new]
    assert html.count('class="review-overdue"') == 1

    html = reviewer_client.get(QUEUE, {"sort": "newest"}).content.decode()
    assert _order(html, aged) == [new, cloud, old]
    html = reviewer_client.get(QUEUE, {"sort": "oldest"}).content.decode()
    assert _order(html, aged) == [old, cloud, new]


def test_one_search_box_finds_demand_titles_and_org_names(reviewer_client, aged):
    old, cloud, new = aged

    html = reviewer_client.get(QUEUE, {"q": "两天前"}).content.decode()
    assert f.task_url(f.review_task(cloud), "index") in html
    assert f.task_url(f.review_task(old), "index") not in html

    html = reviewer_client.get(QUEUE, {"q": "鹏城"}).content.decode()  # 鹏城义工联: cloud, new
    assert _order(html, [cloud, new]) == [cloud, new]
    assert f.task_url(f.review_task(old), "index") not in html
    # every word must match, the title or the org
    html = reviewer_client.get(QUEUE, {"q": "鹏城 刚提交"}).content.decode()
    assert (
        f.task_url(f.review_task(new), "index") in html
        and f.task_url(f.review_task(cloud), "index") not in html
    )
    assert 'value="鹏城 刚提交"' in html  # the box keeps the term

    html = reviewer_client.get(QUEUE, {"q": "没有这样的需求"}).content.decode()
    assert "没有符合搜索条件的任务" in html and "清除搜索" in html


def test_saved_filters_select_overdue_zone_and_mine_with_the_assignee(
    reviewer_client, reviewer, league, aged
):
    old, cloud, new = aged
    colleague = f.reviewer_of(league, username="colleague", display_name="韩梅梅")
    reviewer.display_name = "李雷"
    reviewer.save()
    reviewer_client.post(f.task_url(f.review_task(new), "assign"))
    with f.review_task(old).activation() as activation:
        activation.assign(colleague)

    def listed(view):
        html = reviewer_client.get(QUEUE, {"view": view}).content.decode()
        return html, {c for c in aged if f.task_url(f.review_task(c), "index") in html}

    html, claims = listed("overdue")  # held by a colleague, still overdue: shown, with who
    assert claims == {old}
    assert "处理人" in html and "韩梅梅" in html and "colleague" not in html
    assert "领取并审核" not in html and "查看" in html
    assert listed("qicai")[1] == {old, new}
    assert listed("yunzhijiao")[1] == {cloud}
    html, claims = listed("mine")
    assert claims == {new} and "继续审核" in html and "李雷" in html
    # the plain queue: what is left to take, no assignee column
    html = reviewer_client.get(QUEUE).content.decode()
    assert {c for c in aged if f.task_url(f.review_task(c), "index") in html} == {cloud}
    assert "处理人" not in html


def test_saved_filters_count_in_one_query(reviewer, league, aged):
    old, cloud, new = aged
    with f.review_task(new).activation() as activation:
        activation.assign(reviewer)
    from workspace.queue import saved_filters

    user = f.fresh(reviewer)
    user.reviewer_league_org_ids()  # the memberships, read once a request anyway
    with CaptureQueriesContext(connection) as queries:
        filters = list(saved_filters(user))
    # the counts in one query, after the processes escalated to the user's orgs (issue 14)
    assert len(queries) == 2
    counts = {item["name"]: item["count"] for item in filters}
    assert counts == {"overdue": 1, "followup": 0, "qicai": 2, "yunzhijiao": 1, "mine": 1}
    assert [item["url"] for item in filters][0] == f"{QUEUE}?view=overdue"


def test_the_sidebar_template_lists_the_saved_filters_with_counts(rf, reviewer, aged):
    from django.template.loader import render_to_string

    from workspace.queue import saved_filters

    request = rf.get(QUEUE, {"view": "overdue"})
    request.user = reviewer
    request.resolver_match = get_resolver().resolve(QUEUE)
    html = render_to_string(
        "workspace/queue_filters_menu.html",
        {"queue_filters": saved_filters(reviewer), "request": request},
    )
    assert html.count('class="mdc-list-item ') == 5
    assert (
        "超期" in html
        and "待跟进" in html
        and "七彩假期" in html
        and "青年云支教" in html
        and "我的" in html
    )
    assert f'href="{QUEUE}?view=qicai"' in html
    assert '<span class="mdc-list-item__meta">2</span>' in html  # 七彩假期
    assert 'aria-current="page"' in html  # 超期 is the page shown


def test_saved_filters_are_empty_for_a_non_reviewer(admin_user):
    from workspace.queue import saved_filters

    assert list(saved_filters(admin_user)) == []


@pytest.mark.parametrize(
    "params, field",
    [({"view": "bogus"}, "筛选"), ({"sort": "up"}, "排序"), ({"process": "x"}, "流程编号")],
)
def test_an_invalid_filter_answers_with_the_forms_error(reviewer_client, aged, params, field):
    html = reviewer_client.get(QUEUE, params).content.decode()
    assert 'class="review-errors" role="alert"' in html and f"{field}：" in html
    assert "<tr data-row-id" not in html  # nothing listed rather than everything
    assert "清除筛选" in html


def test_an_empty_queue_says_so_and_offers_a_way_on(reviewer_client, reviewer):
    html = reviewer_client.get(QUEUE).content.decode()
    assert "队列已清空" in html
    assert 'href="/workspace/claim/inbox/"' in html and 'href="/workspace/claim/archive/"' in html
    html = reviewer_client.get(INBOX).content.decode()
    assert "你手上没有待审核的任务" in html and f'href="{QUEUE}"' in html


def test_a_saved_filter_page_reads_a_constant_number_of_queries(reviewer_client, reviewer):
    def grow(n):
        demand = f.open_demand(reviewer, zone="cloud_teaching", title="【云支教】需求")
        for _ in range(n):
            f.claim(demand, f.operator_of(f.VolunteerOrgFactory()))

    costs = []
    for n in (2, 8):
        grow(n)
        with CaptureQueriesContext(connection) as queries:
            response = reviewer_client.get(QUEUE, {"view": "yunzhijiao", "q": "需求"})
        assert response.status_code == 200
        costs.append(len(queries))
    assert costs[0] == costs[1], costs


# -- one click takes a task and opens its form -------------------------------------------------


def test_take_and_review_assigns_and_opens_the_form(reviewer_client, reviewer, claims):
    task = f.review_task(claims[0])

    response = reviewer_client.post(f.task_url(task, "assign"), {"_continue": "1"})

    assert response.status_code == 302
    assert response["Location"] == f.task_url(task, "execute")
    assert (f.fresh(task).status, f.fresh(task).owner) == (STATUS.ASSIGNED, reviewer)


def test_the_take_page_shows_the_claim_and_one_button(reviewer_client, claims):
    task = f.review_task(claims[0])

    html = reviewer_client.get(f.task_url(task, "assign")).content.decode()

    assert "【七彩假期】招募志愿服务团队" in html and "深圳青年志愿服务队" in html
    assert "为乡村孩子辅导暑期作业。" in html
    assert html.count("领取并审核") == 1 and "autofocus" in html
    assert 'name="decision"' not in html  # taken first, then decided


# -- the archive says what was decided ----------------------------------------------------------

ARCHIVE = "/workspace/claim/archive/"


def test_the_archive_shows_approve_and_return_with_its_reason(reviewer_client, reviewer, claims):
    first, competing, later = claims
    for claim, data in (
        (later, {"decision": "reject", "reason": "服务时间与需求周期不符"}),
        (first, {"decision": "approve"}),
    ):
        task = f.review_task(claim)
        reviewer_client.post(f.task_url(task, "assign"))
        reviewer_client.post(f.task_url(task, "execute"), data)
    # the next task was taken for the reviewer after each decision; put it back
    Task.objects.filter(owner=reviewer, status=STATUS.ASSIGNED).update(owner=None, status="NEW")

    html = reviewer_client.get(ARCHIVE).content.decode()

    rows = {c: _rows(html, f.review_task(c))[0] for c in (first, later)}
    assert "review-outcome--approved" in rows[first] and "同意" in rows[first]
    assert "review-outcome--rejected" in rows[later] and "退回" in rows[later]
    assert "服务时间与需求周期不符" in rows[later]
    assert "审核认领" not in html


def test_the_archive_reads_a_constant_number_of_queries(reviewer_client, reviewer):
    def decide(n):
        for i in range(n):
            claim = f.claim(f.open_demand(reviewer), f.operator_of(f.VolunteerOrgFactory()))
            if i % 2:
                services.claim_reject(claim=claim, actor=reviewer, reason="资料不全")
            else:
                services.claim_approve(claim=claim, actor=reviewer)

    costs = []
    for n in (2, 8):
        decide(n)
        with CaptureQueriesContext(connection) as queries:
            response = reviewer_client.get(ARCHIVE)
        assert response.status_code == 200 and "资料不全" in response.content.decode()
        costs.append(len(queries))
    assert costs[0] == costs[1], costs


@pytest.mark.postgres
def test_the_saved_filter_counts_read_the_queue_index(reviewer, aged):
    """The sidebar's counts ask for the review permissions of the reviewer's orgs, as the queue
    does: planned with sequential scans priced out, they read the queue index too."""
    if connection.vendor != "postgresql":
        pytest.skip("planner checks on PostgreSQL")
    from workspace.queue import saved_filters

    user = f.fresh(reviewer)
    user.reviewer_league_org_ids()
    with CaptureQueriesContext(connection) as context:
        list(saved_filters(user))
    # the counts' query (the other reads the processes escalated to the user's orgs)
    (sql,) = [q["sql"] for q in context.captured_queries if '"viewflow_task"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    assert "viewflow_task_queue" in plan, plan
