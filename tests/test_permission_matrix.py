"""The permission matrix: every API operation and every operator view, as every role.

Roles (columns): anonymous, an individual (no membership), a volunteer org operator, a league
reviewer and a provincial administrator. Each acting user belongs to side A of a small world
that has two of everything (league orgs A and B, volunteer orgs A and B, their demands, claims,
processes, tasks and initial demands). A cell written `(own, other)` is asserted on side A's
object and on side B's; a single value holds for both (or for an endpoint without an object).

The API table must name every operation of the OpenAPI schema and the workspace table every
URL under /workspace/: a new endpoint or view without a row fails
`test_every_api_operation_has_a_row` / `test_every_workspace_view_has_a_row`.

Each cell runs in a savepoint that is rolled back, so every cell sees the same world; a cell
that is refused (401/403/404/405, or the login redirect) must leave the database exactly as
it was (claims, demands, processes, tasks, ratings, points, audit trail, …).
"""

import datetime
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import time_machine
from django.apps import apps
from django.db import connection, transaction
from django.test import Client, TestCase, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from viewflow.workflow.models import Task

from demands import services as demand_services
from notifications.models import Notification
from orgs.choices import LeagueLevel, Role
from orgs.models import Membership
from orgs.sms import sms_code_issue
from scoring import services as scoring_services
from webhooks import services as webhook_services
from workflows import services as claim_services
from workflows.flows import ClaimFlow

from . import factories as f

# -- the vocabulary of the tables ---------------------------------------------------------------

ANON, INDIVIDUAL, OPERATOR, REVIEWER, ADMIN = (
    "anonymous",
    "individual",
    "operator",
    "reviewer",
    "admin",
)
ROLES = (ANON, INDIVIDUAL, OPERATOR, REVIEWER, ADMIN)
OWN, OTHER = "a", "b"  # the acting users are side A's

# Workspace outcomes besides plain status codes.
LOGIN = "302→login"  # sent to /accounts/login/?next=…
REDIRECT = "302"  # a redirect elsewhere than the login page (a success, or an index page)
REFUSED = {401, 403, 404, 405, LOGIN}

# Object kinds a row may target; each exists once per side.
DRAFT = "draft"  # a draft demand of the side's league org
OPEN = "open"  # an open demand without claims
PENDING = "pending"  # a pending claim of the side's volunteer org on its league org's demand
APPROVED = "approved"  # an approved claim (process waits for the activity)
PUBLISHED = "published"  # activity published (process waits for both ratings)
COMPLETED = "completed"  # both rated, points settled (the process passed every node)
LAPSED = "lapsed"  # approved, then lapsed: no activity by its due time (the `lapsed` end)
INITIAL = "initial"  # a pending initial demand from the side's individual to its league org
VORG = "vorg"  # the side's volunteer org (directory)
WEBHOOK = "webhook"  # a webhook endpoint of the side's volunteer org, with a failed delivery
NOTE = "note"  # a notification of the side's reviewer (of a claim on its league org's demand)


CSV, XLSX = "csv", "xlsx"  # the exports' formats, in the target column
OBJECT_KINDS = {
    DRAFT,
    OPEN,
    PENDING,
    APPROVED,
    PUBLISHED,
    COMPLETED,
    LAPSED,
    INITIAL,
    VORG,
    WEBHOOK,
    NOTE,
}

# The variants of a bulk task action's POST (the last column; none: the target's review task,
# confirmed). A preview is the confirmation page, which lists the selected tasks' claims.
PREVIEW = "preview"  # the target's review task, not confirmed
SELECT_ALL = "select_all"  # every task of the list, confirmed
SELECT_ALL_PREVIEW = "select_all preview"  # every task of the list, not confirmed


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # API: the schema's path; workspace: the URL name
    target: str | None  # an object kind (asserted on side A's and side B's), or an export format
    expected: dict  # role -> outcome, or role -> (outcome on own, outcome on other)
    variant: str | None = None  # a bulk action's body (PREVIEW, SELECT_ALL, …)

    @property
    def key(self):
        return (self.method, self.path)

    @property
    def has_object(self) -> bool:
        return self.target in OBJECT_KINDS

    def id(self):
        return " ".join(filter(None, (self.method, self.path, self.target, self.variant)))


def _row(method, path, target, outcomes, variant=None) -> Row:
    return Row(method, path, target, dict(zip(ROLES, outcomes, strict=True)), variant)


def api(method, path, target, anon, individual, operator, reviewer, admin) -> Row:
    return _row(method, V1 + path, target, (anon, individual, operator, reviewer, admin))


def view(method, name, target, anon, individual, operator, reviewer, admin, variant=None) -> Row:
    return _row(method, name, target, (anon, individual, operator, reviewer, admin), variant)


V1 = "/api/v1"


# -- the API (/api/v1/) ------------------------------------------------------------------------
# Status codes as designed (DESIGN.md, docs/api.md, docs/decisions.md). POST rows send a body
# that succeeds for a party, so a party's cell is the exact success code; a 409 is a documented
# state conflict that only a party reaches (it may see the object, the state forbids the step).

