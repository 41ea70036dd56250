"""The one place that maps errors to HTTP: JSON `{code, detail, fields?}`, never a 500 for input."""

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from viewflow.workflow.exceptions import FlowLockFailed

from orgs.errors import DomainError, InvalidInput, NotAllowed, StateConflict
from orgs.security import RateLimited

logger = logging.getLogger(__name__)

DOMAIN_STATUS = {
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    NotAllowed: status.HTTP_403_FORBIDDEN,
    StateConflict: status.HTTP_409_CONFLICT,
    RateLimited: status.HTTP_429_TOO_MANY_REQUESTS,
}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("请求内容过大")
    default_code = "request_too_large"


def error_body(code: str, detail: str, fields: dict | None = None) -> dict:
    body = {"code": code, "detail": str(detail)}
    if fields:
        body["fields"] = {name: str(message) for name, message in fields.items()}
    return body


def flatten(detail, prefix: str = "") -> dict[str, str]:
    """DRF's nested error detail as {"field": msg, "student.school": msg, "guarantees.1": msg}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            name = "non_field_errors" if key == "non_field_errors" and not prefix else key
            out |= flatten(value, f"{prefix}{name}.")
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix.rstrip("."): str(detail[0])} if detail else {}
        out = {}
        for index, item in enumerate(detail):
            out |= flatten(item, f"{prefix}{index}.")
        return out
    return {prefix.rstrip("."): str(detail)}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        for cls, http_status in DOMAIN_STATUS.items():
            if isinstance(exc, cls):
                response = Response(
                    error_body(exc.code, exc.detail, exc.fields), status=http_status
                )
                if isinstance(exc, RateLimited) and exc.wait is not None:
                    response["Retry-After"] = str(exc.wait)
                return response
    if isinstance(exc, FlowLockFailed):
        exc = StateConflict(_("流程正被他人处理，请稍后重试"), code="concurrent_change")
        return Response(error_body(exc.code, exc.detail), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        # A uniqueness rule that a concurrent request won first.
        logger.info("integrity error mapped to 409: %s", exc)
        return Response(
            error_body("concurrent_change", _("该记录已被同时修改，请刷新后重试")),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError({k: v for k, v in fields.items()})
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    if isinstance(exc, ObjectDoesNotExist | Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: let Django report it as the 500 it is
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _("输入有误，请检查标出的字段"), flatten(exc.detail))
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body("malformed_body", exc.detail)
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = "error"
        response.data = error_body(code, getattr(exc, "detail", str(exc)))
    return response
