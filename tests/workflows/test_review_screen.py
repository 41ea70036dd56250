"""The review screen (workflows.views.ReviewClaimView and its take and put-back pages): age and
overdue mark, the reason only for 退回 with its limit, 放回队列, and a decision posted from a
page that is no longer current (issue 13)."""

import datetime

import pytest
import time_machine
from django.urls import get_resolver
from django.utils import timezone
from viewflow.workflow.status import STATUS

from orgs.choices import Role
from orgs.models import Membership
from orgs.validation import REASON_MAX
from workflows.forms import ReviewForm
from workflows.models import Claim, ClaimStatus

from .. import factories as f

QUEUE = "/workspace/claim/queue/"


@pytest.fixture(autouse=True)
def workspace_urls():
    assert get_resolver().url_patterns


@pytest.fixture
def claim(demand, operator):
    return f.claim(demand, operator)


@pytest.fixture
def taken(client, reviewer, claim):
    """The reviewer, logged in, holds the claim's review task."""
    client.force_login(reviewer)
    task = f.review_task(claim)
    assert client.post(f.task_url(task, "assign")).status_code == 302
    return task


@pytest.fixture
def colleague(league):
    return f.reviewer_of(league, username="colleague", display_name="韩梅梅")


# -- the form ----------------------------------------------------------------------------------


def test_the_reason_is_for_a_return_only():
    assert ReviewForm({"decision": "approve"}).is_valid()
    form = ReviewForm({"decision": "approve", "reason": "写了又改主意" * 50})
    assert form.is_valid() and form.cleaned_data["reason"] == ""
    form = ReviewForm({"decision": "reject", "reason": " "})
    assert not form.is_valid() and form.errors["reason"] == ["请填写退回原因"]
    assert not ReviewForm({}).is_valid() and ReviewForm({}).errors["decision"] == [
        "请选择同意或退回"
    ]


def test_a_reason_too_long_is_a_clear_error_on_its_field():
    form = ReviewForm({"decision": "reject", "reason": "字" * (REASON_MAX + 60)})
    assert not form.is_valid()
    assert form.errors["reason"] == [
        f"退回原因最多{REASON_MAX}个字，现在是{REASON_MAX + 60}个字，请删减后再提交"
    ]
    assert ReviewForm({"decision": "reject", "reason": "字" * REASON_MAX}).is_valid()


# -- the screen --------------------------------------------------------------------------------


def test_the_screen_shows_age_overdue_mark_counter_and_put_back(client, reviewer, operator):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=4, hours=2), tick=False):
        claim = f.claim(f.open_demand(reviewer), operator)
    client.force_login(reviewer)
    task = f.review_task(claim)
    client.post(f.task_url(task, "assign"))

    html = client.get(f.task_url(task, "execute")).content.decode()

    assert "等待时长" in html and "4天2小时" in html and 'class="review-overdue"' in html
    assert f'data-max="{REASON_MAX}"' in html and f"0 / {REASON_MAX} 字" in html
    assert "maxlength" not in html  # a pasted text is not cut short without a word
    assert "放回队列" in html and f'action="{f.task_url(task, "unassign")}"' in html
    # the first control of the decision takes the focus; the reason box's script is static
    assert 'value="approve" autofocus' in html
    assert "workflows/review.js" in html and "<script>" not in html


def test_a_return_too_long_keeps_the_text_and_says_why(client, taken, claim):
    reason = "服务领域与需求不符。" * 30

    response = client.post(f.task_url(taken, "execute"), {"decision": "reject", "reason": reason})

    assert response.status_code == 200
    html = response.content.decode()
    assert f"退回原因最多{REASON_MAX}个字，现在是{len(reason)}个字" in html
    assert reason in html and "review-counter--over" in html
    assert f.fresh(claim).status == ClaimStatus.PENDING


def test_an_approval_ignores_a_reason_left_in_the_hidden_box(client, taken, claim):
    response = client.post(
        f.task_url(taken, "execute"), {"decision": "approve", "reason": "x" * 300}
    )
    assert response.status_code == 302
    claim = f.fresh(claim)
    assert (claim.status, claim.reason) == (ClaimStatus.APPROVED, "")


def test_put_back_returns_the_task_to_the_queue(client, reviewer, taken):
    response = client.post(f.task_url(taken, "unassign"))

    assert response.status_code == 302 and response["Location"] == QUEUE
    task = f.fresh(taken)
    assert (task.status, task.owner_id) == (STATUS.NEW, None)
    assert "已将任务放回队列" in client.get(QUEUE).content.decode()
    # a page that asks first, for whoever opens the link
    client.post(f.task_url(task, "assign"))
    html = client.get(f.task_url(task, "unassign")).content.decode()
    assert "放回队列" in html and "继续审核" in html


