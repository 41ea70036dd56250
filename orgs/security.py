"""Login throttling, and the counting that the login and SMS limits share.

Failed password checks within an hour are counted three ways, and a check past any limit is
refused before the password is looked at:

- per account and address (5): a stranger guessing from one address locks only that address
  out of that account, never the owner elsewhere;
- per address (20), whatever the username: one address spraying guesses over many accounts;
- per account (50), from any address: guessing spread over many addresses. This lock holds
  for strangers only: an address the account logged in from within 30 days still gets in, so
  that whoever knows a username cannot lock its owner out.

IPv6 addresses are counted by their /64 network, one subscriber's usual allocation.

Counting happens before checking: a check is written as a failure row (committed at once,
outside a transaction) and only then are the rows counted, its own excluded. Of N checks at
once at most the limit go ahead: the last of them to be written sees all the others. A check
that turns out right removes its row, and a refused one removes it too, so hammering a locked
account does not extend its lock. The rows are in the database, so every process of the site
sees the same count, which the local-memory cache would not give.
"""

import datetime
import ipaddress
import math
import unicodedata

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .errors import DomainError
from .models import LoginFailure, LoginSuccess

LOCKED_MESSAGE = _("登录失败次数过多，请一小时后再试")


class RateLimited(DomainError):
    """Too many requests (maps to 429); `retry_after` says how long until one may pass."""

    code = "throttled"

    def __init__(self, detail="", *, code=None, fields=None, retry_after=None):
        super().__init__(detail, code=code, fields=fields)
        self.retry_after: datetime.timedelta | None = retry_after

    @property
    def wait(self) -> int | None:
        """Whole seconds to wait, rounded up (what a Retry-After header says)."""
        if self.retry_after is None:
            return None
        return max(1, math.ceil(self.retry_after.total_seconds()))


class LoginLocked(RateLimited):
    code = "login_locked"


def _platform(name: str):
    return settings.PLATFORM[name]


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


def ip_bucket(ip: str | None) -> str | None:
    """The address a limit counts for `ip`: an IPv4 address itself, an IPv6 address's /64.

    One subscriber usually holds a whole /64, so counting single IPv6 addresses would give an
    attacker 2**64 fresh counts.
    """
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def retry_after(
    rows: QuerySet, *, limit: int, window: datetime.timedelta, now: datetime.datetime
) -> datetime.timedelta | None:
    """How long until fewer than `limit` of `rows` (with an `at`) are in the window; None
    when fewer already are."""
    times = list(
        rows.filter(at__gt=now - window).order_by("-at").values_list("at", flat=True)[:limit]
    )
    if len(times) < limit:
        return None
    return times[-1] + window - now  # when the oldest of the last `limit` leaves the window


def wait_text(wait: datetime.timedelta) -> str:
    """A wait as the messages say it: minutes up to an hour, hours beyond, rounded up."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    if minutes <= 60:
        return ngettext("%(n)d分钟", "%(n)d分钟", minutes) % {"n": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("%(n)d小时", "%(n)d小时", hours) % {"n": hours}


def _known_address(key: str, bucket: str | None, now: datetime.datetime) -> bool:
    if bucket is None:
        return False
    since = now - _platform("LOGIN_KNOWN_ADDRESS_TTL")
    return LoginSuccess.objects.filter(username=key, ip=bucket, at__gt=since).exists()


def login_retry_after(
    username: str, ip: str | None, *, excluding: int | None = None
) -> datetime.timedelta | None:
    """How long a login of `username` from `ip` stays refused; None when it may be tried."""
    now = timezone.now()
    window = _platform("LOGIN_FAILURE_WINDOW")
    key, bucket = _key(username), ip_bucket(ip)
    rows = LoginFailure.objects.exclude(pk=excluding) if excluding else LoginFailure.objects.all()
    waits = [
        retry_after(
            rows.filter(username=key, ip=bucket),
            limit=_platform("LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"),
            window=window,
            now=now,
        )
    ]
    if bucket is not None:
        waits.append(
            retry_after(
                rows.filter(ip=bucket),
                limit=_platform("LOGIN_FAILURES_PER_ADDRESS"),
                window=window,
                now=now,
            )
        )
    account = retry_after(
        rows.filter(username=key),
        limit=_platform("LOGIN_FAILURES_PER_ACCOUNT"),
        window=window,
        now=now,
    )
    if account is not None and not _known_address(key, bucket, now):
        waits.append(account)
    waits = [w for w in waits if w is not None]
    return max(waits) if waits else None


def login_attempt_begin(username: str, ip: str | None) -> LoginFailure:
    """Count a password check before it is made; LoginLocked when it is one too many.

    Call it outside a transaction, so that the row is committed before the count: that is
    what keeps a burst from passing on one stale count. The row stands as a failure until
    `login_attempt_succeeded` removes it. Only call it when a password was given.
    """
    now = timezone.now()
    LoginFailure.objects.filter(at__lte=now - _platform("LOGIN_FAILURE_WINDOW")).delete()
    attempt = LoginFailure.objects.create(username=_key(username), ip=ip_bucket(ip), at=now)
    wait = login_retry_after(username, ip, excluding=attempt.pk)
    if wait is not None:
        attempt.delete()  # refused, nothing was checked: not a failure
        raise LoginLocked(LOCKED_MESSAGE, retry_after=wait)
    return attempt


def login_attempt_succeeded(attempt: LoginFailure) -> None:
    """The password was right: the check was no failure, and its address is now known."""
    LoginFailure.objects.filter(pk=attempt.pk).delete()
    if attempt.ip is None:
        return
    now = timezone.now()
    LoginSuccess.objects.filter(at__lte=now - _platform("LOGIN_KNOWN_ADDRESS_TTL")).delete()
    known = LoginSuccess.objects.filter(username=attempt.username, ip=attempt.ip)
    if not known.update(at=now):
        LoginSuccess.objects.create(username=attempt.username, ip=attempt.ip, at=now)
