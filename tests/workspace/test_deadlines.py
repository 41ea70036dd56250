"""Deadlines on the operator's screens (issue 14): the review's due time and its marks in the
queue, inbox, review page and monitor; the follow-up (待跟进); escalation; the lapsed state."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone

from orgs.errors import InvalidInput, NotAllowed, StateConflict
from orgs.models import AuditRecord
from workflows import services
from workflows.models import Claim, ClaimStatus, ReviewEscalation

from .. import factories as f

QUEUE = "/workspace/claim/queue/"
INBOX = "/workspace/claim/inbox/"
MONITOR = "/workspace/claim/flows/"
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def workspace_urls():
    assert get_resolver().url_patterns


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def due(claim, at):
    """The review's due time, as claim_request will record it (H1); set by hand here."""
    Claim.objects.filter(pk=claim.pk).update(review_due_at=at)


def order(html: str, claims) -> list:
    return sorted(claims, key=lambda c: html.index(f'<tr data-row-id="{f.review_task(c).pk}">'))


def row(html: str, claim) -> str:
    start = html.index(f'<tr data-row-id="{f.review_task(claim).pk}">')
    return html[start : html.index("</tr>", start)]


@pytest.fixture
def three(reviewer, operator, operator2):
    """Three pending claims made at NOW; their due times set apart: late, overdue, due soon."""
    with time_machine.travel(NOW, tick=False):
        late = f.claim(f.open_demand(reviewer, title="【七彩假期】三天后到期"), operator)
        overdue = f.claim(f.open_demand(reviewer, title="【七彩假期】已经超期"), operator2)
        soon = f.claim(f.open_demand(reviewer, title="【七彩假期】明天到期"), operator)
    due(late, NOW + datetime.timedelta(days=3))
    due(overdue, NOW - datetime.timedelta(hours=2))
    due(soon, NOW + datetime.timedelta(hours=5))
    return late, overdue, soon


# -- the queue ---------------------------------------------------------------------------------


def test_the_queue_lists_the_review_due_soonest_first_with_its_mark(reviewer_client, three):
    late, overdue, soon = three
    with time_machine.travel(NOW, tick=False):
        html = reviewer_client.get(QUEUE).content.decode()
        assert order(html, three) == [overdue, soon, late]
        assert "截止时间" in html
        assert "2026-11-20 16:00" in row(html, overdue)  # 08:00 UTC in Shanghai
        assert 'class="review-overdue"' in row(html, overdue) and "已超期" in row(html, overdue)
        assert 'class="review-due-soon"' in row(html, soon) and "即将到期" in row(html, soon)
        assert "review-overdue" not in row(html, late) and "review-due-soon" not in row(html, late)

        html = reviewer_client.get(QUEUE, {"sort": "due_desc"}).content.decode()
        assert order(html, three) == [late, soon, overdue]
        html = reviewer_client.get(QUEUE, {"sort": "due"}).content.decode()
        assert order(html, three) == [overdue, soon, late]


def test_the_marks_follow_the_clock(reviewer_client, three):
    late, overdue, soon = three
    with time_machine.travel(NOW + datetime.timedelta(days=2, hours=1), tick=False):
        html = reviewer_client.get(QUEUE).content.decode()
    assert "即将到期" in row(html, late)
    assert "已超期" in row(html, soon)


def test_the_overdue_filter_reads_the_due_time(reviewer_client, three):
    late, overdue, soon = three
    with time_machine.travel(NOW, tick=False):
        html = reviewer_client.get(QUEUE, {"view": "overdue"}).content.decode()
    assert f.task_url(f.review_task(overdue), "index") in html
    assert f.task_url(f.review_task(soon), "index") not in html
    assert f.task_url(f.review_task(late), "index") not in html


def test_the_inbox_shows_the_due_time_and_sorts_by_it(reviewer_client, reviewer, three):
    late, overdue, soon = three
    for claim in three:
        with f.review_task(claim).activation() as activation:
            activation.assign(reviewer)
    with time_machine.travel(NOW, tick=False):
        html = reviewer_client.get(INBOX).content.decode()
    assert order(html, three) == [overdue, soon, late]
    assert "已超期" in row(html, overdue) and "即将到期" in row(html, soon)


# -- follow-up ---------------------------------------------------------------------------------


