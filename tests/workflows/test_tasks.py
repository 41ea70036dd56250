"""Overdue-review reminders: which reviewers get an SMS, once a day per task, run as a task."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from workflows import tasks
from workflows.models import ReviewReminder
from workflows.reminders import review_overdue_text

from .. import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9AM = datetime.datetime(2026, 3, 9, 9, 0, tzinfo=SHANGHAI)


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run the periodic task at a moment, with the SMS it queues after commit sent."""

    def run(moment=MONDAY_9AM):
        with at(moment), django_capture_on_commit_callbacks(execute=True):
            return tasks.review_overdue_remind.delay().get()

    return run


@pytest.fixture
def reviewer(league):
    return f.reviewer_of(league, username="reviewer", mobile="13900000001")


@pytest.fixture
def colleague(league):
    return f.reviewer_of(league, username="colleague", mobile="13900000002")


def claimed_at(moment, reviewer, operator):
    with at(moment):
        return f.claim(f.open_demand(reviewer), operator)


def test_the_org_reviewers_of_an_overdue_review_get_one_sms_a_day(
    remind, outbox, reviewer, colleague, operator, other_reviewer
):
    claimed_at(MONDAY_9AM - datetime.timedelta(days=4), reviewer, operator)
    claimed_at(MONDAY_9AM - datetime.timedelta(days=3, minutes=1), reviewer, operator)
    claimed_at(MONDAY_9AM - datetime.timedelta(days=2, hours=1), reviewer, operator)  # not yet
    other_reviewer.mobile = "13900000003"
    other_reviewer.save()

    assert remind() == 2
    messages = outbox()
    assert {m["phone"] for m in messages} == {"13900000001", "13900000002"}  # not another org's
    assert messages[0]["purpose"] == "review_overdue"
    assert messages[0]["text"] == "【i志愿】您有2条认领审核已超过3天未处理，请尽快登录工作台审核。"
    assert ReviewReminder.objects.filter(day=MONDAY_9AM.date()).count() == 4

    # a second run the same day (beat restarted, or run by hand) reminds nobody again
    assert remind(MONDAY_9AM + datetime.timedelta(hours=5)) == 0
    assert len(outbox()) == 2
    # the next day they are reminded again, of all three now
    assert remind(MONDAY_9AM + datetime.timedelta(days=1)) == 2
    assert outbox()[-1]["text"].startswith("【i志愿】您有3条")


def test_a_task_in_a_reviewers_inbox_reminds_only_them(
    remind, outbox, reviewer, colleague, operator
):
    claim = claimed_at(MONDAY_9AM - datetime.timedelta(days=5), reviewer, operator)
    with f.review_task(claim).activation() as activation:
        activation.assign(colleague)
    assert remind() == 1
    assert [m["phone"] for m in outbox()] == ["13900000002"]


def test_a_task_that_became_overdue_later_the_same_day_is_reminded(
    remind, outbox, reviewer, operator
):
    claimed_at(MONDAY_9AM - datetime.timedelta(days=4), reviewer, operator)
    assert remind() == 1
    claimed_at(
        MONDAY_9AM - datetime.timedelta(days=3) + datetime.timedelta(hours=2), reviewer, operator
    )
    assert remind(MONDAY_9AM + datetime.timedelta(hours=3)) == 1
    assert outbox()[-1]["text"].startswith("【i志愿】您有2条")


def test_reviewers_without_a_mobile_or_inactive_are_skipped(remind, outbox, league, operator):
    no_mobile = f.reviewer_of(league, username="no_mobile")
    f.reviewer_of(league, username="gone", mobile="13900000009", is_active=False)
    claimed_at(MONDAY_9AM - datetime.timedelta(days=4), no_mobile, operator)
    assert remind() == 0
    assert outbox() == [] and not ReviewReminder.objects.exists()


def test_decided_reviews_are_not_overdue(remind, outbox, reviewer, operator):
    from workflows import services

    claim = claimed_at(MONDAY_9AM - datetime.timedelta(days=4), reviewer, operator)
    services.claim_approve(claim=claim, actor=reviewer)
    assert remind() == 0 and outbox() == []


def test_the_reminder_in_chinese_whatever_the_active_language_and_in_english():
    with translation.override("en"):
        assert review_overdue_text(count=1).startswith("【i志愿】您有1条认领审核")
    assert review_overdue_text(count=1, language="en") == (
        "[i志愿] You have 1 claim review waiting more than 3 days. "
        "Please log in to the workspace and review it."
    )
    assert review_overdue_text(count=2, language="en").startswith(
        "[i志愿] You have 2 claim reviews"
    )
