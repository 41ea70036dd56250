"""The Celery application: settings from Django's CELERY_* settings, tasks from each app's tasks.py.

Without CELERY_BROKER_URL (the embedded default, and the tests) every task runs inline where it
is queued (`task_always_eager`), so nothing needs a broker or a worker; with it, `make worker`
runs the tasks and `make beat` queues the periodic ones.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("izhiyuan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
