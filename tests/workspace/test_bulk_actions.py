"""The queue's bulk assign and the inbox's bulk unassign act on the user's own tasks only.

Viewflow's bulk pages take any task ids (or "select all": the whole task table) and list their
claims on the confirmation page; ours see the tasks the user's list shows, and no more than a
page of them at a time.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from viewflow.views import BaseBulkActionView
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from orgs.choices import Role
from orgs.models import Membership
from workflows.flows import ClaimFlow
from workspace.queue import BulkAssignView, BulkUnassignView

from .. import factories as f

ASSIGN = "/workspace/claim/queue/assign/"
UNASSIGN = "/workspace/claim/inbox/unassign/"
FOREIGN_TITLE = "【七彩假期】广州的需求"


@pytest.fixture(autouse=True)
def workspace_urls():
    # A flow node's URL names get the Site's namespace when the URLconf is first loaded.
    assert get_resolver().url_patterns


def fresh(task) -> Task:
    return Task.objects.get(pk=task.pk)


def assign(task, user):
    with task.activation() as activation:
        activation.assign(user)
    return fresh(task)


@pytest.fixture
def own(demand, operator):
    """A review task in the reviewer's queue (league org A)."""
    return f.review_task(f.claim(demand, operator))


@pytest.fixture
def own2(reviewer, operator):
    return f.review_task(f.claim(f.open_demand(reviewer, title="【七彩假期】周末陪读"), operator))


@pytest.fixture
def foreign(other_reviewer, operator2):
    """A review task of league org B, with a title that must not reach org A's reviewer."""
    demand = f.open_demand(other_reviewer, title=FOREIGN_TITLE)
    return f.review_task(f.claim(demand, operator2))


@pytest.fixture
def many_foreign(other_reviewer, operator2):
    """A busy league org B: 200 review tasks in its queue."""
    for n in range(200):
        f.claim(f.open_demand(other_reviewer, title=f"{FOREIGN_TITLE}{n}"), operator2)


@pytest.fixture
def admin(province):
    user = f.UserFactory(username="admin")
    Membership.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, league_org=province)
    return user


@pytest.fixture
def colleague(league):
    return f.reviewer_of(league, username="colleague")


def unchanged(task, before) -> bool:
    task = fresh(task)
    return (task.status, task.owner_id) == (before.status, before.owner_id)


# -- every bulk-action URL ------------------------------------------------------------------------


def bulk_views():
    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                view_class = getattr(p.callback, "view_class", None)
                if view_class is not None and issubclass(view_class, BaseBulkActionView):
                    yield prefix + str(p.pattern), view_class

    return dict(walk(get_resolver().url_patterns, "/"))


def test_the_site_exposes_only_our_two_scoped_bulk_actions():
    """Viewflow's Site offers no other bulk page (no process cancel, no delete)."""
    assert bulk_views() == {ASSIGN: BulkAssignView, UNASSIGN: BulkUnassignView}


def test_the_process_list_offers_no_bulk_action(client, admin, own):
    client.force_login(admin)
    response = client.get("/workspace/claim/flows/")
    assert response.status_code == 200
    assert response.context["view"].get_bulk_actions() == ()
    assert "vf-list-bulk-actions" not in response.content.decode()


# -- another org's tasks ---------------------------------------------------------------------------


@pytest.mark.parametrize("confirm", [False, True], ids=["preview", "confirm"])
def test_assign_refuses_another_orgs_task_without_naming_it(
    client, reviewer, own, foreign, confirm
):
    client.force_login(reviewer)
    data = {"pk": [foreign.pk]} | ({"_confirm": "1"} if confirm else {})

    response = client.post(ASSIGN, data)

    assert response.status_code == 403
    body = response.content.decode()
    assert FOREIGN_TITLE not in body and "鹏城义工联" not in body
    assert unchanged(foreign, foreign)


def test_assign_refuses_a_mixed_selection_as_a_whole(client, reviewer, own, foreign):
    client.force_login(reviewer)

    response = client.post(ASSIGN, {"pk": [own.pk, foreign.pk], "_confirm": "1"})

    assert response.status_code == 403
    assert unchanged(own, own) and unchanged(foreign, foreign)


def test_guessed_ids_answer_alike_whether_or_not_they_exist(client, reviewer, foreign):
    client.force_login(reviewer)
    missing = Task.objects.order_by("-pk").first().pk + 1000
    for url in (ASSIGN, UNASSIGN):
        answers = {pk: client.post(url, {"pk": [pk]}) for pk in (foreign.pk, missing)}
        assert {r.status_code for r in answers.values()} == {403}, url
        assert answers[foreign.pk].content == answers[missing].content, url


def test_unassign_refuses_another_orgs_and_a_colleagues_task(
    client, reviewer, colleague, other_reviewer, own, foreign
):
    foreign = assign(foreign, other_reviewer)
    own = assign(own, colleague)
    client.force_login(reviewer)
    for task in (foreign, own):
        for data in ({"pk": [task.pk]}, {"pk": [task.pk], "_confirm": "1"}):
            response = client.post(UNASSIGN, data)
            assert response.status_code == 403, data
            assert FOREIGN_TITLE not in response.content.decode()
            assert unchanged(task, task)


def test_assign_takes_only_tasks_in_the_queue(client, reviewer, colleague, own, own2):
    """A task a colleague holds (or one already done) is not the reviewer's to take."""
    own2 = assign(own2, colleague)
    client.force_login(reviewer)

    response = client.post(ASSIGN, {"pk": [own2.pk], "_confirm": "1"})

    assert response.status_code == 403
    assert fresh(own2).owner == colleague