# fmt: off
API_ROWS = (
    #    method    path                                target      anon  individual  operator    reviewer    admin
    api("POST",   "/auth/token/",                      None,       200,  200,        200,        200,        200),
    # Session login, sign-up and password recovery authenticate nobody: a token sent along is
    # ignored, so every caller is an anonymous one there (the mobile site's forms).
    api("POST",   "/auth/session/",                    None,       200,  200,        200,        200,        200),
    api("POST",   "/auth/register/",                   None,       201,  201,        201,        201,        201),
    api("POST",   "/auth/logout/",                     None,       401,  204,        204,        204,        204),
    api("POST",   "/auth/password/",                   None,       401,  200,        200,        200,        200),
    api("POST",   "/auth/password/reset/",             None,       200,  200,        200,        200,        200),
    api("POST",   "/sms/codes/",                       None,       202,  202,        202,        202,        202),
    api("GET",    "/me/",                              None,       401,  200,        200,        200,        200),
    # An administrator's membership is the province's admin role, not an org's account: no org
    # profile and no points of their own (the safer reading of "org user").
    api("GET",    "/me/org/",                          None,       401,  403,        200,        200,        403),
    api("PUT",    "/me/org/",                          None,       401,  403,        200,        200,        403),
    api("PATCH",  "/me/org/",                          None,       401,  403,        200,        200,        403),
    api("GET",    "/me/points/",                       None,       401,  403,        200,        200,        403),
    api("GET",    "/me/favorites/",                    None,       401,  200,        200,        200,        200),
    # 我的通知: everyone's own; another user's notification answers like a missing one.
    api("GET",    "/me/notifications/",                None,       401,  200,        200,        200,        200),
    api("POST",   "/me/notifications/{id}/read/",      NOTE,       401,  404,        404,        (200, 404), 404),
    api("POST",   "/me/notifications/read-all/",       None,       401,  200,        200,        200,        200),
    # Webhooks (docs/webhooks.md): a volunteer org's operators manage their own org's; another
    # org's endpoint is a 404 to them, as if it were not.
    api("GET",    "/me/webhooks/",                     None,       401,  403,        200,        403,        403),
    api("POST",   "/me/webhooks/",                     None,       401,  403,        201,        403,        403),
    api("GET",    "/me/webhooks/{id}/",                WEBHOOK,    401,  403,        (200, 404), 403,        403),
    api("PATCH",  "/me/webhooks/{id}/",                WEBHOOK,    401,  403,        (200, 404), 403,        403),
    api("DELETE", "/me/webhooks/{id}/",                WEBHOOK,    401,  403,        (204, 404), 403,        403),
    api("POST",   "/me/webhooks/{id}/rotate-secret/",  WEBHOOK,    401,  403,        (200, 404), 403,        403),
    api("POST",   "/me/webhooks/{id}/test/",           WEBHOOK,    401,  403,        (202, 404), 403,        403),
    api("GET",    "/me/webhooks/{id}/deliveries/",     WEBHOOK,    401,  403,        (200, 404), 403,        403),
    api("POST",   "/me/webhooks/{id}/deliveries/{delivery_id}/redeliver/",
                                                       WEBHOOK,    401,  403,        (202, 404), 403,        403),
    api("GET",    "/stats/",                           None,       200,  200,        200,        200,        200),
    api("GET",    "/feeds/claims/",                    None,       200,  200,        200,        200,        200),
    api("GET",    "/orgs/",                            None,       200,  200,        200,        200,        200),
    api("GET",    "/orgs/{id}/",                       VORG,       200,  200,        200,        200,        200),
    api("GET",    "/league-orgs/",                     None,       200,  200,        200,        200,        200),
    # Demands: a published one is public; a draft exists for its own league org only (404).
    api("GET",    "/demands/",                         None,       200,  200,        200,        200,        200),
    api("POST",   "/demands/",                         None,       401,  403,        403,        201,        403),
    api("GET",    "/demands/{id}/",                    OPEN,       200,  200,        200,        200,        200),
    api("GET",    "/demands/{id}/",                    DRAFT,      404,  404,        404,        (200, 404), 404),
    api("PATCH",  "/demands/{id}/",                    DRAFT,      401,  403,        403,        (200, 404), 403),
    # Another org's open demand is public, so editing it is a 403 (not the owner), not a 404;
    # the owner's own published demand is a 409 (only drafts are edited).
    api("PATCH",  "/demands/{id}/",                    OPEN,       401,  403,        403,        (409, 403), 403),
    api("POST",   "/demands/{id}/publish/",            DRAFT,      401,  403,        403,        (200, 404), 403),
    api("POST",   "/demands/{id}/close/",              OPEN,       401,  403,        403,        (200, 403), 403),
    api("POST",   "/demands/{id}/close/",              DRAFT,      401,  403,        403,        (200, 404), 403),
    api("POST",   "/demands/{id}/claims/",             OPEN,       401,  403,        201,        403,        403),
    api("POST",   "/demands/{id}/claims/",             DRAFT,      401,  403,        404,        403,        403),
    # Favorites, likes and reports: any signed-in user on a published demand; a draft is a 404
    # to everyone but its own org, which gets the documented 409 (drafts cannot be marked).
    api("POST",   "/demands/{id}/favorite/",           OPEN,       401,  200,        200,        200,        200),
    api("POST",   "/demands/{id}/favorite/",           DRAFT,      401,  404,        404,        (409, 404), 404),
    api("DELETE", "/demands/{id}/favorite/",           OPEN,       401,  200,        200,        200,        200),
    api("DELETE", "/demands/{id}/favorite/",           DRAFT,      401,  404,        404,        (409, 404), 404),
    api("POST",   "/demands/{id}/like/",               OPEN,       401,  200,        200,        200,        200),
    api("POST",   "/demands/{id}/like/",               DRAFT,      401,  404,        404,        (409, 404), 404),
    api("DELETE", "/demands/{id}/like/",               OPEN,       401,  200,        200,        200,        200),
    api("DELETE", "/demands/{id}/like/",               DRAFT,      401,  404,        404,        (409, 404), 404),
    api("POST",   "/demands/{id}/reports/",            OPEN,       401,  201,        201,        201,        201),
    api("POST",   "/demands/{id}/reports/",            DRAFT,      401,  404,        404,        (409, 404), 404),
    # Claims: the parties only (the claiming org, the demand's league org); a non-party gets the
    # 404 of a missing claim. Administrators read every claim (they monitor) and take no step.
    api("GET",    "/claims/",                          None,       401,  403,        200,        200,        200),
    api("GET",    "/claims/{id}/",                     PENDING,    401,  404,        (200, 404), (200, 404), 200),
    api("POST",   "/claims/{id}/approve/",             PENDING,    401,  403,        403,        (200, 404), 403),
    api("POST",   "/claims/{id}/reject/",              PENDING,    401,  403,        403,        (200, 404), 403),
    api("POST",   "/claims/{id}/withdraw/",            PENDING,    401,  403,        (200, 404), 403,        403),
    api("POST",   "/claims/{id}/activity/",            APPROVED,   401,  403,        (201, 404), 403,        403),
    api("POST",   "/claims/{id}/rating/",              PUBLISHED,  401,  403,        (201, 404), (201, 404), 403),
    # A lapsed claim (认领失效) is history: its parties see it, every step is a 409.
    api("GET",    "/claims/{id}/",                     LAPSED,     401,  404,        (200, 404), (200, 404), 200),
    api("POST",   "/claims/{id}/approve/",             LAPSED,     401,  403,        403,        (409, 404), 403),
    api("POST",   "/claims/{id}/reject/",              LAPSED,     401,  403,        403,        (409, 404), 403),
    api("POST",   "/claims/{id}/withdraw/",            LAPSED,     401,  403,        (409, 404), 403,        403),
    api("POST",   "/claims/{id}/activity/",            LAPSED,     401,  403,        (409, 404), 403,        403),
    api("POST",   "/claims/{id}/rating/",              LAPSED,     401,  403,        (409, 404), (409, 404), 403),
    # Initial demands: any signed-in user may ask for help; only the two parties (the submitter,
    # the addressed league org) see one; only the league org decides (403 to the submitter).
    api("GET",    "/initial-demands/",                 None,       401,  200,        200,        200,        200),
    api("POST",   "/initial-demands/",                 None,       401,  201,        201,        201,        201),
    api("GET",    "/initial-demands/{id}/",            INITIAL,    401,  (200, 404), 404,        (200, 404), 404),
    api("POST",   "/initial-demands/{id}/adopt/",      INITIAL,    401,  (403, 404), 404,        (200, 404), 404),
    api("POST",   "/initial-demands/{id}/decline/",    INITIAL,    401,  (403, 404), 404,        (200, 404), 404),
)
# fmt: on

