"""Celery tasks of workflows, queued by celery beat (CELERY_BEAT_SCHEDULE); each calls a service."""

from celery import shared_task

from . import reminders, sweeps


@shared_task
def review_overdue_remind() -> int:
    """Remind reviewers of the review tasks past their due time (review_due_at), once a day."""
    return reminders.review_overdue_remind()


@shared_task
def deadlines_run() -> dict[str, list[int]]:
    """The deadline sweep: escalate open reviews, warn and lapse idle approved claims."""
    return sweeps.deadlines_run().as_dict()
