"""Pages for the API's lists: numbered pages, and keyset (cursor) pages that stay fast deep down.

Numbered pages (`?page=`) need an OFFSET, which the database walks row by row: page 4,000 of
the demand list reads 80,000 rows to skip them. Two things keep that affordable:

- a numbered page first selects only the primary keys of its rows (an index-only walk),
  then loads those rows with everything the list shows; the annotations (counts, holder) are
  computed for the page's rows only, not for every row skipped;
- keyset pages (`?cursor=`) do not skip at all: the cursor holds the last row's ordering key,
  and the next page is `WHERE (key, id) < (last key, last id)`, one index range read at any
  depth. Feeds are keyset-only; the demand list offers both (see docs/api.md).
"""

import base64
import binascii
import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_PAGE_SIZE = 100


class KeysFirstPaginator(Paginator):
    """Django's paginator, but a page of a queryset is read in two steps (keys, then rows), and
    the total of a long list is counted once for a short while (settings.API_LIST_COUNT_CACHE).

    Counting 100,000 demands costs PostgreSQL more than reading and showing a page of them, on
    every page of every client. A total of at least `min_rows` rows is therefore kept in the
    cache for `seconds`, per query: a long list's "共 N 条" may be that many seconds old. A
    shorter list is counted exactly every time, so what a league org has just published shows
    in its own short lists at once.
    """

    @cached_property
    def count(self):
        if not isinstance(self.object_list, QuerySet):
            return super().count
        policy = settings.API_LIST_COUNT_CACHE
        try:
            sql, params = self.object_list.query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing, such as `pk IN ()`
            return 0
        key = "list-count:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
        total = cache.get(key)
        if total is None:
            total = self.object_list.count()
            if total >= policy["min_rows"]:
                cache.set(key, total, policy["seconds"])
        return total

    def page(self, number):
        page = super().page(number)
        # `page.object_list` is the page's slice of the whole list (`self.object_list`).
        if isinstance(page.object_list, QuerySet):
            keys = list(page.object_list.values_list("pk", flat=True))
            rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)} if keys else {}
            page.object_list = [rows[key] for key in keys if key in rows]
        return page


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    django_paginator_class = KeysFirstPaginator

    def get_schema_operation_parameters(self, view):
        # The bounds the paginator applies, in the schema: a page below 1 or beyond the last is
        # a 404 (documented on every list by api.schema.document_common_errors).
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] |= bounds.get(parameter["name"], {})
        return parameters


