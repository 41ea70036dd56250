"""The operator UI's bell: the signed-in user's unread count (one COUNT per page)."""

from django import template

from ..selectors import unread_count_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return unread_count_for_request(request)