# -- the operator UI (/workspace/) -------------------------------------------------------------
# Anonymous visitors are sent to log in everywhere; volunteer-org operators and individuals get
# 403 (docs/decisions.md, "Operator UI"). Rows name URLs; a task's row targets the task of that
# node in the target claim's process. REDIRECT on a POST is the success of a form.

# fmt: off
WS_ROWS = (
    #     method  URL name                               target     anon   individual  operator  reviewer          admin
    # Index pages only redirect. The Site's leads anyone signed in to its first app (no data;
    # the claim app then refuses those without a role in it); the claim app's sends a reviewer
    # to the queue and an administrator to the monitor dashboard.
    view("GET",  "index",                                None,      LOGIN, REDIRECT,   REDIRECT, REDIRECT,         REDIRECT),
    view("GET",  "claim:index",                          None,      LOGIN, 403,        403,      REDIRECT,         REDIRECT),
    # Viewflow's kanban, the monitor's dashboard, exports and actions: administrators only.
    view("GET",  "claim:dashboard",                      None,      LOGIN, 403,        403,      403,              200),
    view("GET",  "claim:monitor_dashboard",              None,      LOGIN, 403,        403,      403,              200),
    view("GET",  "claim:monitor_export_processes",       CSV,       LOGIN, 403,        403,      403,              200),
    view("GET",  "claim:monitor_export_processes",       XLSX,      LOGIN, 403,        403,      403,              200),
    view("GET",  "claim:monitor_export_demands",         CSV,       LOGIN, 403,        403,      403,              200),
    view("GET",  "claim:monitor_export_demands",         XLSX,      LOGIN, 403,        403,      403,              200),
    view("GET",  "claim:process_cancel",                 PENDING,   LOGIN, 403,        403,      403,              200),
    view("POST", "claim:process_cancel",                 PENDING,   LOGIN, 403,        403,      403,              REDIRECT),
    view("GET",  "claim:process_reassign",               PENDING,   LOGIN, 403,        403,      403,              200),
    view("POST", "claim:process_reassign",               PENDING,   LOGIN, 403,        403,      403,              REDIRECT),
    # Lists, scoped to the reviewer's league org (test_lists_show_only_own_rows). An
    # administrator's queue, inbox and archive are empty: they hold no review permission.
    view("GET",  "claim:process_list",                   None,      LOGIN, 403,        403,      200,              200),
    view("GET",  "claim:task_list",                      None,      LOGIN, 403,        403,      200,              200),
    view("GET",  "claim:queue",                          None,      LOGIN, 403,        403,      200,              200),
    view("GET",  "claim:inbox",                          None,      LOGIN, 403,        403,      200,              200),
    view("GET",  "claim:archive",                        None,      LOGIN, 403,        403,      200,              200),
    view("GET",  "claim:chart",                          None,      LOGIN, 403,        403,      200,              200),
    # One process: its league org's reviewers and administrators.
    view("GET",  "claim:process_detail",                 PENDING,   LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:process_chart",                  PENDING,   LOGIN, 403,        403,      (200, 403),       200),
    # Bulk task actions: a reviewer takes (and puts back) their own org's review tasks only;
    # administrators act through the monitor's services, never Viewflow's raw task actions.
    # Another org's task is a 403 whether confirmed or not (the preview would list its claim);
    # select_all is the reviewer's own list (tests/workflows/test_bulk_actions.py). A GET, or
    # a selection of nothing, goes back to the list.
    view("POST", "claim:tasks_assign",                   PENDING,   LOGIN, 403,        403,      (REDIRECT, 403),  403),
    view("POST", "claim:tasks_assign",                   PENDING,   LOGIN, 403,        403,      (200, 403),       403, PREVIEW),
    view("POST", "claim:tasks_assign",                   None,      LOGIN, 403,        403,      REDIRECT,         403, SELECT_ALL),
    view("POST", "claim:tasks_assign",                   None,      LOGIN, 403,        403,      200,              403, SELECT_ALL_PREVIEW),
    view("GET",  "claim:tasks_assign",                   None,      LOGIN, 403,        403,      REDIRECT,         403),
    view("POST", "claim:tasks_unassign",                 PENDING,   LOGIN, 403,        403,      (REDIRECT, 403),  403),
    view("POST", "claim:tasks_unassign",                 PENDING,   LOGIN, 403,        403,      (200, 403),       403, PREVIEW),
    view("POST", "claim:tasks_unassign",                 None,      LOGIN, 403,        403,      REDIRECT,         403, SELECT_ALL),
    view("POST", "claim:tasks_unassign",                 None,      LOGIN, 403,        403,      200,              403, SELECT_ALL_PREVIEW),
    view("GET",  "claim:tasks_unassign",                 None,      LOGIN, 403,        403,      REDIRECT,         403),
    # The review (a human task). index sends the org's reviewer to assign (the task is in the
    # queue) and an administrator to the detail; another org's reviewer is refused there.
    view("GET",  "claim:review:index",                   PENDING,   LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:review:detail",                  PENDING,   LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:review:assign",                  PENDING,   LOGIN, 403,        403,      (200, 403),       403),
    view("POST", "claim:review:assign",                  PENDING,   LOGIN, 403,        403,      (REDIRECT, 403),  403),
    # unassign and execute start from the review assigned to a reviewer of its own org.
    view("GET",  "claim:review:unassign",                PENDING,   LOGIN, 403,        403,      (200, 403),       403),
    view("POST", "claim:review:unassign",                PENDING,   LOGIN, 403,        403,      (REDIRECT, 403),  403),
    view("GET",  "claim:review:execute",                 PENDING,   LOGIN, 403,        403,      (200, 403),       403),
    view("POST", "claim:review:execute",                 PENDING,   LOGIN, 403,        403,      (REDIRECT, 403),  403),
    # The other nodes' tasks (automatic steps, the API's steps): pages to read, in a process
    # that went through every node.
    view("GET",  "claim:start:index",                    COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:start:detail",                   COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:approved:index",                 COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:approved:detail",                COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:close_competing_claims:index",   COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:close_competing_claims:detail",  COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:publish_activity:index",         COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:publish_activity:detail",        COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:activity_published:index",       COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:activity_published:detail",      COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:lapsed:index",                   LAPSED,    LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:lapsed:detail",                  LAPSED,    LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:split_ratings:index",            COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:split_ratings:detail",           COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:rate_by_league:index",           COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:rate_by_league:detail",          COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:rate_by_volunteer:index",        COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:rate_by_volunteer:detail",       COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:join_ratings:index",             COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:join_ratings:detail",            COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:settle_points:index",            COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:settle_points:detail",           COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    view("GET",  "claim:end:index",                      COMPLETED, LOGIN, 403,        403,      (REDIRECT, 403),  REDIRECT),
    view("GET",  "claim:end:detail",                     COMPLETED, LOGIN, 403,        403,      (200, 403),       200),
    # The league workspace: league reviewers only, administrators among the 403s (decisions.md:
    # it acts in an org's name and shows minors' records); another org's row is a 404.
    view("GET",  "league:index",                         None,      LOGIN, 403,        403,      REDIRECT,         403),
    view("GET",  "league:initial_list",                  None,      LOGIN, 403,        403,      200,              403),
    view("GET",  "league:initial_detail",                INITIAL,   LOGIN, 403,        403,      (200, 404),       403),
    view("POST", "league:initial_adopt",                 INITIAL,   LOGIN, 403,        403,      (REDIRECT, 404),  403),
    view("GET",  "league:initial_adopt",                 INITIAL,   LOGIN, 403,        403,      (405, 404),       403),
    view("POST", "league:initial_decline",               INITIAL,   LOGIN, 403,        403,      (REDIRECT, 404),  403),
    view("GET",  "league:initial_decline",               INITIAL,   LOGIN, 403,        403,      (405, 404),       403),
    view("GET",  "league:demand_list",                   None,      LOGIN, 403,        403,      200,              403),
    view("GET",  "league:demand_add",                    None,      LOGIN, 403,        403,      200,              403),
    view("POST", "league:demand_add",                    None,      LOGIN, 403,        403,      REDIRECT,         403),
    view("GET",  "league:demand_detail",                 OPEN,      LOGIN, 403,        403,      (200, 404),       403),
    view("GET",  "league:demand_detail",                 DRAFT,     LOGIN, 403,        403,      (200, 404),       403),
    view("GET",  "league:demand_edit",                   DRAFT,     LOGIN, 403,        403,      (200, 404),       403),
    view("POST", "league:demand_edit",                   DRAFT,     LOGIN, 403,        403,      (REDIRECT, 404),  403),
    view("GET",  "league:demand_contact",                DRAFT,     LOGIN, 403,        403,      (200, 404),       403),
    view("POST", "league:demand_contact",                DRAFT,     LOGIN, 403,        403,      (REDIRECT, 404),  403),
    view("POST", "league:demand_send_code",              DRAFT,     LOGIN, 403,        403,      (200, 404),       403),
    view("GET",  "league:demand_send_code",              DRAFT,     LOGIN, 403,        403,      (405, 404),       403),
    view("GET",  "league:demand_close",                  OPEN,      LOGIN, 403,        403,      (200, 404),       403),
    view("POST", "league:demand_close",                  OPEN,      LOGIN, 403,        403,      (REDIRECT, 404),  403),
    view("GET",  "league:points",                        None,      LOGIN, 403,        403,      200,              403),
    view("GET",  "league:ratings",                       None,      LOGIN, 403,        403,      200,              403),
    view("POST", "league:rating_submit",                 PUBLISHED, LOGIN, 403,        403,      (REDIRECT, 404),  403),
    # 通知 (the bell): every signed-in user's own list; another user's item is a 404.
    view("GET",  "notifications:index",                  None,      LOGIN, 200,        200,      200,              200),
    view("POST", "notifications:read",                   NOTE,      LOGIN, 404,        404,      (REDIRECT, 404),  404),
    view("POST", "notifications:read_all",               None,      LOGIN, REDIRECT,   REDIRECT, REDIRECT,         REDIRECT),
)
# fmt: on


# -- the world -----------------------------------------------------------------------------------

MOBILE = "18500000000"
REGISTER_MOBILE = "13900000001"  # nobody's: POST /auth/register/ signs it up
RESET_MOBILE = "13900000002"  # side B's individual's: POST /auth/password/reset/


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> side A's acting user (None: anonymous)
    side_users: dict = field(default_factory=dict)  # (role, side) -> user
    objects: dict = field(default_factory=dict)  # (kind, side) -> object
    leagues: dict = field(default_factory=dict)
    colleagues: dict = field(default_factory=dict)  # side -> a second reviewer of its league
    initial_sms_code: str = ""
    register_sms_code: str = ""
    reset_sms_code: str = ""

    def obj(self, kind, side):
        return self.objects[(kind, side)]


def _claim_at(kind, reviewer, operator):
    demand = f.open_demand(reviewer)
    claim = f.claim(demand, operator)
    if kind in (APPROVED, PUBLISHED, COMPLETED, LAPSED):
        claim = claim_services.claim_approve(claim=claim, actor=reviewer)
    if kind == LAPSED:
        with time_machine.travel(claim.activity_due_at, tick=False):
            assert claim_services.claim_lapse(claim=claim)
    if kind in (PUBLISHED, COMPLETED):
        claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    if kind == COMPLETED:
        scoring_services.rating_submit(claim=claim, actor=reviewer, stars=5)
        scoring_services.rating_submit(claim=claim, actor=operator, stars=4)
    claim.refresh_from_db()
    return claim


def build_world(sms_outbox) -> World:
    w = World()
    province = f.LeagueOrgFactory(
        code="GD", name="共青团广东省委员会", level=LeagueLevel.PROVINCE, city=None
    )
    admin = f.UserFactory(username="admin")
    Membership.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, league_org=province)
    cities = {OWN: "深圳市", OTHER: "广州市"}
    for side in (OWN, OTHER):
        league = f.LeagueOrgFactory(parent=province, city=f.city(cities[side]))
        vorg = f.VolunteerOrgFactory()
        reviewer = f.reviewer_of(league, username=f"reviewer_{side}")
        operator = f.operator_of(vorg, username=f"operator_{side}")
        individual = f.UserFactory(username=f"individual_{side}")
        w.leagues[side] = league
        w.colleagues[side] = f.reviewer_of(league, username=f"colleague_{side}")
        w.side_users.update(
            {(REVIEWER, side): reviewer, (OPERATOR, side): operator, (INDIVIDUAL, side): individual}
        )
        w.objects[(VORG, side)] = vorg
        w.objects[(DRAFT, side)] = f.draft_demand(reviewer)
        w.objects[(OPEN, side)] = f.open_demand(reviewer)
        for kind in (PENDING, APPROVED, PUBLISHED, COMPLETED, LAPSED):
            w.objects[(kind, side)] = _claim_at(kind, reviewer, operator)
        endpoint = webhook_services.endpoint_create(
            org=vorg, actor=operator, url=f"http://127.0.0.1:9/{side}"
        )
        webhook_services.webhook_test_send(endpoint=endpoint, actor=operator)
        endpoint.deliveries.update(status="failed")  # finished: it may be sent again
        w.objects[(WEBHOOK, side)] = endpoint
        w.objects[(NOTE, side)] = Notification.objects.filter(user=reviewer).order_by("-pk").first()
        w.objects[(INITIAL, side)] = demand_services.initial_demand_submit(
            actor=individual,
            league_org=league,
            kind="ordinary",
            data={"title": "老人需要陪伴", "contact_name": "赵雷", "contact_mobile": MOBILE},
            verify_mobile=False,
        )
    w.users = {
        ANON: None,
        INDIVIDUAL: w.side_users[(INDIVIDUAL, OWN)],
        OPERATOR: w.side_users[(OPERATOR, OWN)],
        REVIEWER: w.side_users[(REVIEWER, OWN)],
        ADMIN: admin,
    }
    individual_b = w.side_users[(INDIVIDUAL, OTHER)]
    individual_b.mobile = RESET_MOBILE
    individual_b.save(update_fields=["mobile"])
    # Codes for POST /initial-demands/, /auth/register/ and /auth/password/reset/: every cell
    # rolls back, so one code of each serves them all.
    for attr, phone, purpose in (
        ("initial_sms_code", MOBILE, "initial_demand_contact"),
        ("register_sms_code", REGISTER_MOBILE, "register"),
        ("reset_sms_code", RESET_MOBILE, "password_reset"),
    ):
        with TestCase.captureOnCommitCallbacks(execute=True):
            sms_code_issue(phone=phone, purpose=purpose)
        setattr(w, attr, json.loads(sms_outbox.read_text().splitlines()[-1])["code"])
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module, in a transaction rolled back at its end.

    Each test's own transaction (the `db` fixture) nests in it as a savepoint, and each cell
    in that as another, so every cell starts from this same world.
    """
    outbox = tmp_path_factory.mktemp("sms") / "outbox.jsonl"
    with django_db_blocker.unblock(), override_settings(SMS_OUTBOX_PATH=outbox):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world(outbox)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def node_task(claim, node_name) -> Task:
    return (
        Task.objects.filter(process_id=claim.process_id, flow_task=getattr(ClaimFlow, node_name))
        .order_by("pk")
        .first()
    )


# -- the state that a refused call must not change -------------------------------------------------

SNAPSHOT_APPS = ("orgs", "demands", "workflows", "scoring", "webhooks", "notifications", "api")


def _snapshot_queries() -> list[tuple[str, str]]:
    models = [m for label in SNAPSHOT_APPS for m in apps.get_app_config(label).get_models()]
    models += [Task, apps.get_model("viewflow", "Process")]
    quote = connection.ops.quote_name
    return [
        (
            model._meta.label,
            f"SELECT * FROM {quote(model._meta.db_table)} ORDER BY {quote(model._meta.pk.column)}",
        )
        for model in models
    ]


def snapshot() -> dict:
    state = {}
    with connection.cursor() as cursor:
        for label, sql in _snapshot_queries():
            cursor.execute(sql)
            state[label] = cursor.fetchall()
    return state


def changed_tables(before, after) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


# -- requests ------------------------------------------------------------------------------------


def api_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def web_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_body(r: Row, w: World, user):
    """A body with which the row's operation succeeds for a party."""
    today = timezone.localdate()
    bodies = {
        ("POST", f"{V1}/auth/token/"): lambda: {"username": "admin", "password": f.PASSWORD},
        ("POST", f"{V1}/auth/session/"): lambda: {"username": "admin", "password": f.PASSWORD},
        ("POST", f"{V1}/auth/register/"): lambda: {
            "mobile": REGISTER_MOBILE,
            "sms_code": w.register_sms_code,
            "password": "Another-pass-456",
        },
        ("POST", f"{V1}/auth/password/reset/"): lambda: {
            "mobile": RESET_MOBILE,
            "sms_code": w.reset_sms_code,
            "new_password": "Another-pass-456",
        },
        ("POST", f"{V1}/auth/password/"): lambda: {
            "old_password": f.PASSWORD,
            "new_password": "Another-pass-456",
        },
        ("POST", f"{V1}/sms/codes/"): lambda: {"phone": "13700000000", "purpose": "demand_contact"},
        ("PUT", f"{V1}/me/org/"): lambda: (
            {
                "name": "深圳青年志愿服务队",
                "city": "深圳市",
                "service_areas": ["care_for_minors"],
                "service_objects": ["teenagers"],
                "volunteer_count": 30,
                "contact_name": "王队长",
                "contact_mobile": "13800138000",
                "intro": "长期开展关爱未成年人志愿服务。",
            }
            if user is not None and user.volunteer_org is not None
            else {"contact_name": "李雷", "contact_landline": "0755-88889999", "intro": "团市委"}
        ),
        ("PATCH", f"{V1}/me/org/"): lambda: {"intro": "新的简介"},
        ("POST", f"{V1}/me/webhooks/"): lambda: {"url": "https://93.184.215.14/hook"},
        ("PATCH", f"{V1}/me/webhooks/{{id}}/"): lambda: {"description": "调度系统"},
        ("POST", f"{V1}/demands/"): lambda: {
            "zone": "colorful_holiday",
            "title": "【七彩假期】新的需求",
            "content": "陪伴儿童",
            "start_date": str(today),
            "end_date": str(today + datetime.timedelta(days=10)),
        },
        ("PATCH", f"{V1}/demands/{{id}}/"): lambda: {"content": "改过的内容"},
        ("POST", f"{V1}/demands/{{id}}/close/"): lambda: {"reason": "不再需要"},
        ("POST", f"{V1}/demands/{{id}}/reports/"): lambda: {"reason": "信息不实"},
        ("POST", f"{V1}/claims/{{id}}/reject/"): lambda: {"reason": "人数不够"},
        ("POST", f"{V1}/claims/{{id}}/withdraw/"): lambda: {"reason": "临时有事"},
        ("POST", f"{V1}/claims/{{id}}/activity/"): f.activity_data,
        ("POST", f"{V1}/claims/{{id}}/rating/"): lambda: {"stars": 5, "comment": "很好"},
        ("POST", f"{V1}/initial-demands/"): lambda: {
            "kind": "ordinary",
            "league_org": w.leagues[OWN].pk,
            "title": "老人需要陪伴",
            "contact_name": "赵雷",
            "contact_mobile": MOBILE,
            "sms_code": w.initial_sms_code,
        },
    }
    make = bodies.get(r.key)
    return make() if make else None


def api_url(r: Row, w: World, side) -> str:
    if not r.has_object:
        return r.path
    url = r.path.replace("{id}", str(w.obj(r.target, side).pk))
    if "{delivery_id}" in url:  # the endpoint's (failed) delivery
        delivery = w.obj(r.target, side).deliveries.get()
        url = url.replace("{delivery_id}", str(delivery.pk))
    return url


def ws_url(r: Row, w: World, side) -> str:
    name, target = r.path, r.target
    if target in (CSV, XLSX):
        return reverse(name, kwargs={"fmt": target})
    if target is None:
        return reverse(name)
    obj = w.obj(target, side)
    if name.startswith(("league:", "notifications:")):
        return reverse(name, kwargs={"pk": obj.pk})
    if name in ("claim:tasks_assign", "claim:tasks_unassign"):
        return reverse(name)
    parts = name.split(":")
    if len(parts) == 3:  # claim:<node>:<view>
        task = node_task(obj, parts[1])
        return reverse(name, kwargs={"process_pk": obj.process_id, "task_pk": task.pk})
    return reverse(name, kwargs={"process_pk": obj.process_id})


def ws_prepare(r: Row, w: World, side) -> None:
    """Bring the target to the state the row's action starts from (inside the cell)."""
    if r.path in ("claim:review:unassign", "claim:review:execute", "claim:tasks_unassign"):
        task = f.review_task(w.obj(PENDING, side))
        with task.activation() as activation:
            activation.assign(w.side_users[(REVIEWER, side)])


def ws_body(r: Row, w: World, side) -> dict:
    if r.method != "POST":
        return {}
    target = w.obj(r.target, side) if r.has_object else None
    today = timezone.localdate()
    bodies = {
        "claim:process_cancel": lambda: {"reason": "重复认领"},
        "claim:process_reassign": lambda: {"to_user": w.colleagues[side].pk, "reason": "休假"},
        "claim:tasks_assign": lambda: bulk_body(r, target),
        "claim:tasks_unassign": lambda: bulk_body(r, target),
        "claim:review:assign": lambda: {},
        "claim:review:unassign": lambda: {},
        "claim:review:execute": lambda: {"decision": "approve"},
        "league:initial_adopt": lambda: {"adopt-reason": "可以安排"},
        "league:initial_decline": lambda: {"decline-reason": "不在服务范围"},
        "league:demand_add": lambda: {
            "zone": "colorful_holiday",
            "title": "【七彩假期】工作台发布",
            "content": "陪伴儿童",
            "start_date": str(today),
            "end_date": str(today + datetime.timedelta(days=10)),
            "action": "draft",
        },
        "league:demand_edit": lambda: {
            "zone": target.zone,
            "title": target.title,
            "content": "改过的内容",
            "action": "draft",
        },
        "league:demand_contact": lambda: {
            "city": target.city_id,
            "district": target.district,
            "contact_name": target.contact_name,
            "contact_landline": target.contact_landline,
            "contact_mobile": target.contact_mobile,
            "service_content": "陪伴",
            "action": "draft",
        },
        "league:demand_send_code": lambda: {"contact_mobile": "13600000000"},
        "league:demand_close": lambda: {"reason": "不再需要"},
        "league:rating_submit": lambda: {f"{target.pk}-stars": "5"},
        "notifications:read": dict,
        "notifications:read_all": dict,
    }
    return bodies[r.path]()


def bulk_body(r: Row, target) -> dict:
    """A bulk task action's body: the target's review task, or select_all; confirmed or not."""
    if r.variant in (SELECT_ALL, SELECT_ALL_PREVIEW):
        body = {"select_all": "1"}
    else:
        body = {"pk": [f.review_task(target).pk]}
    if r.variant not in (PREVIEW, SELECT_ALL_PREVIEW):
        body["_confirm"] = "1"
    return body


def outcome_of(response):
    if response.status_code == 302:
        location = urlsplit(response["Location"]).path
        return LOGIN if location == "/accounts/login/" else REDIRECT
    return response.status_code


def run_cell(call, expected, prepare=None, read_only=False) -> str | None:
    """Run one request in a savepoint that is rolled back; a mismatch as text, else None.

    A refused call, and a `read_only` one (a bulk action's preview), must change nothing.
    """
    with transaction.atomic():
        if prepare is not None:
            prepare()
        before = snapshot() if expected in REFUSED or read_only else None
        response = call()
        problem = None
        if outcome_of(response) != expected:
            body = getattr(response, "content", b"")[:200]
            problem = f"expected {expected}, got {outcome_of(response)} {body!r}"
        elif before is not None:
            changed = changed_tables(before, snapshot())
            if changed:
                problem = f"answered {outcome_of(response)} but changed {changed}"
        transaction.set_rollback(True)
    return problem


def cells(r: Row):
    """(role, side, expected) of a row: both sides when the row has an object."""
    for role in ROLES:
        value = r.expected[role]
        own, other = value if isinstance(value, tuple) else (value, value)
        yield role, OWN, own
        if r.has_object:
            yield role, OTHER, other


# -- coverage --------------------------------------------------------------------------------------


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    methods = {"get", "post", "put", "patch", "delete"}
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in methods
    }


