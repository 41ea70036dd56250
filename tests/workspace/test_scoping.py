"""Viewflow's own pages never show another league org's process, by list, URL or id."""

import pytest

from .. import factories as f


@pytest.fixture
def pending(demand, operator):
    return f.claim(demand, operator)


def test_process_chart_by_guessed_id(client, pending, reviewer, other_reviewer):
    url = f"/workspace/claim/{pending.process_id}/chart/"
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    client.force_login(other_reviewer)
    assert client.get(url).status_code == 403
    assert client.get("/workspace/claim/999999/chart/").status_code == 404


def test_process_and_task_lists_are_scoped(client, pending, other_reviewer, reviewer):
    client.force_login(other_reviewer)
    for url in ("/workspace/claim/flows/", "/workspace/claim/tasks/"):
        body = client.get(url).content.decode()
        assert pending.demand.title not in body, url
    client.force_login(reviewer)
    assert pending.demand.title in client.get("/workspace/claim/flows/").content.decode()


def test_task_level_cancel_undo_revive_are_not_offered(client, pending, reviewer):
    from viewflow.workflow.models import Task

    task = Task.objects.get(process=pending.process, flow_task_type="HUMAN")
    client.force_login(reviewer)
    for action in ("cancel", "undo", "revive"):
        url = f"/workspace/claim/{pending.process_id}/review/{task.pk}/{action}/"
        assert client.post(url).status_code == 404, url


def test_task_index_pages_refuse_another_orgs_reviewer(client, pending, reviewer, other_reviewer):
    """A task's index page redirects only those who may see it; to others it is a 403, so a
    guessed task id neither confirms the task nor names its process."""
    from viewflow.workflow.models import Task

    tasks = Task.objects.filter(process_id=pending.process_id)
    urls = [task.flow_task.reverse("index", args=[pending.process_id, task.pk]) for task in tasks]
    assert len(urls) == 2  # start and review
    client.force_login(other_reviewer)
    for url in urls:
        assert client.get(url).status_code == 403, url
    client.force_login(reviewer)
    for url in urls:
        assert client.get(url).status_code == 302, url
