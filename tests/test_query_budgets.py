"""Query budgets: the SQL statements each transition and each list costs, and that lists and
the closing of competing claims cost the same however many rows they touch.

How a statement is counted (docs/performance.md): every statement Django's
CaptureQueriesContext sees around the call, as a real request makes it:

- a transition is the service call alone. Each test runs inside pytest-django's transaction,
  so the service's own `transaction.atomic` is a SAVEPOINT and a RELEASE here; both are
  counted (in production they are the transaction's BEGIN and COMMIT).
- the objects are what the API view hands the service: a claim, demand or initial demand
  read afresh (the view's get_object), and the acting user with its memberships loaded (the
  API's permission classes load them before the view runs). The content-type cache is warm,
  as in any server process after its first request.
- a list is the whole request (session or token, permission checks, filters, pages,
  serialisation, templates), after one warm-up request.
"""

from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic.list import BaseListView
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from viewflow.workflow.models import Task

from demands import services as demand_services
from demands.models import Demand, InitialDemand
from notifications.models import Notification
from orgs.choices import Role
from orgs.models import Membership, User
from scoring import services as scoring_services
from scoring.models import PointsEntry
from webhooks import services as webhook_services
from workflows import services as claim_services
from workflows.flows import ClaimFlow
from workflows.models import Claim

from . import factories as f

# Statements per transition, as measured on stock Viewflow (docs/performance.md reports them).
# They are no goal: a ceiling that fails when a change adds a query, so that it is seen.
# Each event a transition emits costs 2 more (issue 14): its notifications' recipients (one
# query) and their rows (one bulk insert); notifications/services.py. An event that a volunteer
# org's webhooks may receive (claim approved, rejected, cancelled; points paid) costs one more:
# the org's endpoints are read (webhooks.services).
TRANSITION_BUDGETS = {
    "claim_request": 17 + 2,
    "claim_approve": 39 + 4,  # approved + the competing claim's rejection; each more the same few
    "claim_reject": 25 + 2,
    "claim_withdraw (pending)": 14 + 2,
    "claim_withdraw (approved)": 16 + 2,
    "activity_publish": 29,  # the activity_published gateway (issue 14): its task, 6 statements
    "rating_submit (first)": 22 + 2,
    "rating_submit (second: join, settle points, end)": 48 + 6,  # rating, 2 × points paid
    "demand_publish": 5,
    "demand_close": 17 + 2,  # with one pending claim; each more costs the same few
    "initial_demand_adopt": 5 + 2,
    "initial_demand_decline": 5 + 2,
    "claim_process_cancel (pending)": 15 + 2,
    "claim_process_cancel (approved)": 17 + 2,
    "review_task_reassign": 11,
}


# -- transitions ------------------------------------------------------------------------------------


@pytest.fixture
def admin(province):
    user = f.UserFactory(username="admin")
    Membership.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, league_org=province)
    return user


def fresh(obj):
    """The object as the API view reads it for the service; a user with its memberships."""
    obj = type(obj).objects.get(pk=obj.pk)
    if isinstance(obj, User):
        obj.cached_memberships  # noqa: B018 - loaded by the API's permission classes
    return obj


def statements(call) -> list[str]:
    ContentType.objects.get_for_models(Claim, Demand, InitialDemand)  # a warm server process
    with CaptureQueriesContext(connection) as context:
        call()
    return [q["sql"] for q in context.captured_queries]


def claim_at(demand, operator, reviewer, *, stage="pending"):
    claim = f.claim(demand, operator)
    if stage in ("approved", "published", "rated"):
        claim_services.claim_approve(claim=claim, actor=reviewer)
    if stage in ("published", "rated"):
        claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    if stage == "rated":
        scoring_services.rating_submit(claim=claim, actor=reviewer, stars=5)
    return claim


def competitors(demand, n):
    return [f.claim(demand, f.operator_of(f.VolunteerOrgFactory())) for _ in range(n)]


def initial_demand(reviewer, league):
    return demand_services.initial_demand_submit(
        actor=f.UserFactory(),
        league_org=league,
        kind="ordinary",
        data={"title": "老人需要陪伴", "contact_name": "赵雷", "contact_mobile": "18500000000"},
        verify_mobile=False,
    )


