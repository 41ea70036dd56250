"""The indexes the lists rely on (docs/performance.md): present, and chosen for their queries.

On both databases the indexes exist, Viewflow's process table included (our migration adds
one there, which a Viewflow migration rebuilding the table on SQLite would drop silently).
On PostgreSQL each list's query is planned with sequential scans switched off: the plan then
shows whether the index matches the query at all (a partial index's condition implied by the
query's, an expression index's expression the query's own), which is what can break when a
query or a model changes; with real volumes the planner picks them itself (docs/performance.md
has the EXPLAIN ANALYZE at 100,000 demands).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from viewflow.workflow.models import Task

from workflows import services as claim_services
from workflows.flows import ClaimFlow

from . import factories as f

INDEXES = {
    "demands_demand": [
        "demand_public_newest",
        "demand_public_zone",
        "demand_public_city",
        "demand_public_type",
        "demand_public_end",
        "demand_public_created",
        "demand_public_needed",
        "demand_status_newest",
        "demand_league_newest",
    ],
    "demands_favorite": ["favorite_user_newest"],
    "workflows_claim": ["claim_org_newest", "claim_newest", "claim_holding_decided"],
    "scoring_pointsentry": ["points_volunteer_newest", "points_league_newest"],
    "viewflow_process": ["viewflow_process_created"],
    "viewflow_task": ["viewflow_task_queue"],
}
TRIGRAM_INDEXES = ["demand_title_trgm", "demand_content_trgm"]  # PostgreSQL only


def indexes_of(table) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


@pytest.mark.django_db
def test_the_list_indexes_exist():
    for table, names in INDEXES.items():
        assert set(names) <= indexes_of(table), table
    if connection.vendor == "postgresql":
        assert set(TRIGRAM_INDEXES) <= indexes_of("demands_demand")


# (request, the indexes one of which its page query must use in the list's order). Where the
# filter is not very selective (a quarter of the demands are open, half are of one type), the
# planner may as well walk the list's own newest-first index and filter; both are index reads
# in the list's order, without a sort of all the rows.
ORDERED = [
    ("/api/v1/demands/", {"demand_public_newest"}),
    ("/api/v1/demands/?cursor=", {"demand_public_newest"}),
    ("/api/v1/demands/?zone=cloud_teaching", {"demand_public_zone", "demand_public_newest"}),
    ("/api/v1/demands/?type=care_for_minors", {"demand_public_type", "demand_public_newest"}),
    ("/api/v1/demands/?status=open", {"demand_status_newest", "demand_public_newest"}),
    ("/api/v1/demands/?ordering=end_date", {"demand_public_end"}),
    ("/api/v1/demands/?ordering=-created_at", {"demand_public_created"}),
    ("/api/v1/demands/?ordering=-volunteers_needed&cursor=", {"demand_public_needed"}),
    ("/api/v1/feeds/claims/?cursor=", {"claim_holding_decided"}),
]


def published_demands(reviewer, operator, n):
    """`n` published demands, so that the planner weighs indexes as it does with real data.

    Bulk rows for the planner, not states under test; three more (built through the services)
    mention 防溺水 and have a successful claim.
    """
    from demands.models import Demand

    if connection.vendor != "postgresql":
        pytest.skip("planner checks on PostgreSQL")

    league, city = reviewer.league_org, f.city("深圳市")
    Demand.objects.bulk_create(
        Demand(
            league_org=league,
            created_by=reviewer,
            zone=("colorful_holiday", "cloud_teaching", "general")[i % 3],
            type=("care_for_minors", "elderly_service")[i % 2],
            title=f"招募志愿者{i}",
            content="社区服务",
            volunteers_needed=i % 50 + 1,
            city=city,
            status=("open", "closed", "expired", "completed")[i % 4],
            published_at=timezone.now() - datetime.timedelta(minutes=i),
        )
        for i in range(n)
    )
    for i in range(3):
        demand = f.open_demand(reviewer, title=f"【七彩假期】防溺水安全教育{i}")
        claim_services.claim_approve(claim=f.claim(demand, operator), actor=reviewer)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE demands_demand; ANALYZE workflows_claim")


@pytest.fixture
def many_demands(reviewer, operator):
    published_demands(reviewer, operator, 3_000)


def plans(url, *settings) -> list[str]:
    """EXPLAIN of each SELECT of the request, with the given planner settings."""
    with CaptureQueriesContext(connection) as context:
        assert APIClient().get(url).status_code == 200
    explained = []
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = off")
        for query in context.captured_queries:
            if query["sql"].startswith("SELECT"):
                cursor.execute("EXPLAIN " + query["sql"])
                explained.append("\n".join(row[0] for row in cursor.fetchall()))
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = on")
    return explained


@pytest.mark.postgres
@pytest.mark.parametrize("url,indexes", ORDERED)
def test_a_list_page_is_read_in_order_from_its_index(url, indexes, many_demands):
    """Planned with sequential scans and sorts priced out, a page is an ordered index read."""
    explained = plans(url, "enable_seqscan", "enable_sort")
    used = {name for plan in explained for name in indexes if f"using {name} " in plan}
    assert used, "\n\n".join(explained)


@pytest.mark.postgres
def test_the_search_reads_the_trigram_indexes(reviewer, operator):
    """`search` of three characters or more: the title and content trigram indexes.

    With 20,000 demands (fewer, and reading the status index and filtering is as cheap).
    """
    published_demands(reviewer, operator, 20_000)
    explained = "\n\n".join(plans("/api/v1/demands/?search=防溺水", "enable_seqscan"))
    assert "demand_title_trgm" in explained and "demand_content_trgm" in explained, explained


@pytest.mark.postgres
def test_connections_plan_for_ssd_random_reads(db):
    """DB_RANDOM_PAGE_COST (1.1) reaches every connection: at PostgreSQL's 4 the reviewer queue
    hashes every process instead of looking up the queued few (docs/performance.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


@pytest.mark.postgres
def test_the_review_queue_reads_its_tasks_from_its_index(client, reviewer, operator):
    """The queue's page and count ask for the review permissions of the reviewer's orgs;
    planned with sequential scans priced out, they read the queue index."""
    if connection.vendor != "postgresql":
        pytest.skip("planner checks on PostgreSQL")
    claims = [f.claim(f.open_demand(reviewer), operator) for _ in range(3)]
    # Other league orgs' queued reviews, bulk rows for the planner (as published_demands)
    Task.objects.bulk_create(
        Task(
            process_id=claims[0].process_id,
            flow_task=ClaimFlow.review,
            flow_task_type="HUMAN",
            status="NEW",
            owner_permission=f"workflows.review_league_{900_000 + i % 300}",
        )
        for i in range(3_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE viewflow_task")
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as context:
        assert client.get("/workspace/claim/queue/").status_code == 200
    reads = [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].startswith("SELECT") and '"viewflow_task"."owner_permission" IN' in q["sql"]
    ]
    assert len(reads) >= 2, reads  # the page and its count at least
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in reads:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "viewflow_task_queue" in plan, plan
        cursor.execute("SET LOCAL enable_seqscan = on")
