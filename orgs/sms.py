"""SMS verification codes: issue, check, consume; and the pluggable sending backends.

A code is 6 digits from `secrets`, valid 10 minutes, single-use, stored as an HMAC, good for
at most 5 tries. Checking runs in its own transaction so a wrong try counts even when the
request fails; consuming runs in the caller's, so a request refused for another field leaves
the code usable.

Against flooding phones and the bill (settings.SMS_LIMITS): a phone gets one code a minute and
10 a day; a client address 20 an hour and 50 a day; the platform as a whole a ceiling an hour
and a day. Against guessing: 10 wrong codes a phone an hour, whichever codes they were meant
for, after which its checks are refused. Windows slide (the last hour, the last 24 hours).
Each request or guess is a row written before anything is counted, sent or compared, the way
orgs/security.py counts logins: of many at once at most the limit go through.

Messages leave through a Celery task queued after commit (`orgs.tasks.sms_send`), which calls
the backend named by SMS_BACKEND: an object with `send(*, phone, purpose, code)` for a code and
`send_text(*, phone, purpose, text)` for a notice. Without a broker the task runs inline.
"""

import datetime
import hashlib
import hmac
import json
import logging
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .models import MOBILE_RE, SmsCode, SmsCodeFailure, SmsPurpose, SmsRequest
from .security import RateLimited, ip_bucket, retry_after, wait_text

logger = logging.getLogger(__name__)

CODE_TTL = datetime.timedelta(minutes=10)
RESEND_INTERVAL = datetime.timedelta(minutes=1)
MAX_TRIES = 5
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


class OutboxBackend:
    """Development backend: one JSON line per message in SMS_OUTBOX_PATH, and a log line."""

    def send(self, *, phone: str, purpose: str, code: str) -> None:
        self._write(phone=phone, purpose=purpose, code=code)

    def send_text(self, *, phone: str, purpose: str, text: str) -> None:
        self._write(phone=phone, purpose=purpose, text=text)

    def _write(self, *, phone: str, purpose: str, **message) -> None:
        path = Path(settings.SMS_OUTBOX_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {"phone": phone, "purpose": purpose, **message}
        line["sent_at"] = timezone.now().isoformat()
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
        logger.info("SMS to %s (%s) written to %s", phone, purpose, path)


def _backend():
    return import_string(settings.SMS_BACKEND)()


def sms_send(*, phone: str, purpose: str, code: str = "", text: str = "") -> None:
    """Hand one message to the backend now: a code, or else a notice's text (the task's body)."""
    if code:
        _backend().send(phone=phone, purpose=purpose, code=code)
    else:
        _backend().send_text(phone=phone, purpose=purpose, text=text)


def sms_queue(*, phone: str, purpose: str, code: str = "", text: str = "") -> None:
    """Queue one message for when the current transaction commits (at once outside one).

    A code is dropped by the worker once it would have expired: sending it later helps nobody.
    """
    from .tasks import sms_send as task

    kwargs = {"phone": phone, "purpose": purpose, "code": code, "text": text}
    expires = int(CODE_TTL.total_seconds()) if code else None
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs, expires=expires))


def _hash(phone: str, purpose: str, code: str) -> str:
    message = f"{phone}|{purpose}|{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _limit(name: str) -> int:
    return settings.SMS_LIMITS[name]


def _issue_refusal(
    phone: str, bucket: str | None, *, excluding: int, now: datetime.datetime
) -> RateLimited | None:
    """Why a request for a code is one too many (the first rule it breaks), or None.

    The wait is the longest of the rules broken: only then may the next request pass.
    """
    rows = SmsRequest.objects.exclude(pk=excluding)
    by_phone, by_client = rows.filter(phone=phone), rows.filter(ip=bucket) if bucket else None
    rules = [
        ("throttled", _("验证码发送过于频繁，请一分钟后再试"), by_phone, 1, RESEND_INTERVAL),
        (
            "sms_phone_limit",
            _("该手机号获取验证码次数过多，请%(wait)s后再试"),
            by_phone,
            _limit("PER_PHONE_PER_DAY"),
            DAY,
        ),
    ]
    if by_client is not None:
        message = _("获取验证码过于频繁，请%(wait)s后再试")
        rules += [
            ("sms_client_limit", message, by_client, _limit("PER_CLIENT_PER_HOUR"), HOUR),
            ("sms_client_limit", message, by_client, _limit("PER_CLIENT_PER_DAY"), DAY),
        ]
    message = _("验证码发送量已达平台上限，请%(wait)s后再试")
    rules += [
        ("sms_platform_limit", message, rows, _limit("ALL_PER_HOUR"), HOUR),
        ("sms_platform_limit", message, rows, _limit("ALL_PER_DAY"), DAY),
    ]
    broken = []
    for code, message, matching, limit, window in rules:
        wait = retry_after(matching, limit=limit, window=window, now=now)
        if wait is not None:
            broken.append((code, message, wait))
    if not broken:
        return None
    code, message, _wait = broken[0]
    wait = max(w for *_, w in broken)
    if code == "sms_platform_limit":
        logger.error("SMS platform limit reached: no code is sent for %s", wait)
    return RateLimited(message % {"wait": wait_text(wait)}, code=code, retry_after=wait)