def test_follow_up_hides_a_task_from_the_queue_until_its_time(reviewer_client, reviewer, three):
    late, overdue, soon = three
    with time_machine.travel(NOW, tick=False):
        services.review_follow_up_set(
            claim=overdue, actor=reviewer, at=NOW + datetime.timedelta(days=1)
        )
        html = reviewer_client.get(QUEUE).content.decode()
        assert f.task_url(f.review_task(overdue), "index") not in html
        assert order(html, [late, soon]) == [soon, late]

        html = reviewer_client.get(QUEUE, {"view": "followup"}).content.decode()
        assert f.task_url(f.review_task(overdue), "index") in html
        assert f.task_url(f.review_task(late), "index") not in html
        assert "跟进时间：<time" in row(html, overdue) and "2026-11-21 18:00" in row(html, overdue)
        # the sidebar's count of the queue leaves it out too
        from workspace.queue import saved_filters

        counts = {item["name"]: item["count"] for item in saved_filters(f.fresh(reviewer))}
        assert counts["followup"] == 1

    with time_machine.travel(NOW + datetime.timedelta(days=1, seconds=1), tick=False):
        html = reviewer_client.get(QUEUE).content.decode()
        assert order(html, three) == [overdue, soon, late]
        html = reviewer_client.get(QUEUE, {"view": "followup"}).content.decode()
        assert "<tr data-row-id" not in html


@pytest.mark.parametrize(
    "delta, message",
    [
        (datetime.timedelta(minutes=-1), "跟进时间须晚于现在"),
        (datetime.timedelta(days=30, minutes=1), "跟进时间最多可设在30天之后"),
    ],
)
def test_follow_up_time_must_be_ahead_and_within_a_month(reviewer, three, delta, message):
    with time_machine.travel(NOW, tick=False), pytest.raises(InvalidInput) as exc:
        services.review_follow_up_set(claim=three[0], actor=reviewer, at=NOW + delta)
    assert exc.value.fields == {"follow_up_at": message}
    assert f.fresh(three[0]).review_follow_up_at is None


def test_follow_up_is_for_the_demands_reviewers_and_audited(
    reviewer, other_reviewer, operator, three
):
    claim = three[0]
    for outsider in (other_reviewer, operator):
        with pytest.raises(NotAllowed):
            services.review_follow_up_set(claim=claim, actor=outsider, at=NOW)
    at = NOW + datetime.timedelta(days=2)
    with time_machine.travel(NOW, tick=False):
        services.review_follow_up_set(claim=claim, actor=reviewer, at=at)
        assert f.fresh(claim).review_follow_up_at == at
        services.review_follow_up_set(claim=claim, actor=reviewer, at=None)
    assert f.fresh(claim).review_follow_up_at is None
    records = AuditRecord.objects.filter(
        content_type__model="claim", object_id=claim.pk, action="follow_up"
    ).order_by("pk")
    assert [(r.from_state, r.to_state, r.reason, r.actor) for r in records] == [
        ("pending", "pending", "2026-11-22 18:00", reviewer),
        ("pending", "pending", "清除跟进时间", reviewer),
    ]


def test_follow_up_of_a_decided_claim_is_a_conflict(reviewer, three):
    services.claim_approve(claim=three[0], actor=reviewer)
    with time_machine.travel(NOW, tick=False), pytest.raises(StateConflict):
        services.review_follow_up_set(
            claim=three[0], actor=reviewer, at=NOW + datetime.timedelta(days=1)
        )


def test_the_review_page_sets_and_clears_the_follow_up(reviewer_client, reviewer, three):
    late, overdue, soon = three
    task = f.review_task(soon)
    take = f.task_url(task, "assign")
    with time_machine.travel(NOW, tick=False):
        html = reviewer_client.get(take).content.decode()
        assert "审核截止时间" in html and "即将到期" in html and 'type="datetime-local"' in html
        assert 'min="2026-11-20T18:00"' in html and 'max="2026-12-20T18:00"' in html

        response = reviewer_client.post(
            take, {"_follow_up": "set", "follow_up_at": "2026-11-20T17:00"}
        )
        assert response.status_code == 400
        assert "跟进时间须晚于现在" in response.content.decode()
        response = reviewer_client.post(take, {"_follow_up": "set", "follow_up_at": ""})
        assert "请选择跟进时间" in response.content.decode()

        response = reviewer_client.post(
            take, {"_follow_up": "set", "follow_up_at": "2026-11-21T09:30"}
        )
        assert response.status_code == 302
        claim = f.fresh(soon)
        assert timezone.localtime(claim.review_follow_up_at).strftime("%m-%d %H:%M") == (
            "11-21 09:30"
        )
        assert f.fresh(task).owner is None  # not taken by setting it
        html = reviewer_client.get(take).content.decode()
        assert "2026-11-21 09:30" in html and 'value="2026-11-21T09:30"' in html

        # the holder, on the review form
        reviewer_client.post(take, {"_continue": "1"})
        execute = f.task_url(task, "execute")
        response = reviewer_client.post(execute, {"_follow_up": "clear"})
        assert response.status_code == 302 and response["Location"] == execute
        assert f.fresh(soon).review_follow_up_at is None


