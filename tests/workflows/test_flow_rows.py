"""The rows each transition leaves behind, as Viewflow's own code paths left them.

The services write Viewflow's tables in batches (workflows/steps.py) instead of task by task
through Viewflow's activations. These tables were recorded with Viewflow's stock code paths
before that change; the services must leave exactly the same rows: the same tasks, in the
same order, statuses, tokens, owners, links and set timestamps, the same process states, and
the same claims, demands, audit trail and points.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from demands import services as demand_services
from orgs.errors import StateConflict
from orgs.models import AuditRecord
from scoring import services as scoring_services
from scoring.models import PointsEntry
from workflows import services
from workflows.flows import ClaimFlow
from workflows.models import Claim

from .. import factories as f


def task_rows(claim) -> list[str]:
    """Each task of the claim's process in creation order: node, type, status, token (split
    tokens with the first task's id as T0), owner, permission, which timestamps are set, and
    the tasks (by position) it links back to."""
    tasks = list(Task.objects.filter(process_id=claim.process_id).order_by("pk"))
    index = {task.pk: n for n, task in enumerate(tasks)}
    rows = []
    for task in tasks:
        token = str(task.token)
        for n, other in enumerate(tasks):
            token = token.replace(f"/{other.pk}_", f"/T{n}_")
        stamps = [name for name in ("assigned", "started", "finished") if getattr(task, name)]
        permission = task.owner_permission and task.owner_permission.split(".")[1]
        rows.append(
            " ".join(
                [
                    task.flow_task.name,
                    task.flow_task_type,
                    task.status,
                    token,
                    f"owner={task.owner.username if task.owner else '-'}",
                    f"perm={permission and permission.rsplit('_', 1)[0] or '-'}",
                    ",".join(stamps) or "-",
                    f"<-{sorted(index[p.pk] for p in task.previous.all())}",
                ]
            )
        )
    return rows


def process_row(claim) -> str:
    process = Process.objects.get(pk=claim.process_id)
    finished = "finished" if process.finished else "-"
    artifact = "artifact=claim" if process.artifact_object_id == claim.pk else "artifact=?"
    return f"{process.status} {finished} {artifact}"


def world_rows() -> dict:
    claim_ct = ContentType.objects.get_for_model(Claim)
    return {
        "claims": [
            (c.org.name, c.status, c.reason, c.decided_by and c.decided_by.username)
            for c in Claim.objects.order_by("pk")
        ],
        "audit": [
            (
                "claim" if r.content_type_id == claim_ct.pk else r.content_type.model,
                r.action,
                r.from_state,
                r.to_state,
                r.actor and r.actor.username,
                r.reason,
            )
            for r in AuditRecord.objects.order_by("at", "pk")
        ],
        "points": [
            (p.points, p.volunteer_org_id is not None, p.league_org_id is not None)
            for p in PointsEntry.objects.order_by("pk")
        ],
    }


@pytest.fixture
def admin(province):
    from orgs.choices import Role
    from orgs.models import Membership

    user = f.UserFactory(username="admin")
    Membership.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, league_org=province)
    return user


def run_scenario(reviewer, operator, operator2, admin, league) -> dict:
    """Every transition of the claim process, with competing claims; the rows after each."""
    extra = [
        f.operator_of(f.VolunteerOrgFactory(name=f"队{n}"), username=f"op{n}") for n in range(3)
    ]
    colleague = f.reviewer_of(league, username="colleague")
    rows = {}

    demand = f.open_demand(reviewer)
    won = f.claim(demand, operator)
    rows["request"] = task_rows(won), process_row(won)
    competitors = [f.claim(demand, op) for op in (operator2, *extra)]
    # one competitor's review was taken from the queue, one reassigned by an administrator
    task = Task.objects.get(process_id=competitors[0].process_id, flow_task_type="HUMAN")
    with task.activation() as activation:
        activation.assign(colleague)
    services.review_task_reassign(
        claim=competitors[1], actor=admin, to_user=colleague, reason="休假"
    )
    rows["reassign"] = task_rows(competitors[1]), process_row(competitors[1])
    services.review_task_reassign(
        claim=competitors[1], actor=admin, to_user=reviewer, reason="回来"
    )
    rows["reassign_assigned"] = task_rows(competitors[1])
    services.claim_approve(claim=won, actor=reviewer)
    rows["approve"] = task_rows(won), process_row(won)
    rows["competitors"] = [(task_rows(c), process_row(c)) for c in competitors]
    services.activity_publish(claim=won, actor=operator, data=f.activity_data())
    rows["publish"] = task_rows(won), process_row(won)
    scoring_services.rating_submit(claim=won, actor=reviewer, stars=5)
    rows["rate_first"] = task_rows(won), process_row(won)
    scoring_services.rating_submit(claim=won, actor=operator, stars=3, comment="好")
    rows["rate_second"] = task_rows(won), process_row(won)

    other = f.open_demand(reviewer)
    rejected = f.claim(other, operator)
    services.claim_reject(claim=rejected, actor=reviewer, reason="资料不全")
    rows["reject"] = task_rows(rejected), process_row(rejected)
    withdrawn = f.claim(other, operator)
    services.claim_withdraw(claim=withdrawn, actor=operator, reason="人手不足")
    rows["withdraw_pending"] = task_rows(withdrawn), process_row(withdrawn)
    approved = f.claim(other, operator)
    services.claim_approve(claim=approved, actor=reviewer)
    services.claim_withdraw(claim=approved, actor=operator)
    rows["withdraw_approved"] = task_rows(approved), process_row(approved)
    cancelled = f.claim(other, operator)
    services.claim_process_cancel(claim=cancelled, actor=admin, reason="重复")
    rows["admin_cancel_pending"] = task_rows(cancelled), process_row(cancelled)
    cancelled = f.claim(other, operator)
    services.claim_approve(claim=cancelled, actor=reviewer)
    services.claim_process_cancel(claim=cancelled, actor=admin, reason="失联")
    rows["admin_cancel_approved"] = task_rows(cancelled), process_row(cancelled)
    closing = [f.claim(other, op) for op in (operator, operator2)]
    demand_services.demand_close(demand=other, actor=reviewer, reason="不需要了")
    rows["close"] = [(task_rows(c), process_row(c)) for c in closing]
    rows["world"] = world_rows()
    return rows


# Recorded with Viewflow's own activations, locks and Flow.cancel, before workflows/steps.py.
EXPECTED = {
    "admin_cancel_approved": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN DONE start owner=reviewer perm=review_league started,finished <-[0]",
            "approved EXCLUSIVE_GATEWAY DONE start owner=- perm=- finished <-[1]",
            "close_competing_claims FUNCTION DONE start owner=- perm=- started,finished <-[2]",
            "publish_activity FUNCTION CANCELED start owner=- perm=- finished <-[3]",
        ],
        "CANCELED finished artifact=claim",
    ),
    "admin_cancel_pending": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN CANCELED start owner=- perm=review_league finished <-[0]",
        ],
        "CANCELED finished artifact=claim",
    ),
    "approve": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN DONE start owner=reviewer perm=review_league started,finished <-[0]",
            "approved EXCLUSIVE_GATEWAY DONE start owner=- perm=- finished <-[1]",
            "close_competing_claims FUNCTION DONE start owner=- perm=- started,finished <-[2]",
            "publish_activity FUNCTION NEW start owner=- perm=- - <-[3]",
        ],
        "NEW - artifact=claim",
    ),
    "close": [
        (
            [
                "start START DONE start owner=- perm=- started,finished <-[]",
                "review HUMAN CANCELED start owner=- perm=review_league finished <-[0]",
            ],
            "CANCELED finished artifact=claim",
        ),
        (
            [
                "start START DONE start owner=- perm=- started,finished <-[]",
                "review HUMAN CANCELED start owner=- perm=review_league finished <-[0]",
            ],
            "CANCELED finished artifact=claim",
        ),
    ],
    "competitors": [
        (
            [
                "start START DONE start owner=- perm=- started,finished <-[]",
                "review HUMAN CANCELED start owner=colleague perm=review_league finished <-[0]",
            ],
            "CANCELED finished artifact=claim",
        ),
        (
            [
                "start START DONE start owner=- perm=- started,finished <-[]",
                "review HUMAN CANCELED start owner=reviewer perm=review_league finished <-[0]",
            ],
            "CANCELED finished artifact=claim",
        ),
        (
            [
                "start START DONE start owner=- perm=- started,finished <-[]",
                "review HUMAN CANCELED start owner=- perm=review_league finished <-[0]",
            ],
            "CANCELED finished artifact=claim",
        ),
        (
            [
                "start START DONE start owner=- perm=- started,finished <-[]",
                "review HUMAN CANCELED start owner=- perm=review_league finished <-[0]",
            ],
            "CANCELED finished artifact=claim",
        ),
    ],
    "publish": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN DONE start owner=reviewer perm=review_league started,finished <-[0]",
            "approved EXCLUSIVE_GATEWAY DONE start owner=- perm=- finished <-[1]",
            "close_competing_claims FUNCTION DONE start owner=- perm=- started,finished <-[2]",
            "publish_activity FUNCTION DONE start owner=- perm=- started,finished <-[3]",
            "split_ratings PARALLEL_GATEWAY DONE start owner=- perm=- finished <-[4]",
            "rate_by_league FUNCTION NEW start/T5_1 owner=- perm=- - <-[5]",
            "rate_by_volunteer FUNCTION NEW start/T5_2 owner=- perm=- - <-[5]",
        ],
        "NEW - artifact=claim",
    ),
    "rate_first": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN DONE start owner=reviewer perm=review_league started,finished <-[0]",
            "approved EXCLUSIVE_GATEWAY DONE start owner=- perm=- finished <-[1]",
            "close_competing_claims FUNCTION DONE start owner=- perm=- started,finished <-[2]",
            "publish_activity FUNCTION DONE start owner=- perm=- started,finished <-[3]",
            "split_ratings PARALLEL_GATEWAY DONE start owner=- perm=- finished <-[4]",
            "rate_by_league FUNCTION DONE start/T5_1 owner=- perm=- started,finished <-[5]",
            "rate_by_volunteer FUNCTION NEW start/T5_2 owner=- perm=- - <-[5]",
            "join_ratings JOIN STARTED start owner=- perm=- started <-[6]",
        ],
        "NEW - artifact=claim",
    ),
    "rate_second": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN DONE start owner=reviewer perm=review_league started,finished <-[0]",
            "approved EXCLUSIVE_GATEWAY DONE start owner=- perm=- finished <-[1]",
            "close_competing_claims FUNCTION DONE start owner=- perm=- started,finished <-[2]",
            "publish_activity FUNCTION DONE start owner=- perm=- started,finished <-[3]",
            "split_ratings PARALLEL_GATEWAY DONE start owner=- perm=- finished <-[4]",
            "rate_by_league FUNCTION DONE start/T5_1 owner=- perm=- started,finished <-[5]",
            "rate_by_volunteer FUNCTION DONE start/T5_2 owner=- perm=- started,finished <-[5]",
            "join_ratings JOIN DONE start owner=- perm=- started,finished <-[6, 7]",
            "settle_points FUNCTION DONE start owner=- perm=- started,finished <-[8]",
            "end END DONE start owner=- perm=- started,finished <-[9]",
        ],
        "DONE finished artifact=claim",
    ),
    "reassign": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN ASSIGNED start owner=colleague perm=review_league - <-[0]",
        ],
        "NEW - artifact=claim",
    ),
    "reassign_assigned": [
        "start START DONE start owner=- perm=- started,finished <-[]",
        "review HUMAN ASSIGNED start owner=reviewer perm=review_league - <-[0]",
    ],
    "reject": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN DONE start owner=reviewer perm=review_league started,finished <-[0]",
            "approved EXCLUSIVE_GATEWAY DONE start owner=- perm=- finished <-[1]",
            "end END DONE start owner=- perm=- started,finished <-[2]",
        ],
        "DONE finished artifact=claim",
    ),
    "request": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN NEW start owner=- perm=review_league - <-[0]",
        ],
        "NEW - artifact=claim",
    ),
    "withdraw_approved": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN DONE start owner=reviewer perm=review_league started,finished <-[0]",
            "approved EXCLUSIVE_GATEWAY DONE start owner=- perm=- finished <-[1]",
            "close_competing_claims FUNCTION DONE start owner=- perm=- started,finished <-[2]",
            "publish_activity FUNCTION CANCELED start owner=- perm=- finished <-[3]",
        ],
        "CANCELED finished artifact=claim",
    ),
    "withdraw_pending": (
        [
            "start START DONE start owner=- perm=- started,finished <-[]",
            "review HUMAN CANCELED start owner=- perm=review_league finished <-[0]",
        ],
        "CANCELED finished artifact=claim",
    ),
    "world": {
        "audit": [
            ("demand", "create", "", "draft", "reviewer", ""),
            ("demand", "publish", "draft", "open", "reviewer", ""),
            ("claim", "request", "", "pending", "operator", ""),
            ("claim", "request", "", "pending", "operator2", ""),
            ("claim", "request", "", "pending", "op0", ""),
            ("claim", "request", "", "pending", "op1", ""),
            ("claim", "request", "", "pending", "op2", ""),
            (
                "claim",
                "reassign",
                "pending",
                "pending",
                "admin",
                "审核任务由 （未分配） 改派给 colleague：休假",
            ),
            (
                "claim",
                "reassign",
                "pending",
                "pending",
                "admin",
                "审核任务由 colleague 改派给 reviewer：回来",
            ),
            ("claim", "approve", "pending", "approved", "reviewer", ""),
            ("demand", "claim", "open", "claimed", "reviewer", ""),
            ("claim", "reject", "pending", "rejected", None, "该需求已由其他组织认领成功"),
            ("claim", "reject", "pending", "rejected", None, "该需求已由其他组织认领成功"),
            ("claim", "reject", "pending", "rejected", None, "该需求已由其他组织认领成功"),
            ("claim", "reject", "pending", "rejected", None, "该需求已由其他组织认领成功"),
            ("claim", "publish_activity", "approved", "activity_published", "operator", ""),
            ("demand", "start_service", "claimed", "in_service", "operator", ""),
            ("claim", "rate_by_league", "activity_published", "activity_published", "reviewer", ""),
            (
                "claim",
                "rate_by_volunteer",
                "activity_published",
                "activity_published",
                "operator",
                "",
            ),
            ("claim", "complete", "activity_published", "completed", None, ""),
            ("demand", "complete", "in_service", "completed", None, ""),
            ("demand", "create", "", "draft", "reviewer", ""),
            ("demand", "publish", "draft", "open", "reviewer", ""),
            ("claim", "request", "", "pending", "operator", ""),
            ("claim", "reject", "pending", "rejected", "reviewer", "资料不全"),
            ("claim", "request", "", "pending", "operator", ""),
            ("claim", "withdraw", "pending", "withdrawn", "operator", "人手不足"),
            ("claim", "request", "", "pending", "operator", ""),
            ("claim", "approve", "pending", "approved", "reviewer", ""),
            ("demand", "claim", "open", "claimed", "reviewer", ""),
            ("claim", "withdraw", "approved", "withdrawn", "operator", ""),
            ("demand", "reopen", "claimed", "open", "operator", "认领成功的组织撤销了认领"),
            ("claim", "request", "", "pending", "operator", ""),
            ("claim", "reject", "pending", "rejected", "admin", "管理员取消：重复"),
            ("claim", "request", "", "pending", "operator", ""),
            ("claim", "approve", "pending", "approved", "reviewer", ""),
            ("demand", "claim", "open", "claimed", "reviewer", ""),
            ("claim", "withdraw", "approved", "withdrawn", "admin", "管理员取消：失联"),
            ("demand", "reopen", "claimed", "open", "admin", "管理员取消：失联"),
            ("claim", "request", "", "pending", "operator", ""),
            ("claim", "request", "", "pending", "operator2", ""),
            ("demand", "close", "open", "closed", "reviewer", "不需要了"),
            ("claim", "reject", "pending", "rejected", None, "需求已关闭"),
            ("claim", "reject", "pending", "rejected", None, "需求已关闭"),
        ],
        "claims": [
            ("深圳青年志愿服务队", "completed", "", "reviewer"),
            ("鹏城义工联", "rejected", "该需求已由其他组织认领成功", None),
            ("队0", "rejected", "该需求已由其他组织认领成功", None),
            ("队1", "rejected", "该需求已由其他组织认领成功", None),
            ("队2", "rejected", "该需求已由其他组织认领成功", None),
            ("深圳青年志愿服务队", "rejected", "资料不全", "reviewer"),
            ("深圳青年志愿服务队", "withdrawn", "人手不足", None),
            ("深圳青年志愿服务队", "withdrawn", "", "reviewer"),
            ("深圳青年志愿服务队", "rejected", "管理员取消：重复", "admin"),
            ("深圳青年志愿服务队", "withdrawn", "管理员取消：失联", "reviewer"),
            ("深圳青年志愿服务队", "rejected", "需求已关闭", None),
            ("鹏城义工联", "rejected", "需求已关闭", None),
        ],
        "points": [(10, True, False), (6, False, True)],
    },
}


def test_every_transition_leaves_the_rows_viewflow_left(
    reviewer, operator, operator2, admin, league
):
    with TestCase.captureOnCommitCallbacks(execute=True):
        rows = run_scenario(reviewer, operator, operator2, admin, league)
    assert rows == EXPECTED


def test_a_task_that_cannot_be_cancelled_stops_the_whole_cancel(
    demand, reviewer, operator, operator2
):
    """Flow.cancel refuses a process with an open task its node cannot cancel; so do the
    services, for every claim they were closing, and nothing is left half cancelled."""
    stuck, other = f.claim(demand, operator), f.claim(demand, operator2)
    review = Task.objects.filter(process_id=stuck.process_id, flow_task=ClaimFlow.review)
    review.update(status=STATUS.STARTED)  # mid-execution: a View task cancels from NEW/ASSIGNED
    before = (
        world_rows(),
        task_rows(stuck),
        process_row(stuck),
        task_rows(other),
        process_row(other),
    )

    with pytest.raises(StateConflict):
        demand_services.demand_close(demand=demand, actor=reviewer, reason="不需要了")

    after = world_rows(), task_rows(stuck), process_row(stuck), task_rows(other), process_row(other)
    assert after == before
    with pytest.raises(FlowRuntimeError):  # Viewflow's own cancel refuses it too
        ClaimFlow.instance.cancel(Process.objects.get(pk=stuck.process_id))
