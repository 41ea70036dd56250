"""The JSON parser of the API: DRF's, with a bound on how deeply a body may nest.

Python's json module raises RecursionError (not ValueError) on a body nested about a thousand
levels deep, which DRF's parser does not catch; and a body that parses could still overflow
the stack of code that walks it recursively (the Idempotency-Key fingerprint, error
flattening). No field of this API nests more than a few levels, so a body nested deeper than
MAX_DEPTH is malformed.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
TOO_DEEP = _("JSON 嵌套层数过多")


def nesting_depth(value) -> int:
    """How deeply lists and objects nest in `value` (walked without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        return data