def workspace_url_names() -> set[str]:
    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace + (f"{p.namespace}:" if p.namespace else "")
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), namespace + (p.name or "")

    return {
        name
        for route, name in walk(get_resolver().url_patterns, "", "")
        if route.startswith("workspace/")
    }


def test_every_api_operation_has_a_row():
    rows = {r.key for r in API_ROWS}
    operations = schema_operations()
    assert operations - rows == set(), "API operations without a row in the permission matrix"
    assert rows - operations == set(), "rows for operations that are not in the schema"


def test_every_workspace_view_has_a_row():
    rows = {r.path for r in WS_ROWS}
    names = workspace_url_names()
    assert names - rows == set(), "workspace views without a row in the permission matrix"
    assert rows - names == set(), "rows for views that are not under /workspace/"


def test_the_tables_name_every_role_once():
    for r in (*API_ROWS, *WS_ROWS):
        assert set(r.expected) == set(ROLES), r.id()
        for value in r.expected.values():
            if isinstance(value, tuple):
                assert r.has_object, f"{r.id()}: own/other needs an object"


# -- the matrix ------------------------------------------------------------------------------------


@pytest.mark.parametrize("r", API_ROWS, ids=Row.id)
def test_api(world, db, r):
    clients = {role: api_client(user) for role, user in world.users.items()}
    problems = []
    for role, side, expected in cells(r):
        user = world.users[role]
        client = clients[role]
        body = api_body(r, world, user)

        def call(client=client, side=side, body=body):
            return getattr(client, r.method.lower())(api_url(r, world, side), body, format="json")

        problem = run_cell(call, expected)
        if problem:
            problems.append(f"{role} on {'own' if side == OWN else 'other'}: {problem}")
    assert problems == [], f"{r.id()}\n" + "\n".join(problems)