def encode_cursor(field: str, value, pk: int, direction: str = "n") -> str:
    """The opaque cursor of the row (value, pk) ordered by `field`; "n" next, "p" previous."""
    if value is not None and not isinstance(value, int | str):
        value = value.isoformat()
    raw = json.dumps([field, value, pk, direction], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ValidationError({"cursor": [_("无效的分页游标")]}) from exc
    if not (isinstance(payload, list) and len(payload) == 4):
        raise ValidationError({"cursor": [_("无效的分页游标")]})
    return payload


class KeysetPagination(pagination.BasePagination):
    """Cursor pages ordered by one field (the view's ordering) and then the primary key.

    The cursor is opaque to clients: base64 of `[field, value, pk, direction]`. Rows with no
    value for the field come first in a descending order and last in an ascending one, the
    same on every database. `?cursor=` with no value asks for the first page.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 20
    max_page_size = MAX_PAGE_SIZE

    def _page_size(self, request) -> int:
        """The requested page size, at most max_page_size; ValueError unless a positive integer
        (what DRF's paginators accept for page_size, strictly)."""
        size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        if size < 1:
            raise ValueError(size)
        return min(size, self.max_page_size)

    def _ordering(self, request, queryset, view) -> str:
        """The first term of the ordering the list uses (the client's `ordering` or default)."""
        backends = getattr(view, "filter_backends", ())
        ordering = queryset.query.order_by
        for backend in backends:
            if issubclass(backend, OrderingFilter):
                ordering = backend().get_ordering(request, queryset, view)
        return (list(ordering or []) or ["-pk"])[0]

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            size = self._page_size(request)
        except ValueError:
            size = self.page_size
        term = self._ordering(request, queryset, view)
        field, descending = term.lstrip("-"), term.startswith("-")
        self.field = field
        model_field = queryset.model._meta.get_field(field)

        cursor = request.query_params.get(self.cursor_query_param) or ""
        value = pk = None
        backwards = False
        if cursor:
            cursor_field, raw_value, pk, direction = _decode(cursor)
            if cursor_field != field or direction not in ("n", "p") or not isinstance(pk, int):
                raise ValidationError({"cursor": [_("分页游标与当前排序不符")]})
            try:
                value = None if raw_value is None else model_field.to_python(raw_value)
            except Exception as exc:  # to_python raises ValidationError of several kinds
                raise ValidationError({"cursor": [_("无效的分页游标")]}) from exc
            backwards = direction == "p"

        # Walking backwards is walking forwards in the reversed order.
        forward_desc = descending != backwards
        queryset = queryset.order_by(*self._order(field, forward_desc))
        if cursor:
            queryset = queryset.filter(self._after(field, value, pk, forward_desc))
        rows = list(queryset[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        self.has_next = more if not backwards else True
        self.has_previous = bool(cursor) and (more if backwards else True)
        self.rows = rows
        return rows

    @staticmethod
    def _order(field: str, descending: bool):
        if descending:
            return [F(field).desc(nulls_first=True), F("pk").desc()]
        return [F(field).asc(nulls_last=True), F("pk").asc()]

    @staticmethod
    def _after(field: str, value, pk: int, descending: bool) -> Q:
        """Rows that come after (value, pk) in the order; nulls first when descending."""
        op = "lt" if descending else "gt"
        if value is None:
            same = Q(**{f"{field}__isnull": True, f"pk__{op}": pk})
            return same | Q(**{f"{field}__isnull": False}) if descending else same
        # `field <= value AND (field < value OR pk < last)`: the first term is an index range.
        bound = Q(**{f"{field}__{op}e": value}) & (
            Q(**{f"{field}__{op}": value}) | Q(**{f"pk__{op}": pk})
        )
        return bound if descending else bound | Q(**{f"{field}__isnull": True})

    def _link(self, row, direction: str):
        cursor = encode_cursor(self.field, getattr(row, self.field), row.pk, direction)
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, cursor
        )

    def get_next_link(self):
        return self._link(self.rows[-1], "n") if self.has_next and self.rows else None

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.rows:  # past the end: back to the first page
            url = self.request.build_absolute_uri()
            return replace_query_param(url, self.cursor_query_param, "")
        return self._link(self.rows[0], "p")

    def get_paginated_response(self, data):
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(_("分页游标：取自上一页的 next / previous 链接；空值为第一页")),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(_("每页条数")),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class PageOrCursorPagination(pagination.BasePagination):
    """Numbered pages by default; keyset pages when the request has `cursor` (even empty)."""

    def __init__(self):
        self.pages = PageNumberPagination()
        self.keyset = KeysetPagination()
        self.current = self.pages

    def paginate_queryset(self, queryset, request, view=None):
        if KeysetPagination.cursor_query_param in request.query_params:
            if PageNumberPagination.page_query_param in request.query_params:
                raise ValidationError({"cursor": [_("cursor 与 page 不能同时使用")]})
            self.current = self.keyset
        else:
            self.current = self.pages
        return self.current.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.current.get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        pages = self.pages.get_paginated_response_schema(schema)
        pages["required"] = ["next", "previous", "results"]  # `count` only with numbered pages
        return pages

    def get_schema_operation_parameters(self, view):
        return (
            self.pages.get_schema_operation_parameters(view)
            + self.keyset.get_schema_operation_parameters(view)[:1]
        )
