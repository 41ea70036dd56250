"""Field rules of an activity, reported per field (the API turns them into a 400)."""

from django.utils.translation import gettext as _

from demands.choices import Guarantee
from demands.models import code_list_error, title_prefix_error
from orgs.choices import ServiceObject
from orgs.validation import model_field_errors

from .models import Activity, Suitability


def activity_errors(activity: Activity, *, zone: str) -> dict[str, str]:
    errors = model_field_errors(activity, exclude=("claim", "published_by"))
    if "title" not in errors:
        message = title_prefix_error(zone, activity.title)
        if message:
            errors["title"] = message
    for field, allowed in (
        ("suitability", Suitability.values),
        ("service_objects", ServiceObject.values),
        ("guarantees", Guarantee.values),
    ):
        message = code_list_error(getattr(activity, field), allowed)
        if message and field not in errors:
            errors[field] = message
    start, end, recruit = activity.start_at, activity.end_at, activity.recruit_start_at
    if not errors.keys() & {"start_at", "end_at"} and end <= start:
        errors["end_at"] = _("结束时间须晚于开始时间")
    if not errors.keys() & {"start_at", "recruit_start_at"} and recruit > start:
        errors["recruit_start_at"] = _("招募开始时间不能晚于活动开始时间")
    return errors
