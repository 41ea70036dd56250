"""Form helpers every operator screen shares."""

from collections.abc import Callable

from django import forms

from .errors import DomainError


def add_domain_errors(
    form: forms.Form,
    exc: DomainError,
    *,
    aliases: dict[str, str] | None = None,
    label: Callable[[str], str] | None = None,
) -> None:
    """Show a service's refusal on the form: each named field on its field, the rest on top.

    `aliases` maps a service's field name onto the form's (the SMS service says `phone` where
    a form says `contact_mobile`). A field the form does not have is reported on top, after
    `label(field)` when given, so that the message still says which field.
    """
    aliases = aliases or {}
    if not hasattr(form, "cleaned_data"):
        form.full_clean()
    for name, message in exc.fields.items():
        field = aliases.get(name, name)
        if field in form.fields:
            form.add_error(field, message)
        else:
            form.add_error(None, f"{label(field)}：{message}" if label else message)
    if not exc.fields and exc.detail:
        form.add_error(None, exc.detail)
