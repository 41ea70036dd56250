"""Celery tasks of workflows, queued by celery beat (CELERY_BEAT_SCHEDULE); each calls a service."""

from celery import shared_task

from . import reminders


@shared_task
def review_overdue_remind() -> int:
    """Remind reviewers of the review tasks waiting past REVIEW_OVERDUE_DAYS, once a day."""
    return reminders.review_overdue_remind()
