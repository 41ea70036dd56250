"""The administrators' board (看板): a column per waiting step, a card per claim."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring import services as scoring
from workflows import services

from .. import factories as f
from . import test_monitor as monitor

# The monitor's fixtures (an administrator, claims in each state), shared by name.
admin, pending, approved, other_pending = (
    monitor.admin,
    monitor.pending,
    monitor.approved,
    monitor.other_pending,
)
url = monitor.url


def board(client, user):
    client.force_login(user)
    return client.get(url("dashboard"))


def cards(response) -> dict[str, list[int]]:
    return {
        column["name"]: [card["task"].process_id for card in column["cards"]]
        for column in response.context["columns"]
    }


def test_the_board_has_a_column_per_waiting_step(client, admin, approved, other_pending):
    response = board(client, admin)
    assert response.status_code == 200
    assert cards(response) == {
        "review": [other_pending.process_id],
        "publish_activity": [approved.process_id],
        "rate_by_league": [],
        "rate_by_volunteer": [],
    }
    html = response.content.decode()
    for title in ("审核认领", "发布志愿服务活动", "团组织评分", "志愿服务组织评分"):
        assert title in html


def test_a_card_names_the_demand_and_the_org_and_links_the_process(client, admin, approved):
    html = board(client, admin).content.decode()
    assert approved.demand.title in html
    assert approved.org.name in html
    assert approved.demand.league_org.name in html
    assert url("process_detail", approved.process_id) in html
    assert "已等待" in html


def test_ratings_show_in_their_columns(client, admin, approved, operator, reviewer):
    services.activity_publish(claim=approved, actor=operator, data=f.activity_data())
    scoring.rating_submit(claim=approved, actor=reviewer, stars=5)
    columns = cards(board(client, admin))
    assert columns["rate_by_league"] == []
    assert columns["rate_by_volunteer"] == [approved.process_id]
    assert columns["publish_activity"] == []


def test_a_cancelled_process_leaves_the_board(client, admin, pending):
    services.claim_process_cancel(claim=pending, actor=admin, reason="重复提交")
    assert all(not ids for ids in cards(board(client, admin)).values())


def test_the_board_is_for_administrators(client, reviewer, pending):
    assert board(client, reviewer).status_code == 403


def test_the_board_reads_a_fixed_number_of_queries(
    client, admin, pending, other_pending, operator2, reviewer
):
    board(client, admin)
    with CaptureQueriesContext(connection) as before:
        board(client, admin)
    for _ in range(3):
        f.claim(f.open_demand(reviewer), operator2)
    with CaptureQueriesContext(connection) as after:
        response = board(client, admin)
    assert len(cards(response)["review"]) == 5
    assert len(after.captured_queries) == len(before.captured_queries)
