"""The signature of a webhook: `X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>`."""

import hashlib
import hmac
import time

# A receiver refuses a signature older (or newer) than this: a replayed request is stale.
TOLERANCE_SECONDS = 300


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret=secret, timestamp=timestamp, body=body)}"


def signature_verify(
    *, secret: str, header: str, body: bytes, now: float | None = None, tolerance=TOLERANCE_SECONDS
) -> bool:
    """What a receiver does (docs/webhooks.md has the same code to copy)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, parts.get("v1", ""))
