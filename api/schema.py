"""OpenAPI: our authentication classes (drf-spectacular extensions) and a postprocessing hook."""

from drf_spectacular.authentication import SessionScheme, TokenScheme

from .idempotency import HEADER, KEY_MAX_LENGTH, IdempotentMixin
from .serializers.common import (
    ERROR_DESCRIPTIONS,
    PAGE_NOT_FOUND,
    PASSWORD_CHANGE_REQUIRED,
    TOKEN_REFUSED,
)


class GatedTokenScheme(TokenScheme):
    target_class = "api.authentication.TokenAuthentication"


class GatedSessionScheme(SessionScheme):
    target_class = "api.authentication.SessionAuthentication"


IDEMPOTENCY_KEY = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": KEY_MAX_LENGTH},
    "description": (
        "Logged-in callers only. A retry with the same key and body within 24 h gets the first "
        "answer again (Idempotent-Replayed: true; mobiles masked, student left out), 409 while "
        "the first still runs, 422 with another body; a 5xx or 429 frees the key."
    ),
}


def _view_classes(generator) -> dict:
    """(path, method) → view class, as the schema names the paths."""
    classes = {}
    for path, _regex, method, callback in generator.endpoints or []:
        view = generator.create_view(callback, method)
        classes[(generator.coerce_path(path, method, view), method.lower())] = type(view)
    return classes


def document_common_errors(result, generator, request, public):
    """The errors that DRF's machinery, not a view, answers: documented on every operation.

    - 404 on every paginated list: the paginator refuses a page below 1 or beyond the last.
    - 415 on every operation with a request body: the parsers refuse a Content-Type they do
      not read (text/plain, …).
    - 401 on every operation that takes a token: a wrong or expired one is refused even where
      no token is needed (the authentication runs before the permissions).
    - 403 on the same operations, but those whose view has `allow_initial_password`: an
      account that still has its initial password is refused (api/authentication.py).
    - On every POST of a view with IdempotentMixin, the `Idempotency-Key` header and its
      errors: 400 (too long, or sent anonymously), 409 `idempotency_in_flight`, 422 (reused).

    Here rather than in each view's `errors(...)`, where a new list or action could forget them.
    """
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    views = _view_classes(generator)
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            responses = operation["responses"]

            def document(status, description, responses=responses):
                responses.setdefault(str(status), {"content": error, "description": description})

            parameters = operation.get("parameters", [])
            if any(p["in"] == "query" and p["name"] == "page" for p in parameters):
                document(404, str(PAGE_NOT_FOUND))
            if "requestBody" in operation:
                document(415, str(ERROR_DESCRIPTIONS[415]))
            view = views.get((path, method))
            if method == "post" and view is not None and issubclass(view, IdempotentMixin):
                operation["parameters"] = [*parameters, IDEMPOTENCY_KEY]
                for status in (400, 409, 422):
                    document(status, str(ERROR_DESCRIPTIONS[status]))
            if any("tokenAuth" in requirement for requirement in operation.get("security", [])):
                document(401, str(TOKEN_REFUSED))
                if not getattr(view, "allow_initial_password", False):
                    document(403, str(PASSWORD_CHANGE_REQUIRED))
            operation["responses"] = dict(sorted(responses.items()))
    return result
