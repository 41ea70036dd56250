"""Field-level validation helpers shared by the services of every app.

User text (titles, names, descriptions, reasons, comments) may not hold Unicode bidirectional
controls or zero-width characters: a right-to-left override shows a title in another order
than it is stored ("visual spoofing"), and zero-width characters make two names that look the
same differ. They are refused, not silently removed, so that what is stored is what was typed.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import InvalidInput

# ALM; zero-width space, non-joiner, joiner, LRM, RLM; embeddings and overrides LRE RLE PDF LRO
# RLO; word joiner and invisible operators; isolates LRI RLI FSI PDI; byte-order mark.
INVISIBLE_CONTROLS = re.compile(
    "[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
INVISIBLE_MESSAGE = gettext_lazy("不能包含不可见的控制字符（如文字方向控制符、零宽字符）")

REASON_MAX = 200


def has_invisible_controls(value) -> bool:
    return isinstance(value, str) and INVISIBLE_CONTROLS.search(value) is not None


def clean_text(
    value, *, field: str, max_length: int, required: bool = False, required_message=None
) -> str:
    """Free text as a service stores it: stripped, within `max_length`, no invisible controls."""
    value = (value or "").strip()
    if required and not value:
        message = required_message or _("请填写此项")
        raise InvalidInput(message, fields={field: message})
    if len(value) > max_length:
        raise InvalidInput(_("内容过长"), fields={field: _("不能超过%(n)d字") % {"n": max_length}})
    if has_invisible_controls(value):
        raise InvalidInput(INVISIBLE_MESSAGE, fields={field: INVISIBLE_MESSAGE})
    return value


def clean_reason(reason, *, required: bool, required_message=None, max_length=REASON_MAX) -> str:
    """The one rule for a reason (退回, 关闭, 举报, 取消 …): stripped, ≤ 200, plain text."""
    return clean_text(
        reason,
        field="reason",
        max_length=max_length,
        required=required,
        required_message=required_message or _("请填写原因"),
    )


class PlainTextModel(models.Model):
    """A model whose text fields refuse invisible controls in `full_clean` (services, forms and
    the admin all validate through it)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if exclude and field.name in exclude or field.name in errors:
                continue
            if isinstance(field, models.CharField | models.TextField) and has_invisible_controls(
                getattr(self, field.attname)
            ):
                errors[field.name] = [INVISIBLE_MESSAGE]
        if errors:
            raise ValidationError(errors)


def model_field_errors(instance, *, exclude=()) -> dict[str, str]:
    """Django's own field checks (required, lengths, choices, types), first message per field."""
    try:
        instance.full_clean(
            exclude=list(exclude), validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        return {field: str(messages[0]) for field, messages in exc.message_dict.items()}
    return {}
