"""Overdue-review reminders: an SMS to the reviewers of review tasks waiting past the limit.

Who is reminded: the reviewer holding the task (it is in their inbox), or, while nobody holds
it, every active reviewer of the demand's league org. A reviewer is reminded of a task at most
once a day (Asia/Shanghai): the `ReviewReminder` rows are written in the transaction that queues
the SMS for after its commit, one SMS per reviewer giving the number of their overdue tasks.
Reviewers without a mobile number are skipped (and not recorded, so a number added later counts).
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import ngettext

from orgs.choices import Role
from orgs.models import Membership, User
from orgs.sms import sms_queue

from .flows import ClaimFlow
from .models import ReviewReminder
from .selectors import overdue_review_tasks, review_overdue_days

logger = logging.getLogger(__name__)

SMS_PURPOSE = "review_overdue"


def review_overdue_text(*, count: int, language: str | None = None) -> str:
    """The reminder's text; accounts have no language, so the platform's (English in locale/en)."""
    days = review_overdue_days()
    with translation.override(language or settings.LANGUAGE_CODE):
        return ngettext(
            "【i志愿】您有%(count)d条认领审核已超过%(days)d天未处理，请尽快登录工作台审核。",
            "【i志愿】您有%(count)d条认领审核已超过%(days)d天未处理，请尽快登录工作台审核。",
            count,
        ) % {"count": count, "days": days}


def _recipients(tasks: list[dict]) -> dict[int, list[int]]:
    """Reviewer id → ids of the overdue tasks to remind them of."""
    unassigned_orgs = {t["league_org_id"] for t in tasks if t["owner_id"] is None}
    reviewers = defaultdict(list)
    for org_id, user_id in Membership.objects.filter(
        role=Role.LEAGUE_REVIEWER, league_org_id__in=unassigned_orgs, user__is_active=True
    ).values_list("league_org_id", "user_id"):
        reviewers[org_id].append(user_id)
    result = defaultdict(list)
    for t in tasks:
        for user_id in [t["owner_id"]] if t["owner_id"] else reviewers[t["league_org_id"]]:
            result[user_id].append(t["id"])
    return result


def review_overdue_remind(*, now: datetime.datetime | None = None) -> int:
    """Queue today's reminders of overdue reviews; returns how many SMS were queued."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    tasks = list(
        overdue_review_tasks(review=ClaimFlow.review, now=now)
        .order_by("created", "pk")
        .values("id", "owner_id", league_org_id=F("process__claim__demand__league_org"))
    )
    if not tasks:
        return 0
    done = set(
        ReviewReminder.objects.filter(day=day, task_id__in=[t["id"] for t in tasks]).values_list(
            "user_id", "task_id"
        )
    )
    overdue = _recipients(tasks)
    due = {
        user_id: [task_id for task_id in task_ids if (user_id, task_id) not in done]
        for user_id, task_ids in overdue.items()
    }
    users = User.objects.filter(pk__in=[u for u, ids in due.items() if ids], is_active=True)
    sent = 0
    for user in users.order_by("pk"):
        if not user.mobile:
            logger.info("reviewer %s has no mobile: no overdue-review reminder", user.pk)
            continue
        try:
            with transaction.atomic():
                ReviewReminder.objects.bulk_create(
                    [
                        ReviewReminder(task_id=t, user=user, day=day, sent_at=now)
                        for t in due[user.pk]
                    ]
                )
                # The count is all their overdue tasks, reminded before today or not.
                sms_queue(
                    phone=user.mobile,
                    purpose=SMS_PURPOSE,
                    text=review_overdue_text(count=len(overdue[user.pk])),
                )
        except IntegrityError:
            continue  # another run reminded them of these tasks a moment ago
        sent += 1
    if sent:
        logger.info("queued %d overdue-review reminders", sent)
    return sent
