"""Every answer under /api/ is JSON, whatever DEBUG is.

DRF's views answer their own errors through `api.exception_handlers`, but render them as HTML
for a browser (the browsable API) or when content negotiation fails. What Django answers
around them — no URL matched (with DEBUG on, its technical 404 page), a CSRF failure, a server
error — is an HTML or text page too. This middleware turns every such error answer into JSON
of the same status: DRF's error body where there is one, else the body its status describes;
headers such as `Retry-After` and `WWW-Authenticate` are kept.
"""

from django.http import JsonResponse
from rest_framework import exceptions

from .exception_handlers import RequestTooLarge, error_body

PREFIX = "/api/"


# DRF's own exceptions give the code and the (translated) message of each status.
STATUS_ERRORS = {
    exc.status_code: exc
    for exc in (
        exceptions.ParseError,
        exceptions.NotAuthenticated,
        exceptions.PermissionDenied,
        exceptions.NotFound,
        exceptions.NotAcceptable,
        exceptions.Throttled,
        RequestTooLarge,
    )
}


def status_error(status_code: int, method: str) -> tuple[str, str]:
    """The code and message of an error answer that only its status describes."""
    if status_code == 405:
        return "method_not_allowed", str(exceptions.MethodNotAllowed(method).detail)
    exc = STATUS_ERRORS.get(status_code, exceptions.APIException)
    return exc.default_code, str(exc.default_detail)


class ApiJsonErrorsMiddleware:
    KEPT_HEADERS = ("Retry-After", "WWW-Authenticate", "Allow", "Vary")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path_info.startswith(PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return self.as_json(request, response)
        return response

    def as_json(self, request, response):
        data = getattr(response, "data", None)  # a DRF answer rendered for a browser
        if isinstance(data, dict) and "code" in data:
            data = error_body(data["code"], data.get("detail", ""), data.get("fields"))
        else:
            data = error_body(*status_error(response.status_code, request.method))
        json = JsonResponse(
            data, status=response.status_code, json_dumps_params={"ensure_ascii": False}
        )
        for header in self.KEPT_HEADERS:
            if header in response:
                json[header] = response[header]
        for name, cookie in response.cookies.items():
            json.cookies[name] = cookie
        return json