def test_only_the_holder_sets_the_follow_up_of_a_taken_task(client, league, three):
    colleague = f.reviewer_of(league, username="colleague")
    task = f.review_task(three[0])
    with task.activation() as activation:
        activation.assign(colleague)
    someone = f.reviewer_of(league, username="someone")
    client.force_login(someone)
    response = client.post(
        f.task_url(task, "execute"), {"_follow_up": "set", "follow_up_at": "2026-11-21T09:30"}
    )
    assert response.status_code in (302, 403)
    assert f.fresh(three[0]).review_follow_up_at is None


# -- escalation --------------------------------------------------------------------------------


def escalate(claim, org, level=1):
    ReviewEscalation.objects.create(claim=claim, league_org=org, level=level)
    Claim.objects.filter(pk=claim.pk).update(escalation_level=level)


def test_the_queue_and_the_review_page_show_the_escalation(reviewer_client, province, three):
    late, overdue, soon = three
    escalate(overdue, province)
    with time_machine.travel(NOW, tick=False):
        html = reviewer_client.get(QUEUE).content.decode()
        assert "上报至省级 · 第1级" in row(html, overdue)
        assert "上报至" not in row(html, late)
        html = reviewer_client.get(f.task_url(f.review_task(overdue), "assign")).content.decode()
    assert "可审核的团组织" in html
    assert "共青团深圳市委员会" in html and "共青团广东省委员会" in html and "上报第1级" in html


def test_the_queue_reads_a_constant_number_of_queries_with_escalations(
    reviewer_client, reviewer, province
):
    costs = []
    for n in (2, 6):
        for _ in range(n):
            claim = f.claim(f.open_demand(reviewer), f.operator_of(f.VolunteerOrgFactory()))
            escalate(claim, province)
            due(claim, timezone.now() + datetime.timedelta(hours=3))
        with CaptureQueriesContext(connection) as queries:
            response = reviewer_client.get(QUEUE)
        assert response.status_code == 200
        costs.append(len(queries))
    assert costs[0] == costs[1], costs


# -- the monitor -------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, province):
    from orgs.choices import Role
    from orgs.models import Membership

    admin = f.UserFactory(username="admin")
    Membership.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, league_org=province)
    client.force_login(admin)
    return client


def monitor_rows(html: str) -> set[int]:
    import re

    return {int(pk) for pk in re.findall(r'<tr data-row-id="(\d+)">', html)}


def test_the_monitor_shows_the_due_time_escalation_and_filters_them(
    admin_client, reviewer, province, three
):
    late, overdue, soon = three
    escalate(overdue, province)
    with time_machine.travel(NOW, tick=False):
        html = admin_client.get(MONITOR).content.decode()
        assert "截止时间" in html and "上报至省级 · 第1级" in html
        assert "即将到期" in html and "已超期" in html
        html = admin_client.get(MONITOR, {"escalated": "yes"}).content.decode()
        assert monitor_rows(html) == {overdue.process_id}
        html = admin_client.get(MONITOR, {"escalated": "no"}).content.decode()
        assert monitor_rows(html) == {late.process_id, soon.process_id}
        html = admin_client.get(MONITOR, {"_orderby": "due"}).content.decode()
        rows = [int(pk) for pk in __import__("re").findall(r'<tr data-row-id="(\d+)">', html)]
        assert rows == [overdue.process_id, soon.process_id, late.process_id]


def test_the_monitor_filters_and_labels_lapsed_claims(admin_client, reviewer, three):
    late = three[0]
    services.claim_approve(claim=late, actor=reviewer)
    claim = Claim.objects.get(pk=late.pk)
    claim.lapse()
    claim.save()
    html = admin_client.get(MONITOR, {"claim_status": "lapsed"}).content.decode()
    assert monitor_rows(html) == {late.process_id}
    assert "认领失效" in html
    html = admin_client.get(MONITOR, {"claim_status": "pending"}).content.decode()
    assert monitor_rows(html) == {three[1].process_id, three[2].process_id}
    assert ClaimStatus.LAPSED.label == "认领失效"


def test_the_league_timeline_and_claims_show_a_lapsed_claim(reviewer_client, reviewer, three):
    from django.db import transaction
    from django.urls import reverse

    from orgs.audit import apply_transition

    late = three[0]
    services.claim_approve(claim=late, actor=reviewer)
    with transaction.atomic():  # what H1's lapse service does, in short
        claim = Claim.objects.select_related("demand").get(pk=late.pk)
        apply_transition(claim, "lapse", actor=None)
        apply_transition(claim.demand, "reopen", actor=None, reason="认领失效")
    html = reviewer_client.get(reverse("league:demand_detail", args=[late.demand_id])).content
    html = html.decode()
    assert "league-progress__step--lapsed" in html
    assert "认领失效（深圳青年志愿服务队）" in html and "失效时间：" in html