@pytest.mark.parametrize("r", WS_ROWS, ids=Row.id)
def test_workspace(world, db, r):
    clients = {role: web_client(user) for role, user in world.users.items()}
    problems = []
    for role, side, expected in cells(r):
        client = clients[role]

        def call(client=client, side=side):
            url = ws_url(r, world, side)
            if r.method == "GET":
                return client.get(url)
            return client.post(url, ws_body(r, world, side))

        problem = run_cell(
            call,
            expected,
            prepare=lambda side=side: ws_prepare(r, world, side),
            read_only=r.variant in (PREVIEW, SELECT_ALL_PREVIEW),
        )
        if problem:
            problems.append(f"{role} on {'own' if side == OWN else 'other'}: {problem}")
    assert problems == [], f"{r.id()}\n" + "\n".join(problems)


# -- beyond the status codes -----------------------------------------------------------------------


def test_a_refused_cell_would_notice_a_change(world, db):
    """The state check of the matrix sees what a call could change (here: an approval)."""
    before = snapshot()
    with transaction.atomic():
        claim_services.claim_approve(claim=world.obj(PENDING, OWN), actor=world.users[REVIEWER])
        assert {"workflows.Claim", "demands.Demand", "viewflow.Task", "orgs.AuditRecord"} <= set(
            changed_tables(before, snapshot())
        )
        transaction.set_rollback(True)
    assert changed_tables(before, snapshot()) == []


