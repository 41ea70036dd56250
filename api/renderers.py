"""JSON answers rendered by orjson: the same bytes as DRF's JSONRenderer, in a fraction of the time.

DRF's renderer (json.dumps with its encoder) took about a tenth of a demand-list request's CPU
(docs/performance.md, "Where the time goes"). orjson writes the same compact, non-ASCII JSON;
what it does not know natively (lazy translations, Decimal, datetime, UUID, querysets…) goes to
DRF's own encoder, so that every value reads as before, error answers included.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

# Datetimes go to DRF's encoder (milliseconds, "Z"), as before; dict keys need not be strings
# (a list field's errors are keyed by index).
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class ORJSONRenderer(renderers.JSONRenderer):
    """`application/json` by orjson; an `indent` asked for in the Accept header goes to DRF's."""

    encoder = JSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=self.encoder.default, option=OPTIONS)
        except orjson.JSONEncodeError:  # what orjson cannot write (an int beyond 64 bits)
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF's renderer: the two line separators escaped, so the JSON is valid JavaScript.
        for raw, escaped in LINE_SEPARATORS:
            if raw in out:
                out = out.replace(raw, escaped)
        return out
