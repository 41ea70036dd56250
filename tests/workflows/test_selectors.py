"""The overdue rule, one for the queue, the monitor, the exports, the dashboard and reminders:
an open review is overdue from its claim's review_due_at on."""

import datetime

from workflows.selectors import review_is_overdue

NOW = datetime.datetime(2026, 3, 9, 1, 0, tzinfo=datetime.UTC)


def test_a_review_is_overdue_from_its_due_time_on():
    assert review_is_overdue(NOW, NOW)
    assert review_is_overdue(NOW - datetime.timedelta(seconds=1), NOW)
    assert not review_is_overdue(NOW + datetime.timedelta(seconds=1), NOW)


def test_no_open_review_is_never_overdue():
    assert not review_is_overdue(None, NOW)
