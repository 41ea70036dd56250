"""Login throttling: too many failed logins for one username, or from one IP, lock logins out.

Both login paths (the API's token view and the browser login forms) ask `login_allowed` before
checking a password and call `login_failed` when the password was wrong. Failures are rows in
the database, so every process of the site sees the same count. A successful login does not
clear them: a lock lasts until the failures behind it are an hour old.
"""

import datetime
import ipaddress
import unicodedata

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LoginFailure

LOCKED_MESSAGE = _("登录失败次数过多，请一小时后再试")


def _limit() -> int:
    return settings.PLATFORM.get("LOGIN_FAILURE_LIMIT", 10)


def _window() -> datetime.timedelta:
    return settings.PLATFORM.get("LOGIN_FAILURE_WINDOW", datetime.timedelta(hours=1))


def _key(username: str) -> str:
    # Case-folded, so that "Reviewer" and "reviewer" share one count whatever the database's
    # collation makes of them; cut to the field's length, so no input is too long to store.
    return unicodedata.normalize("NFKC", username or "").strip().casefold()[:150]


def client_ip(request) -> str | None:
    """The address the request came from: REMOTE_ADDR (no proxy header is trusted yet)."""
    meta = getattr(request, "META", None) or {}
    try:
        return str(ipaddress.ip_address(meta.get("REMOTE_ADDR", "")))
    except ValueError:  # no address (a unix socket, a test without one)
        return None


def login_retry_after(username: str, ip: str | None) -> datetime.timedelta | None:
    """How long logins for this username or from this IP stay refused; None when allowed."""
    now = timezone.now()
    recent = LoginFailure.objects.filter(at__gt=now - _window())
    limit = _limit()
    waits = []
    for rows in (recent.filter(username=_key(username)), recent.filter(ip=ip) if ip else None):
        if rows is None:
            continue
        # The lock lifts when the oldest of the last `limit` failures leaves the window.
        times = list(rows.order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            waits.append(times[-1] + _window() - now)
    return max(waits) if waits else None


def login_allowed(username: str, ip: str | None) -> bool:
    """False when `username` or `ip` had LOGIN_FAILURE_LIMIT failed logins within the window."""
    return login_retry_after(username, ip) is None


def login_failed(username: str, ip: str | None) -> None:
    """Record a failed login (and forget the failures that no longer count)."""
    now = timezone.now()
    LoginFailure.objects.filter(at__lte=now - _window()).delete()
    LoginFailure.objects.create(username=_key(username), ip=ip or None, at=now)