def test_only_the_holder_puts_a_task_back(client, colleague, taken):
    client.force_login(colleague)
    assert client.post(f.task_url(taken, "unassign")).status_code == 403
    assert f.fresh(taken).status == STATUS.ASSIGNED


# -- a decision from a page that is no longer current --------------------------------------------


def test_deciding_twice_in_two_tabs_keeps_the_typed_reason(client, reviewer, taken, claim):
    assert client.post(f.task_url(taken, "execute"), {"decision": "approve"}).status_code == 302

    reason = "第二个标签页里写的退回原因"
    response = client.post(f.task_url(taken, "execute"), {"decision": "reject", "reason": reason})

    assert response.status_code == 409
    html = response.content.decode()
    assert "该认领已处理（当前状态：认领成功），你的审核结果未提交" in html
    assert reason in html and "readonly" in html
    assert "返回队列" in html
    assert f.fresh(claim).status == ClaimStatus.APPROVED


def test_a_task_put_back_meanwhile_is_a_conflict_not_a_403(
    client, reviewer, operator2, demand, taken, claim
):
    other = f.claim(demand, operator2)
    with taken.activation() as activation:
        activation.unassign()

    reason = "资料不全，请补充后再认领"
    response = client.post(f.task_url(taken, "execute"), {"decision": "reject", "reason": reason})

    assert response.status_code == 409
    html = response.content.decode()
    assert "该任务已放回队列，不再由你处理" in html and reason in html
    assert "打开下一个任务" in html and f.task_url(f.review_task(claim), "index") in html
    assert f.review_task(other).pk != taken.pk
    task = f.fresh(taken)
    assert (task.status, task.owner_id) == (STATUS.NEW, None)
    assert f.fresh(claim).status == ClaimStatus.PENDING


def test_a_task_a_colleague_holds_now_is_not_taken_over(client, colleague, taken, claim):
    with taken.activation() as activation:
        activation.reassign(colleague)

    response = client.post(f.task_url(taken, "execute"), {"decision": "approve"})

    assert response.status_code == 409
    assert "该任务现由韩梅梅处理" in response.content.decode()
    task = f.fresh(taken)
    assert (task.status, task.owner) == (STATUS.ASSIGNED, colleague)
    assert f.fresh(claim).status == ClaimStatus.PENDING
    # opening the link instead goes to the task's page of what the reviewer may do
    response = client.get(f.task_url(taken, "execute"))
    assert response.status_code == 302 and response["Location"] == f.task_url(taken, "index")


def test_an_administrator_still_may_not_post_a_decision(client, province, taken, claim):
    admin = f.UserFactory(username="admin")
    Membership.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, league_org=province)
    client.force_login(admin)
    assert client.post(f.task_url(taken, "execute"), {"decision": "approve"}).status_code == 403
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PENDING


# -- after a decision ----------------------------------------------------------------------------


def test_after_the_last_decision_the_queue_says_it_is_empty(client, taken, claim):
    response = client.post(f.task_url(taken, "execute"), {"decision": "approve"})
    assert response["Location"] == QUEUE
    html = client.get(QUEUE).content.decode()
    assert "已同意该认领申请。队列中已没有待审核的任务" in html
    assert "队列已清空" in html


def test_the_next_task_taken_meanwhile_by_a_colleague_is_skipped(
    client, reviewer, colleague, operator, taken, claim
):
    first_next = f.claim(f.open_demand(reviewer, title="【七彩假期】第二个"), operator)
    second_next = f.claim(f.open_demand(reviewer, title="【七彩假期】第三个"), operator)
    with f.review_task(first_next).activation() as activation:
        activation.assign(colleague)

    response = client.post(f.task_url(taken, "execute"), {"decision": "approve"})

    assert response["Location"] == f.task_url(f.review_task(second_next), "execute")
    assert f.fresh(f.review_task(first_next)).owner == colleague


def test_a_task_a_colleague_took_a_moment_ago_is_a_message_not_a_403(
    client, reviewer, colleague, claim
):
    task = f.review_task(claim)
    with task.activation() as activation:
        activation.assign(colleague)
    client.force_login(reviewer)

    response = client.post(f.task_url(task, "assign"), {"_continue": "1"})

    assert response.status_code == 302 and response["Location"] == QUEUE
    assert "该任务刚由韩梅梅领取，请选择其他任务" in client.get(QUEUE).content.decode()
    assert f.fresh(task).owner == colleague
    # the holder's own link goes on to the form
    client.force_login(colleague)
    assert client.get(f.task_url(task, "assign"))["Location"] == f.task_url(task, "index")
