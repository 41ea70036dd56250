"""The league workspace's one date and one datetime format (2026-11-29, 2026-11-29 14:05).

Django's localized DATE_FORMAT differs by language ("2026年11月29日", "Nov. 29, 2026") and the
lists, details and timelines used three of them; the workspace shows the ISO-like forms in
both languages, in Asia/Shanghai. The API keeps its ISO 8601 output.
"""

import datetime

from django import template
from django.utils import dateformat, timezone

register = template.Library()

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"


@register.filter
def league_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return dateformat.format(value, DATE_FORMAT)


@register.filter
def league_datetime(value) -> str:
    if not value:
        return ""
    if not isinstance(value, datetime.datetime):
        return league_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, DATETIME_FORMAT)
