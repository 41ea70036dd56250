"""Project configuration; the Celery app is loaded here so that @shared_task binds to it."""

from .celery import app as celery_app

__all__ = ("celery_app",)