@pytest.mark.parametrize("confirm", [False, True], ids=["preview", "confirm"])
@pytest.mark.parametrize("select_all", [False, True], ids=["ids", "select_all"])
def test_bulk_actions_are_for_league_reviewers_only(
    client, admin, operator, reviewer, own, own2, select_all, confirm
):
    """Administrators hand tasks over through the monitor (audited); other roles have no tasks."""
    held = assign(own2, reviewer)
    for user in (admin, operator):
        client.force_login(user)
        for url, task in ((ASSIGN, own), (UNASSIGN, held)):
            data = {"select_all": "1"} if select_all else {"pk": [task.pk]}
            if confirm:
                data["_confirm"] = "1"
            response = client.post(url, data)
            assert response.status_code == 403, (user, url)
            assert "周末陪读" not in response.content.decode()
    assert unchanged(own, own) and unchanged(held, held)


def test_thirty_guessed_ids_name_nothing(client, reviewer, many_foreign):
    """The audit's probe: 30 ids of another org's tasks, without confirming."""
    guessed = list(
        Task.objects.filter(flow_task=ClaimFlow.review).values_list("pk", flat=True)[:30]
    )
    client.force_login(reviewer)

    response = client.post(ASSIGN, {"pk": guessed})

    assert response.status_code == 403
    assert FOREIGN_TITLE not in response.content.decode()
    assert not Task.objects.filter(owner__isnull=False).exists()


# -- the reviewer's own tasks -----------------------------------------------------------------------


def test_preview_lists_the_selection_with_its_claims(client, reviewer, own, own2):
    client.force_login(reviewer)

    response = client.post(ASSIGN, {"pk": [own.pk, own2.pk]})

    assert response.status_code == 200
    body = response.content.decode()
    assert "招募志愿服务团队" in body and "周末陪读" in body and "深圳青年志愿服务队" in body
    assert unchanged(own, own)


def test_assign_then_unassign(client, reviewer, own, own2):
    client.force_login(reviewer)

    response = client.post(ASSIGN, {"pk": [own.pk, own2.pk], "_confirm": "1"})

    assert response.status_code == 302
    for task in (own, own2):
        assert (fresh(task).status, fresh(task).owner) == (STATUS.ASSIGNED, reviewer)
    response = client.post(UNASSIGN, {"pk": [own.pk], "_confirm": "1"})
    assert response.status_code == 302
    assert (fresh(own).status, fresh(own).owner) == (STATUS.NEW, None)
    assert fresh(own2).owner == reviewer


def test_an_empty_selection_goes_back_to_the_list(client, reviewer, own):
    client.force_login(reviewer)
    response = client.post(ASSIGN, {"_confirm": "1"})
    assert response.status_code == 302
    assert unchanged(own, own)


# -- select all --------------------------------------------------------------------------------------


def test_select_all_is_the_users_queue_in_bounded_queries(
    client, reviewer, own, own2, many_foreign
):
    client.force_login(reviewer)
    client.get("/workspace/claim/queue/")  # warm the session and the content types

    with CaptureQueriesContext(connection) as preview_queries:
        preview = client.post(ASSIGN, {"select_all": "1"})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert FOREIGN_TITLE not in body
    assert "招募志愿服务团队" in body and "周末陪读" in body
    # session, user, todo counts, the ids, the rows; the reviews escalated to the user, the
    # pending claims escalated to them (a count of its own) and the bell's unread count (issue 14)
    assert len(preview_queries) <= 15

    with CaptureQueriesContext(connection) as confirm_queries:
        response = client.post(ASSIGN, {"select_all": "1", "_confirm": "1"})
    assert response.status_code == 302
    assert len(confirm_queries) <= 24  # two tasks assigned, each through its activation
    assert {t.pk for t in Task.objects.filter(owner=reviewer)} == {own.pk, own2.pk}
    assert not Task.objects.filter(owner__isnull=False).exclude(owner=reviewer).exists()

    # and the inbox's select all puts back the reviewer's own tasks, nobody else's
    response = client.post(UNASSIGN, {"select_all": "1", "_confirm": "1"})
    assert response.status_code == 302
    assert not Task.objects.filter(owner__isnull=False).exists()


def test_select_all_follows_the_lists_filter(client, reviewer, own, own2):
    client.force_login(reviewer)

    response = client.post(
        f"{ASSIGN}?process={own.process_id}", {"select_all": "1", "_confirm": "1"}
    )

    assert response.status_code == 302
    assert fresh(own).owner == reviewer and fresh(own2).owner is None


def test_select_all_over_the_limit_is_refused_whole(client, reviewer, own, own2, monkeypatch):
    monkeypatch.setattr(BulkAssignView, "max_tasks", 1)
    client.force_login(reviewer)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(ASSIGN, {"select_all": "1", "_confirm": "1"}, follow=True)

    assert response.redirect_chain[0] == ("/workspace/claim/queue/", 302)
    messages = [str(m) for m in response.context["messages"]]
    assert any("1" in m for m in messages), messages
    assert unchanged(own, own) and unchanged(own2, own2)
    assert len(queries) <= 26  # the redirect's queue page included


def test_too_many_ids_are_refused_before_they_are_read(client, reviewer, own):
    client.force_login(reviewer)
    pks = [own.pk, *range(10**6, 10**6 + BulkAssignView.max_tasks)]

    with CaptureQueriesContext(connection) as queries:
        response = client.post(ASSIGN, {"pk": pks, "_confirm": "1"})

    assert response.status_code == 302
    assert not [q for q in queries if "viewflow_task" in q["sql"]]
    assert unchanged(own, own)