def _task_urls(claim):
    """(url, method) of every task page Viewflow offers for the claim's process."""
    for task in Task.objects.filter(process_id=claim.process_id).order_by("pk"):
        for view, methods in (
            ("index", ("GET",)),
            ("detail", ("GET",)),
            ("assign", ("GET", "POST")),
            ("unassign", ("GET", "POST")),
            ("execute", ("GET", "POST")),
        ):
            try:
                url = task.flow_task.reverse(view, args=[claim.process_id, task.pk])
            except NoReverseMatch:
                continue
            for method in methods:
                yield url, method


def test_viewflow_pages_refuse_another_orgs_processes_by_guessed_id(world, db):
    """Every process and task page of league org B, opened by a reviewer of league org A."""
    client = web_client(world.users[REVIEWER])
    before = snapshot()
    seen = 0
    for kind in (PENDING, APPROVED, PUBLISHED, COMPLETED, LAPSED):
        claim = world.obj(kind, OTHER)
        for name in ("claim:process_detail", "claim:process_chart"):
            url = reverse(name, kwargs={"process_pk": claim.process_id})
            assert client.get(url).status_code == 403, url
        for url, method in _task_urls(claim):
            data = {"decision": "approve"} if url.endswith("/execute/") else {}
            response = client.get(url) if method == "GET" else client.post(url, data)
            assert response.status_code in (403, 404), (method, url, response.status_code)
            seen += 1
        # A process of org A's own in the URL does not open org B's task either.
        own = world.obj(kind, OWN)
        task = Task.objects.filter(process_id=claim.process_id).order_by("pk").last()
        url = task.flow_task.reverse("detail", args=[own.process_id, task.pk])
        assert client.get(url).status_code in (403, 404), url
    assert seen >= 30  # every node of a completed process, the review's actions too
    assert changed_tables(before, snapshot()) == []

    # Ids that exist nowhere answer like any missing page, for the administrator too.
    missing_process = ClaimFlow.process_class.objects.order_by("-pk").first().pk + 1000
    missing_task = Task.objects.order_by("-pk").first().pk + 1000
    own = world.obj(PENDING, OWN)
    for user in (world.users[REVIEWER], world.users[ADMIN]):
        client = web_client(user)
        for url in (
            reverse("claim:process_detail", kwargs={"process_pk": missing_process}),
            reverse("claim:process_chart", kwargs={"process_pk": missing_process}),
            ClaimFlow.review.reverse("index", args=[own.process_id, missing_task]),
            ClaimFlow.review.reverse("detail", args=[own.process_id, missing_task]),
            ClaimFlow.review.reverse("execute", args=[own.process_id, missing_task]),
        ):
            assert client.get(url).status_code == 404, url


