"""Domain errors raised by services; api/exception_handlers.py maps each to one HTTP status."""


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code = "domain_error"

    def __init__(self, detail: str = "", *, code: str | None = None, fields=None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.fields = fields or {}


class InvalidInput(DomainError):
    """Input breaks a rule (maps to 400); `fields` names each bad field with its message."""

    code = "invalid"


class NotAllowed(DomainError):
    """The actor has no right to do this (maps to 403)."""

    code = "permission_denied"


class StateConflict(DomainError):
    """The current state forbids the transition, or it changed concurrently (maps to 409)."""

    code = "state_conflict"
