"""Reads: a user's notifications and how many are unread."""

from django.db.models import QuerySet

from .models import Notification


def with_references(notifications: QuerySet[Notification]) -> QuerySet[Notification]:
    """Notifications with what their texts mention (titles, names), in the same query."""
    return notifications.select_related(
        "demand__league_org", "claim__org", "initial_demand__league_org"
    )


def notification_list(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first; `unread=True` only the unread ones."""
    rows = with_references(Notification.objects.filter(user=user))
    if unread:
        rows = rows.unread()
    elif unread is False:
        rows = rows.filter(read_at__isnull=False)
    return rows.order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    """The bell's number: one COUNT on the unread index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def unread_count_for_request(request) -> int:
    """The signed-in user's unread count, counted once per request (the bell and the list
    page both show it)."""
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = unread_count(user=request.user)
    return request._unread_notifications
