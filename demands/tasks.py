"""Celery tasks of demands, queued by celery beat (CELERY_BEAT_SCHEDULE); each calls a service."""

from celery import shared_task

from . import services, stats


@shared_task
def demand_expire_due() -> int:
    """Expire the open demands whose period has ended (as `manage.py expire_demands`)."""
    return len(services.demand_expire_due())


@shared_task
def stats_snapshot_take() -> None:
    """Store yesterday's home-page figures, once, just after midnight (Asia/Shanghai)."""
    stats.stats_snapshot_take()