def transition(name, w):
    """Set up for transition `name` and return the call a request would make."""
    s = claim_services
    r, op, admin = fresh(w.reviewer), fresh(w.operator), fresh(w.admin)
    if name == "claim_request":
        demand = fresh(w.demand)
        return lambda: s.claim_request(demand=demand, org=op.volunteer_org, actor=op)
    if name == "claim_approve":
        claim = claim_at(w.demand, w.operator, w.reviewer)
        competitors(w.demand, 1)
        claim = fresh(claim)
        return lambda: s.claim_approve(claim=claim, actor=r)
    if name == "claim_reject":
        claim = fresh(claim_at(w.demand, w.operator, w.reviewer))
        return lambda: s.claim_reject(claim=claim, actor=r, reason="资料不全")
    if name.startswith("claim_withdraw"):
        stage = "approved" if "approved" in name else "pending"
        claim = fresh(claim_at(w.demand, w.operator, w.reviewer, stage=stage))
        return lambda: s.claim_withdraw(claim=claim, actor=op, reason="人手不足")
    if name == "activity_publish":
        claim = fresh(claim_at(w.demand, w.operator, w.reviewer, stage="approved"))
        return lambda: s.activity_publish(claim=claim, actor=op, data=f.activity_data())
    if name.startswith("rating_submit"):
        stage = "rated" if "second" in name else "published"
        claim = fresh(claim_at(w.demand, w.operator, w.reviewer, stage=stage))
        return lambda: scoring_services.rating_submit(claim=claim, actor=op, stars=4)
    if name == "demand_publish":
        demand = fresh(f.draft_demand(w.reviewer))
        return lambda: demand_services.demand_publish(demand=demand, actor=r)
    if name == "demand_close":
        competitors(w.demand, 1)
        demand = fresh(w.demand)
        return lambda: demand_services.demand_close(demand=demand, actor=r, reason="不需要了")
    if name.startswith("initial_demand"):
        initial = fresh(initial_demand(w.reviewer, w.league))
        decide = getattr(demand_services, name)
        return lambda: decide(initial_demand=initial, actor=r, reason="")
    if name.startswith("claim_process_cancel"):
        stage = "approved" if "approved" in name else "pending"
        claim = fresh(claim_at(w.demand, w.operator, w.reviewer, stage=stage))
        return lambda: s.claim_process_cancel(claim=claim, actor=admin, reason="重复认领")
    if name == "review_task_reassign":
        claim = fresh(claim_at(w.demand, w.operator, w.reviewer))
        colleague = f.reviewer_of(w.league, username="colleague")
        return lambda: s.review_task_reassign(
            claim=claim, actor=admin, to_user=colleague, reason="休假"
        )
    raise AssertionError(f"no set-up for {name}")


@dataclass
class World:
    reviewer: User
    operator: User
    admin: User
    league: object
    demand: Demand


@pytest.fixture
def w(reviewer, operator, admin, league, demand):
    return World(reviewer, operator, admin, league, demand)


@pytest.mark.parametrize("name", TRANSITION_BUDGETS)
def test_transition_budget(name, w):
    call = transition(name, w)
    sql = statements(call)
    budget = TRANSITION_BUDGETS[name]
    assert len(sql) <= budget, f"{name}: {len(sql)} > {budget}\n" + "\n".join(sql)


def test_each_competing_claim_costs_the_same_when_one_is_approved(reviewer, operator):
    counts = {}
    for n in (1, 2, 5):
        demand = f.open_demand(reviewer)
        claim = f.claim(demand, operator)
        competitors(demand, n)
        approve = partial(claim_services.claim_approve, claim=fresh(claim), actor=fresh(reviewer))
        counts[n] = len(statements(approve))
        assert Claim.objects.filter(demand=demand, status="rejected").count() == n
    assert counts[5] - counts[2] == 3 * (counts[2] - counts[1]), counts  # a fixed cost a claim


