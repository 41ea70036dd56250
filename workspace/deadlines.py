"""The claim process's deadlines on the operator's screens: the review's due time and its mark,
the reviewer's follow-up time, the escalation badge, the activity's due time and the lapse.

Reads only (the rules are workflows/deadlines.py and the services). Each list reads what it
shows here as annotations of its one query, so a page costs the same whatever its length.
"""

from django.db.models import (
    Case,
    DateTimeField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    When,
)
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import STATUS

from orgs.choices import LeagueLevel
from workflows import deadlines
from workflows.models import Claim, ClaimStatus, ReviewEscalation
from workflows.selectors import REVIEW_DUE_ORDER, review_is_overdue

# -- the review's due time ---------------------------------------------------------------------


def claim_review_overdue(claim: Claim | None, now=None) -> bool:
    """Whether the claim's review is open (pending) and past its due time."""
    return (
        claim is not None
        and claim.status == ClaimStatus.PENDING
        and review_is_overdue(claim.review_due_at, now)
    )


# -- escalation ---------------------------------------------------------------------------------


def escalated_level_subquery(prefix: str) -> Subquery:
    """The LeagueLevel code of the org the claim's review was escalated to last (the row of its
    current escalation_level), for a queryset whose claim is at `prefix` ("claim__")."""
    return Subquery(
        ReviewEscalation.objects.filter(
            claim_id=OuterRef(f"{prefix}id"), level=OuterRef(f"{prefix}escalation_level")
        ).values("league_org__level")[:1]
    )


def escalation_badge(level: int, org_level: str | None) -> str:
    """上报至市级 · 第1级; 已上报 · 第1级 when the org's tier is unknown; "" when not escalated."""
    if not level:
        return ""
    if org_level:
        return gettext("上报至%(org)s · 第%(level)d级") % {
            "org": LeagueLevel(org_level).label,
            "level": level,
        }
    return gettext("已上报 · 第%(level)d级") % {"level": level}


# -- the reviewer's lists -----------------------------------------------------------------------


def annotate_review_tasks(tasks: QuerySet) -> QuerySet:
    """Review tasks with their claim's escalated org's tier."""
    return tasks.annotate(escalated_org_level=escalated_level_subquery("process__claim__"))


# The lists' orders (?sort=…); "due" is the default: the review due soonest first.
REVIEW_SORTS = {
    "due": REVIEW_DUE_ORDER,
    "due_desc": (F("process__claim__review_due_at").desc(nulls_last=True), "-created", "-pk"),
    "oldest": ("created", "pk"),
    "newest": ("-created", "-pk"),
}
REVIEW_SORT_LABELS = {
    "due": _("截止最早优先"),
    "due_desc": _("截止最晚优先"),
    "oldest": _("最早提交优先"),
    "newest": _("最新提交优先"),
}


def task_deadline(task, claim, now) -> dict:
    """What a list row shows of a review task's deadlines."""
    due = claim.review_due_at if claim is not None else None
    open_review = task.status in (STATUS.NEW, STATUS.ASSIGNED)
    follow_up = claim.review_follow_up_at if claim else None
    return {
        "due": due,
        "mark": deadlines.due_mark(due, now) if open_review else None,
        "follow_up_at": follow_up if follow_up and follow_up > now else None,
        "escalation": escalation_badge(
            claim.escalation_level if claim else 0, getattr(task, "escalated_org_level", None)
        ),
    }


# -- the monitor --------------------------------------------------------------------------------


def monitor_due_expression() -> Case:
    """The process's running deadline: the review's while the claim is pending, the activity's
    while it is approved; none otherwise."""
    return Case(
        When(claim__status=ClaimStatus.PENDING, then=F("claim__review_due_at")),
        When(claim__status=ClaimStatus.APPROVED, then=F("claim__activity_due_at")),
        default=None,
        output_field=DateTimeField(),
    )


class NullsLast:
    """An ordering expression for Viewflow's sortable columns, with the rows that have no value
    last both ways (PostgreSQL and SQLite disagree on where NULL sorts)."""

    def __init__(self, expression):
        self.expression = expression

    def resolve_expression(self, *args, **kwargs):
        return self.expression.resolve_expression(*args, **kwargs)

    def asc(self):
        return self.expression.asc(nulls_last=True)

    def desc(self):
        return self.expression.desc(nulls_last=True)


def process_deadline(process, claim, now) -> dict:
    """What a monitor row shows: the running deadline, its kind and mark, the escalation."""
    due = getattr(process, "due_at", None)
    kind = ""
    if claim is not None and due is not None:
        kind = "review" if claim.status == ClaimStatus.PENDING else "activity"
    return {
        "due": due,
        "kind": kind,
        "mark": deadlines.due_mark(due, now),
        "escalation": escalation_badge(
            claim.escalation_level if claim else 0, getattr(process, "escalated_org_level", None)
        ),
    }