def _has_account(phone: str) -> bool:
    from .models import User

    return User.objects.filter(mobile=phone, is_active=True).exists()


def sms_code_issue(*, phone: str, purpose: str, ip: str | None = None) -> None:
    """Send a new code to `phone`, asked for from address `ip`; RateLimited past a limit.

    Call it outside a transaction: the request is counted (committed) before it is checked.
    A `password_reset` code goes only to a mobile that an active account has; for any other
    phone the request is counted and returns the same, sending nothing.
    """
    errors = {}
    if not MOBILE_RE.match(phone or ""):
        errors["phone"] = _("请输入11位手机号码")
    if purpose not in SmsPurpose.values:
        errors["purpose"] = _("未知的用途")
    if errors:
        raise InvalidInput(_("验证码申请有误"), fields=errors)
    now = timezone.now()
    SmsRequest.objects.filter(at__lte=now - DAY).delete()
    asked = SmsRequest.objects.create(phone=phone, ip=ip_bucket(ip), at=now)
    refusal = _issue_refusal(phone, asked.ip, excluding=asked.pk, now=now)
    if refusal is not None:
        asked.delete()  # refused, nothing sent: not counted
        raise refusal
    if purpose == SmsPurpose.PASSWORD_RESET and not _has_account(phone):
        # Counted like any request and answered alike, so that the answer does not tell
        # whether an account has this mobile; but nothing is sent to a phone without one.
        logger.info("password_reset code asked for a mobile without an account: not sent")
        return
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        SmsCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=_hash(phone, purpose, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        sms_queue(phone=phone, purpose=purpose, code=code)


def sms_code_check(*, phone: str, purpose: str, code: str) -> SmsCode:
    """The valid code `code` for this phone and purpose, or InvalidInput on `sms_code`.

    Call it before the caller's transaction opens: a wrong try is committed at once. The try
    is counted for the phone before the code is compared, and refused once the phone had
    WRONG_CODES_PER_PHONE_PER_HOUR wrong ones.
    """

    def refuse(message):
        return InvalidInput(_("验证码有误"), code="invalid_sms_code", fields={"sms_code": message})

    if not code:
        raise refuse(_("请输入短信验证码"))
    now = timezone.now()
    SmsCodeFailure.objects.filter(at__lte=now - HOUR).delete()
    guess = SmsCodeFailure.objects.create(phone=phone, at=now)
    wait = retry_after(
        SmsCodeFailure.objects.filter(phone=phone).exclude(pk=guess.pk),
        limit=_limit("WRONG_CODES_PER_PHONE_PER_HOUR"),
        window=HOUR,
        now=now,
    )
    if wait is not None:
        guess.delete()
        raise refuse(_("验证码错误次数过多，请%(wait)s后再试") % {"wait": wait_text(wait)})
    matches = None
    try:
        with transaction.atomic():
            sms = (
                SmsCode.objects.select_for_update()
                .filter(phone=phone, purpose=purpose, used_at__isnull=True)
                .order_by("-created_at")
                .first()
            )
            if sms is None or sms.expires_at <= timezone.now():
                raise refuse(_("验证码已失效，请重新获取"))
            if sms.attempts >= MAX_TRIES:
                raise refuse(_("验证码错误次数过多，请重新获取"))
            matches = hmac.compare_digest(sms.code_hash, _hash(phone, purpose, str(code)))
            if not matches:
                sms.attempts += 1
                sms.save(update_fields=["attempts"])
    finally:
        if matches is not False:  # right, or nothing was compared: not a wrong code
            guess.delete()
    if not matches:  # raised after the commit, so the try is counted
        raise refuse(_("验证码不正确"))
    return sms


def sms_code_consume(sms: SmsCode) -> None:
    """Use the checked code up, inside the caller's transaction (it fails if already used)."""
    used = SmsCode.objects.filter(pk=sms.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not used:
        raise InvalidInput(
            _("验证码有误"),
            code="invalid_sms_code",
            fields={"sms_code": _("验证码已使用，请重新获取")},
        )


def sms_verify_for(*, new: str, old: str, purpose: str, code: str | None, required: bool):
    """Check the code when a request sets a new mobile; None when there is nothing to verify."""
    if not required or not new or new == old:
        return None
    return sms_code_check(phone=new, purpose=purpose, code=code or "")