def test_each_pending_claim_costs_the_same_when_a_demand_closes(reviewer):
    counts = {}
    for n in (1, 2, 5):
        demand = f.open_demand(reviewer)
        competitors(demand, n)
        close = partial(demand_services.demand_close, demand=fresh(demand), actor=fresh(reviewer))
        counts[n] = len(statements(close))
        assert Claim.objects.filter(demand=demand, status="rejected").count() == n
    assert counts[5] - counts[2] == 3 * (counts[2] - counts[1]), counts


@pytest.mark.parametrize("step", ["approve", "reject", "withdraw"])
def test_a_claim_step_answers_without_reading_the_claim_again(step, w):
    """The answer is built from what the service returned: no statement after the service's
    transaction (here a SAVEPOINT, released), and three before it: the token with its user, the
    memberships, the claim's ids and state (django-fsm's ConcurrentTransitionMixin keeps the
    state it was read in, so claim_ref reads it too)."""
    claim = claim_at(w.demand, w.operator, w.reviewer)
    actor = w.operator if step == "withdraw" else w.reviewer
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=actor).key}")
    body = {"reason": "资料不全"} if step == "reject" else {}
    answers = []
    sql = statements(
        lambda: answers.append(client.post(f"/api/v1/claims/{claim.pk}/{step}/", body, "json"))
    )
    assert answers[0].status_code == 200, answers[0].content
    service = {"approve": "claim_approve", "reject": "claim_reject"}.get(
        step, "claim_withdraw (pending)"
    )
    assert sql[-1].startswith("RELEASE SAVEPOINT"), "\n".join(sql)
    assert len(sql) <= TRANSITION_BUDGETS[service] + 3, "\n".join(sql)


# -- lists ----------------------------------------------------------------------------------------

# Statements per request of a list page, whatever its size. Numbered pages (`page_size`) read
# the page's keys first, then its rows (api/pagination.py); keyset pages (`cursor`) read
# size + 1 rows in one query.
API_LIST_BUDGETS = {
    "/api/v1/demands/": 6,
    "/api/v1/demands/?cursor": 4,
    "/api/v1/demands/?mine=true": 6,
    "/api/v1/claims/": 6,
    "/api/v1/feeds/claims/?cursor": 1,
    "/api/v1/initial-demands/": 6,  # the linked demands for each row's progress
    "/api/v1/me/favorites/": 6,
    "/api/v1/me/points/": 6,
    "/api/v1/me/webhooks/{id}/deliveries/": 6,  # the endpoint (mine?), then the page
    "/api/v1/orgs/": 3,
    "/api/v1/league-orgs/": 3,
    "/api/v1/me/notifications/": 2,  # the token with its user, then size + 1 rows
}
# Every workspace page counts the user's unread notifications once, for the bell (+ 1).
WORKSPACE_LIST_BUDGETS = {
    # queue and archive: +1 since issue 14, the processes of the reviews escalated to the
    # reviewer's orgs (workflows.selectors._review_scope_q), for the queue and its menu count;
    # the reviewer's pages +1 for the 待确认 chip's escalated claims (workflows.todo)
    "claim:queue": 18 + 1 + 1,
    "claim:inbox": 17 + 1 + 1,
    "claim:archive": 17 + 1 + 1,
    "claim:task_list": 12 + 1,
    "claim:process_list": 14 + 1,
    "league:initial_list": 8 + 1,
    "league:demand_list": 9 + 1,
    "league:points": 10 + 1,
    "notifications:index": 9 + 1,  # the open review tasks of the page's claims; 待确认 (+1)
}
ROWS = (2, 10)  # the two page sizes (or page lengths) compared