def _listed(response) -> set[int]:
    assert response.status_code == 200
    return {obj.pk for obj in response.context["object_list"]}


def _api_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def test_lists_show_only_own_rows(world, db):
    """A reviewer's and an operator's lists hold side A's rows and none of side B's."""
    w = world
    claims = {
        side: {w.obj(k, side).pk for k in (PENDING, APPROVED, PUBLISHED, COMPLETED, LAPSED)}
        for side in (OWN, OTHER)
    }
    processes = {
        side: {w.obj(k, side).process_id for k in (PENDING, APPROVED, PUBLISHED, COMPLETED, LAPSED)}
        for side in (OWN, OTHER)
    }
    reviewer = web_client(w.users[REVIEWER])

    assert _listed(reviewer.get("/workspace/claim/flows/?status=")) <= processes[OWN]
    assert w.obj(PENDING, OWN).process_id in _listed(reviewer.get("/workspace/claim/flows/"))
    tasks = reviewer.get("/workspace/claim/tasks/").context["object_list"]
    assert tasks and {task.process_id for task in tasks} <= processes[OWN]
    queue = {task.pk for task in reviewer.get("/workspace/claim/queue/").context["object_list"]}
    assert queue == {f.review_task(w.obj(PENDING, OWN)).pk}
    archive = reviewer.get("/workspace/claim/archive/").context["object_list"]
    assert archive and {task.process_id for task in archive} <= processes[OWN]

    assert _listed(reviewer.get("/workspace/league/initial/")) == {w.obj(INITIAL, OWN).pk}
    own_demands = set(w.obj(DRAFT, OWN).league_org.demands.values_list("pk", flat=True))
    listed = _listed(reviewer.get("/workspace/league/demands/"))
    assert w.obj(DRAFT, OWN).pk in listed and listed <= own_demands
    points = reviewer.get("/workspace/league/points/").context["object_list"]
    assert points and {entry.league_org_id for entry in points} == {w.leagues[OWN].pk}

    api = {role: api_client(user) for role, user in w.users.items()}
    assert _api_ids(api[REVIEWER].get(f"{V1}/claims/")) == claims[OWN]
    assert _api_ids(api[OPERATOR].get(f"{V1}/claims/")) == claims[OWN]
    assert _api_ids(api[ADMIN].get(f"{V1}/claims/")) == claims[OWN] | claims[OTHER]
    assert _api_ids(api[REVIEWER].get(f"{V1}/initial-demands/")) == {w.obj(INITIAL, OWN).pk}
    assert _api_ids(api[INDIVIDUAL].get(f"{V1}/initial-demands/")) == {w.obj(INITIAL, OWN).pk}
    assert _api_ids(api[OPERATOR].get(f"{V1}/initial-demands/")) == set()
    assert _api_ids(api[ADMIN].get(f"{V1}/initial-demands/")) == set()
    assert _api_ids(api[REVIEWER].get(f"{V1}/demands/?mine=true")) == own_demands
    public = _api_ids(api[ANON].get(f"{V1}/demands/?page_size=100"))
    assert w.obj(DRAFT, OWN).pk not in public and w.obj(DRAFT, OTHER).pk not in public
    for role in (ANON, INDIVIDUAL, OPERATOR, ADMIN):
        assert _api_ids(api[role].get(f"{V1}/demands/?mine=true")) == set(), role

    own_notes = set(
        Notification.objects.filter(user=w.users[REVIEWER]).values_list("pk", flat=True)
    )
    assert own_notes and w.obj(NOTE, OWN).pk in own_notes
    assert _api_ids(api[REVIEWER].get(f"{V1}/me/notifications/?page_size=100")) == own_notes
    listed = reviewer.get("/workspace/notifications/").context["object_list"]
    assert {n.pk for n in listed} <= own_notes and listed
    for role in (INDIVIDUAL, OPERATOR, ADMIN):
        user = w.users[role]
        mine = set(Notification.objects.filter(user=user).values_list("pk", flat=True))
        assert _api_ids(api[role].get(f"{V1}/me/notifications/?page_size=100")) == mine, role


# -- escalated reviews -----------------------------------------------------------------------------


def test_the_reviewer_a_review_was_escalated_to_may_decide_it_and_no_other(world, db):
    """A reviewer of the province (side A's league org's parent): a pending claim of A's,
    escalated to the province, is theirs to decide too; one not escalated is not even seen."""
    province = world.leagues[OWN].parent
    escalated_to = f.reviewer_of(province, username="reviewer_province")
    reviewer, operator = world.side_users[(REVIEWER, OWN)], world.side_users[(OPERATOR, OWN)]
    demand = f.open_demand(reviewer)
    escalated = f.claim(demand, operator)
    with time_machine.travel(
        escalated.created_at + datetime.timedelta(days=7, minutes=1), tick=False
    ):
        assert [o.pk for o in claim_services.claim_escalate(claim=escalated)] == [province.pk]
    not_escalated = world.obj(PENDING, OWN)
    client = api_client(escalated_to)
    assert client.post(f"{V1}/claims/{not_escalated.pk}/approve/").status_code == 404
    assert client.get(f"{V1}/claims/{escalated.pk}/").status_code == 200
    assert client.post(f"{V1}/claims/{escalated.pk}/approve/").status_code == 200
