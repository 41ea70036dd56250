"""The overdue rule, one for the queue, the monitor, the exports, the dashboard and reminders."""

import datetime

from workflows.selectors import review_is_overdue, review_overdue_cutoff

NOW = datetime.datetime(2026, 3, 9, 1, 0, tzinfo=datetime.UTC)


def test_a_review_is_overdue_past_the_days_of_the_setting(settings):
    settings.PLATFORM = {**settings.PLATFORM, "REVIEW_DUE_DAYS": 3}
    assert review_overdue_cutoff(NOW) == NOW - datetime.timedelta(days=3)
    assert review_is_overdue(NOW - datetime.timedelta(days=3, seconds=1), NOW)
    assert not review_is_overdue(NOW - datetime.timedelta(days=3), NOW)
    settings.PLATFORM = {**settings.PLATFORM, "REVIEW_DUE_DAYS": 5}
    assert not review_is_overdue(NOW - datetime.timedelta(days=4), NOW)


def test_no_open_review_is_never_overdue():
    assert not review_is_overdue(None, NOW)