def api_list_paths() -> set[str]:
    """Every GET of the schema that answers a page of rows (`next`, `previous` and a list)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    paths = set()
    for path, operations in schema["paths"].items():
        response = operations.get("get", {}).get("responses", {}).get("200", {})
        body = response.get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in body:
            body = components[body["$ref"].rsplit("/", 1)[1]]
        properties = body.get("properties", {})
        if {"next", "previous"} <= set(properties):
            paths.add(path)
    return paths


def workspace_list_names() -> set[str]:
    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace + (f"{p.namespace}:" if p.namespace else "")
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), namespace + (p.name or ""), p.callback

    return {
        name
        for route, name, view in walk(get_resolver().url_patterns, "", "")
        if route.startswith("workspace/")
        and issubclass(getattr(view, "view_class", object), BaseListView)
    }


def test_every_list_has_a_budget():
    budgeted = {key.split("?")[0] for key in API_LIST_BUDGETS}
    assert api_list_paths() == budgeted, "API lists without a budget (or budgets without a list)"
    assert workspace_list_names() == set(WORKSPACE_LIST_BUDGETS), "workspace lists"


def grow_demands(w, n):
    """Published demands; the operator has claimed, favourited and liked some of them."""
    for i in range(n):
        demand = f.open_demand(w.reviewer, title=f"【七彩假期】需求{i}")
        if i % 3 == 0:
            f.claim(demand, w.operator)
        if i % 2 == 0:
            demand_services.favorite_set(actor=w.operator, demand=demand, on=True)
            demand_services.like_set(actor=w.admin, demand=demand, on=True)


def grow_own_demands(w, n):
    for i in range(n):
        (f.draft_demand if i % 2 else f.open_demand)(w.reviewer)


def grow_favorites(w, n):
    for _ in range(n):
        demand_services.favorite_set(actor=w.operator, demand=f.open_demand(w.reviewer), on=True)


def grow_claims(w, n):
    """The reviewer's league's claims at every stage, each with its own process."""
    stages = ("pending", "approved", "published", "rated")
    for i in range(n):
        claim_at(f.open_demand(w.reviewer), w.operator, w.reviewer, stage=stages[i % 4])


def grow_approved(w, n):
    for _ in range(n):
        claim_at(f.open_demand(w.reviewer), w.operator, w.reviewer, stage="approved")


def grow_pending(w, n):
    demand = f.open_demand(w.reviewer)
    competitors(demand, n)


def grow_tasks(w, n):
    """A pending claim's process has two tasks: its start and its review."""
    assert n % 2 == 0
    grow_pending(w, n // 2)


def grow_assigned(w, n):
    demand = f.open_demand(w.reviewer)
    for claim in competitors(demand, n):
        task = Task.objects.get(process_id=claim.process_id, flow_task=ClaimFlow.review)
        with task.activation() as activation:
            activation.assign(w.reviewer)


def grow_initial(w, n):
    for i in range(n):
        initial = initial_demand(w.reviewer, w.league)
        if i % 2:
            demand_services.initial_demand_adopt(initial_demand=initial, actor=w.reviewer)


def grow_orgs(w, n):
    for _ in range(n):
        f.VolunteerOrgFactory(registration="endorsed", endorsed_by=w.operator.volunteer_org)


def grow_leagues(w, n):
    for _ in range(n):
        f.LeagueOrgFactory(parent=w.league, city=w.league.city)


def grow_points(side):
    def grow(w, n):
        org = {"volunteer_org": w.operator.volunteer_org, "league_org": w.league}[side]
        PointsEntry.objects.bulk_create(
            PointsEntry(**{side: org}, points=2, reason="测试") for _ in range(n)
        )

    return grow


def webhook_endpoint(w):
    """The operator's org's webhook endpoint (created once per test)."""
    org = w.operator.volunteer_org
    return org.webhook_endpoints.first() or webhook_services.endpoint_create(
        org=org, actor=w.operator, url="https://93.184.215.14/hook"
    )


def grow_deliveries(w, n):
    endpoint = webhook_endpoint(w)
    for _ in range(n):
        webhook_services.webhook_test_send(endpoint=endpoint, actor=w.operator)


def grow_notifications(w, n):
    """Claims on the reviewer's demands (each tells the reviewer), some approved (their review
    tasks closed, so their items lead to the process rather than to the task)."""
    for i in range(n):
        claim_at(
            f.open_demand(w.reviewer), w.operator, w.reviewer, stage=("pending", "approved")[i % 2]
        )
    assert Notification.objects.filter(user=w.reviewer).count() >= n


@dataclass
class ListCase:
    viewer: str  # "anonymous", "operator", "reviewer" or "admin"
    grow: object  # (world, n): add n rows the viewer sees on the list
    page_size: str | None = "page_size"  # None: a fixed page size, compared at two lengths
    query: str = ""


API_CASES = {
    "/api/v1/demands/": ListCase("operator", grow_demands),
    "/api/v1/demands/?cursor": ListCase("operator", grow_demands, query="cursor="),
    "/api/v1/demands/?mine=true": ListCase("reviewer", grow_own_demands, query="mine=true"),
    "/api/v1/claims/": ListCase("reviewer", grow_claims),
    "/api/v1/feeds/claims/?cursor": ListCase("anonymous", grow_approved, query="cursor="),
    "/api/v1/initial-demands/": ListCase("reviewer", grow_initial),
    "/api/v1/me/favorites/": ListCase("operator", grow_favorites),
    "/api/v1/me/points/": ListCase("operator", grow_points("volunteer_org")),
    "/api/v1/me/webhooks/{id}/deliveries/": ListCase("operator", grow_deliveries),
    "/api/v1/orgs/": ListCase("anonymous", grow_orgs),
    "/api/v1/league-orgs/": ListCase("anonymous", grow_leagues),
    "/api/v1/me/notifications/": ListCase("reviewer", grow_notifications, query="cursor="),
}
WORKSPACE_CASES = {
    "claim:queue": ListCase("reviewer", grow_pending, page_size=None),
    "claim:inbox": ListCase("reviewer", grow_assigned, page_size=None),
    "claim:archive": ListCase("reviewer", grow_approved, page_size=None),
    "claim:task_list": ListCase("admin", grow_tasks, page_size=None),
    "claim:process_list": ListCase("admin", grow_pending, page_size="_page_size"),
    "league:initial_list": ListCase("reviewer", grow_initial, page_size=None),
    "league:demand_list": ListCase("reviewer", grow_own_demands, page_size=None),
    "league:points": ListCase("reviewer", grow_points("league_org"), page_size=None),
    "notifications:index": ListCase("reviewer", grow_notifications, page_size=None),
}


def page_costs(case, w, get, rows) -> dict[int, int]:
    """Statements of the page at each of ROWS, checking that the page shows that many rows.

    With a page-size parameter the list has more rows than the larger page; a fixed-size page
    (25 or 20 rows) is measured with 2 rows on it, then again with 10.
    """
    costs = {}
    if case.page_size:
        case.grow(w, max(ROWS) + 2)
    shown = rows(get({}))  # also the warm-up: sessions, content types, permissions
    for size in ROWS:
        if not case.page_size:
            case.grow(w, size - shown)
        params = {case.page_size: size} if case.page_size else {}
        with CaptureQueriesContext(connection) as context:
            response = get(params)
        assert response.status_code == 200, response
        shown = rows(response)
        assert shown == size, (size, shown)
        costs[size] = len(context)
    return costs


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.mark.parametrize("key", API_LIST_BUDGETS)
def test_api_list_budget(key, w, client_for):
    case = API_CASES[key]
    path = key.split("?")[0]
    if "{id}" in path:
        path = path.replace("{id}", str(webhook_endpoint(w).pk))
    user = None if case.viewer == "anonymous" else getattr(w, case.viewer)
    client = client_for(user)

    def get(params):
        query = "&".join(filter(None, [case.query, urlencode(params)]))
        return client.get(f"{path}?{query}")

    def rows(response):
        body = response.json()
        return len(body["entries"] if "entries" in body else body["results"])

    costs = page_costs(case, w, get, rows)
    assert costs[ROWS[0]] == costs[ROWS[1]], costs
    assert costs[ROWS[0]] <= API_LIST_BUDGETS[key], costs


@pytest.mark.parametrize("name", WORKSPACE_LIST_BUDGETS)
def test_workspace_list_budget(name, w, client):
    case = WORKSPACE_CASES[name]
    client.force_login(getattr(w, case.viewer))
    url = reverse(name)

    def get(params):
        return client.get(url, params)

    def rows(response):
        return len(response.context["object_list"])

    costs = page_costs(case, w, get, rows)
    assert costs[ROWS[0]] == costs[ROWS[1]], costs
    assert costs[ROWS[0]] <= WORKSPACE_LIST_BUDGETS[name], costs
