"""Field-level validation helpers shared by the services of every app."""

from django.core.exceptions import ValidationError


def model_field_errors(instance, *, exclude=()) -> dict[str, str]:
    """Django's own field checks (required, lengths, choices, types), first message per field."""
    try:
        instance.full_clean(
            exclude=list(exclude), validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        return {field: str(messages[0]) for field, messages in exc.message_dict.items()}
    return {}
