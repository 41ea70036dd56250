"""SMS sending as a Celery task: inline after commit without a broker, and by a real worker.

The real-worker test (marker `redis`) needs a Redis server at 127.0.0.1:6379 and skips, saying
so, when none answers. It uses Redis database 13, which nothing else of the project uses.
"""

import threading
import time
from unittest import mock

import kombu.pools
import pytest
import redis
from celery import signals
from celery.contrib.testing.worker import start_worker

from config.celery import app
from orgs import tasks
from orgs.models import SmsCode
from orgs.sms import CODE_TTL, sms_code_check, sms_code_issue

PHONE = "18826480174"
PURPOSE = "demand_contact"
REDIS_URL = "redis://127.0.0.1:6379/13"


def test_the_code_is_sent_by_the_task_once_the_transaction_commits(
    db, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        sms_code_issue(phone=PHONE, purpose=PURPOSE)
    assert outbox() == [] and len(callbacks) == 1  # queued for the commit, not sent
    callbacks[0]()
    [line] = outbox()
    assert (line["phone"], line["purpose"]) == (PHONE, PURPOSE)
    assert sms_code_check(phone=PHONE, purpose=PURPOSE, code=line["code"])


def test_a_queued_code_expires_with_the_code(db, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.sms_send, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            sms_code_issue(phone=PHONE, purpose=PURPOSE)
    [call] = apply_async.call_args_list
    assert call.kwargs["expires"] == CODE_TTL.total_seconds()  # a worker drops it after that
    assert call.kwargs["kwargs"]["phone"] == PHONE and len(call.kwargs["kwargs"]["code"]) == 6


def test_a_notice_is_sent_as_text(outbox):
    tasks.sms_send.delay(phone=PHONE, purpose="review_overdue", text="请尽快审核").get()
    [line] = outbox()
    assert line["text"] == "请尽快审核" and "code" not in line


# -- a real worker ------------------------------------------------------------------------------


def forget_broker_connections():
    """Drop the app's broker connection pools, as Celery does after a fork.

    The pools are made on first use for the broker of that moment: even eager tasks make one
    (without connecting), so they would keep pointing at the default broker, not at Redis.
    """
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@pytest.fixture
def redis_broker():
    """Celery pointed at Redis, not eager, for one test; the inline default again afterwards."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answers at {REDIS_URL} ({exc}); start one to run this test")
    saved = {name: app.conf[name] for name in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    forget_broker_connections()
    try:
        app.control.purge()  # messages an interrupted run may have left
        yield REDIS_URL
    finally:
        app.conf.update(saved)
        forget_broker_connections()


@pytest.mark.redis
def test_a_real_worker_sends_the_code_that_sms_code_issue_queued(
    transactional_db, outbox, redis_broker
):
    # Celery's Django fix-up closes the database connections when a worker starts: that would
    # end the `db` fixture's test transaction, so this test commits for real.
    ran = []

    def record(sender=None, task=None, **kwargs):
        ran.append((sender.name, task.request.is_eager, threading.current_thread()))

    signals.task_prerun.connect(record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            sms_code_issue(phone=PHONE, purpose=PURPOSE)  # commits; the send goes to Redis
            deadline = time.monotonic() + 30
            while not outbox() and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        signals.task_prerun.disconnect(record)

    [(name, eager, thread)] = ran
    assert name == "orgs.tasks.sms_send" and eager is False
    assert thread is not threading.main_thread()  # the worker's, not this test's
    [line] = outbox()
    assert line["phone"] == PHONE
    assert sms_code_check(phone=PHONE, purpose=PURPOSE, code=line["code"]) == SmsCode.objects.get()
