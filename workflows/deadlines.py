"""The claim process's deadlines, as dates (docs/deadlines.md); the rules that act on them
(escalation, lapse) are services.

Every period is counted in calendar days in Asia/Shanghai (TIME_ZONE): a deadline N days after
a moment is the same wall-clock time N days later there.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A deadline is "due soon" during the day before it.
DUE_SOON = datetime.timedelta(days=1)
DUE_STATE_LABELS = {"overdue": _("已超期"), "due_soon": _("即将到期")}


def platform_days(name: str) -> int:
    return settings.PLATFORM[name]


def add_days(at: datetime.datetime, days: int) -> datetime.datetime:
    """`at` plus `days` calendar days in Asia/Shanghai (the same wall-clock time)."""
    local = timezone.localtime(at)
    return timezone.make_aware(local.replace(tzinfo=None) + datetime.timedelta(days=days))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The end of `day` in Asia/Shanghai: midnight starting the next day."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


def review_due(requested_at: datetime.datetime) -> datetime.datetime:
    """When a review is due: REVIEW_DUE_DAYS after its claim was made."""
    return add_days(requested_at, platform_days("REVIEW_DUE_DAYS"))


def escalation_at(requested_at: datetime.datetime, level: int) -> datetime.datetime:
    """When a review still open reaches escalation `level` (1: the parent org, …)."""
    return add_days(requested_at, level * platform_days("REVIEW_ESCALATE_DAYS"))


def activity_due(approved_at: datetime.datetime, demand_end: datetime.date | None):
    """When an approved claim's activity is due: CLAIM_ACTIVITY_DAYS after the approval, and
    never after the end of the demand's period."""
    due = add_days(approved_at, platform_days("CLAIM_ACTIVITY_DAYS"))
    if demand_end is not None:
        due = min(due, end_of_day(demand_end))
    return due


def lapse_warning_at(due: datetime.datetime) -> datetime.datetime:
    """When the claimer is warned that its activity is due: LAPSE_WARNING_DAYS before."""
    return add_days(due, -platform_days("LAPSE_WARNING_DAYS"))


def due_state(due: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """ "overdue" from the due time on, "due_soon" the day before it, "" otherwise."""
    if due is None:
        return ""
    now = now or timezone.now()
    if now >= due:
        return "overdue"
    if now >= due - DUE_SOON:
        return "due_soon"
    return ""


def due_mark(due: datetime.datetime | None, now: datetime.datetime | None = None) -> dict | None:
    """The mark a due time carries now, as the screens show it: {code, label}, or None."""
    state = due_state(due, now)
    return {"code": state, "label": DUE_STATE_LABELS[state]} if state else None
