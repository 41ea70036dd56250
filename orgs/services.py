"""Account and organization use cases, including the import of orgs from 智慧团建 (CSV)."""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from . import security
from .audit import audit
from .choices import LeagueLevel, Registration, Role, ServiceArea, ServiceObject
from .errors import InvalidInput, NotAllowed
from .models import MOBILE_RE, City, LeagueOrg, Membership, SmsPurpose, User, VolunteerOrg
from .sms import sms_code_check, sms_code_consume, sms_queue
from .validation import model_field_errors

# -- passwords -----------------------------------------------------------------------------


def user_change_password(
    *, user: User, old_password: str, new_password: str, ip: str | None = None
) -> User:
    """Change a password; the initial 000000 can never be kept or chosen again.

    The old password is checked under the login throttle (orgs/security.py), as a login of
    this account from `ip`: a wrong one counts as a failed login, and while the account is
    locked there LoginLocked is raised before it is checked. Call it outside a transaction,
    so that a wrong try stays counted. A change deletes the account's API token: every client
    that held it must log in again (the API answers the caller with a new one).
    """
    errors = {}
    if not old_password:
        errors["old_password"] = _("原密码不正确")  # nothing was tried: not counted
    else:
        attempt = security.login_attempt_begin(user.get_username(), ip)
        if user.check_password(old_password):
            security.login_attempt_succeeded(attempt)
        else:
            errors["old_password"] = _("原密码不正确")
    if new_password == settings.PLATFORM["INITIAL_PASSWORD"] or new_password == old_password:
        errors["new_password"] = _("新密码不能与原密码或初始密码相同")
    else:
        try:
            password_validation.validate_password(new_password or "", user)
        except ValidationError as exc:
            errors["new_password"] = " ".join(exc.messages)
    if errors:
        raise InvalidInput(_("密码修改失败"), fields=errors)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        Token.objects.filter(user=user).delete()
    return user


def _new_password_errors(password: str, user: User) -> str | None:
    """Why `password` may not be chosen for `user` (validators, the initial 000000), or None."""
    if password == settings.PLATFORM["INITIAL_PASSWORD"]:
        return _("新密码不能与原密码或初始密码相同")
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def mobile_registered(mobile: str) -> bool:
    """Whether an account already signs in with, or has, this mobile."""
    return User.objects.filter(Q(username__iexact=mobile) | Q(mobile=mobile)).exists()


def user_register(*, mobile: str, sms_code: str, password: str, display_name: str = "") -> User:
    """个人注册: an individual's account (no membership), its username the verified mobile.

    The fields are checked first, then the code (purpose `register`, under the SMS wrong-code
    limit), and only then whether the mobile is taken: only someone holding the phone learns
    that it has an account. Call it outside a transaction (a wrong code stays counted).
    """
    errors = {}
    if not MOBILE_RE.match(mobile or ""):
        errors["mobile"] = _("请输入11位手机号码")
    user = User(username=mobile, mobile=mobile, display_name=display_name or "")
    errors |= {
        k: v
        for k, v in model_field_errors(user, exclude=("password", "username")).items()
        if k == "display_name"
    }
    problem = _new_password_errors(password, user)
    if problem:
        errors["password"] = problem
    if errors:
        raise InvalidInput(_("注册信息有误"), fields=errors)
    sms = sms_code_check(phone=mobile, purpose=SmsPurpose.REGISTER, code=sms_code)
    taken = InvalidInput(
        _("该手机号已注册"),
        code="mobile_registered",
        fields={"mobile": _("该手机号已注册，请直接登录或找回密码")},
    )
    if mobile_registered(mobile):
        raise taken
    try:
        with transaction.atomic():
            user.set_password(password)
            user.save()
            sms_code_consume(sms)
            audit(user, action="register", actor=user, from_state="", to_state="active")
    except IntegrityError:  # the same mobile registered by a request running at once
        raise taken from None
    return user


def user_recover_password(
    *,
    mobile: str,
    sms_code: str,
    new_password: str,
    username: str = "",
    ip: str | None = None,
) -> User:
    """找回密码: set a new password for the account with this verified mobile.

    The code (purpose `password_reset`) is checked under the SMS wrong-code limit and, like a
    password, under the login throttle (orgs/security.py) as a login of `username` (else of the
    mobile, an individual's username) from `ip`: a wrong code counts as a failed login, and a
    locked one is LoginLocked before the code is compared. When several accounts have the
    mobile, `username` names which one; it is asked for only after the code was right. The new
    password must pass the validators and is never 000000, so the account no longer has to
    change it; its API tokens are deleted and its sessions end (the password hash changed).
    """
    errors = {}
    if not MOBILE_RE.match(mobile or ""):
        errors["mobile"] = _("请输入11位手机号码")
    problem = _new_password_errors(new_password, None)
    if problem:
        errors["new_password"] = problem
    if errors:
        raise InvalidInput(_("找回密码失败"), fields=errors)
    attempt = security.login_attempt_begin(username or mobile, ip)
    sms = sms_code_check(phone=mobile, purpose=SmsPurpose.PASSWORD_RESET, code=sms_code)
    security.login_attempt_succeeded(attempt)
    accounts = list(User.objects.filter(mobile=mobile, is_active=True).order_by("pk"))
    if username:
        accounts = [u for u in accounts if u.username == username]
        if not accounts:
            raise InvalidInput(
                _("找回密码失败"), fields={"username": _("该手机号没有绑定这个用户名")}
            )
    elif len(accounts) > 1:
        raise InvalidInput(
            _("找回密码失败"),
            code="username_required",
            fields={"username": _("该手机号绑定了多个账号，请填写用户名")},
        )
    if not accounts:  # removed since the code was sent: the code no longer leads anywhere
        raise InvalidInput(
            _("验证码有误"),
            code="invalid_sms_code",
            fields={"sms_code": _("验证码已失效，请重新获取")},
        )
    problem = _new_password_errors(new_password, accounts[0])
    if problem:
        raise InvalidInput(_("找回密码失败"), fields={"new_password": problem})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=accounts[0].pk)
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        Token.objects.filter(user=user).delete()
        sms_code_consume(sms)
        audit(
            user,
            action="password_recover",
            actor=user,
            from_state="",
            to_state="password_set",
            reason=_("短信验证码找回密码"),
        )
    return user


# -- volunteer org profile -----------------------------------------------------------------

PROFILE_FIELDS = (
    "name",
    "city",
    "service_areas",
    "service_objects",
    "volunteer_count",
    "contact_name",
    "contact_mobile",
    "intro",
    "photo",
)


@transaction.atomic
def volunteer_org_update_profile(*, org: VolunteerOrg, actor: User, data: dict) -> VolunteerOrg:
    """完善信息: an org operator edits the org's profile."""
    from demands.models import code_list_error

    if org.pk not in actor.operated_volunteer_org_ids():
        raise NotAllowed(_("只有本组织的管理员可以修改组织信息"))
    org = VolunteerOrg.objects.select_for_update().get(pk=org.pk)
    unknown = set(data) - set(PROFILE_FIELDS)
    errors = {k: _("未知字段") for k in sorted(unknown)}
    for key, value in data.items():
        if key in PROFILE_FIELDS:
            setattr(org, key, value)
    errors |= model_field_errors(org, exclude=("code", "registration", "endorsed_by"))
    for key, allowed in (
        ("service_areas", ServiceArea.values),
        ("service_objects", ServiceObject.values),
    ):
        message = code_list_error(getattr(org, key), allowed)
        if message:
            errors.setdefault(key, message)
    if errors:
        raise InvalidInput(_("组织信息有误"), fields=errors)
    org.save()
    return org


# -- import from 智慧团建 ------------------------------------------------------------------

IMPORT_COLUMNS = ["kind", "code", "name", "parent_code", "city", "username"]
LEVEL_ORDER = list(LeagueLevel.values)
USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


class ImportRejected(Exception):
    """The file has bad rows; nothing was imported. `errors` lists (line, message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__("; ".join(f"line {line}: {msg}" for line, msg in errors))
        self.errors = errors


@dataclass
class ImportReport:
    created: dict = field(default_factory=lambda: {"league": 0, "volunteer": 0, "user": 0})
    updated: dict = field(default_factory=lambda: {"league": 0, "volunteer": 0, "user": 0})
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


@dataclass
class _Row:
    line: int
    kind: str
    code: str
    name: str
    parent_code: str
    city: str
    username: str


def _parse(text: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text))
    errors: list[tuple[int, str]] = []
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != IMPORT_COLUMNS:
        raise ImportRejected([(1, _("表头须为 %(cols)s") % {"cols": ",".join(IMPORT_COLUMNS)})])
    rows = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(IMPORT_COLUMNS):
            errors.append((line, _("应有%(n)d列，实有%(m)d列") % {"n": 6, "m": len(values)}))
            continue
        rows.append(_Row(line, *(v.strip() for v in values)))
    if errors:
        raise ImportRejected(errors)
    return rows


def _validate(rows: list[_Row]) -> None:
    errors: list[tuple[int, str]] = []
    cities = set(City.objects.values_list("name", flat=True))
    league_codes = {r.code for r in rows if r.kind == "league"}
    volunteer_codes = {r.code for r in rows if r.kind == "volunteer"}
    known_league = league_codes | set(LeagueOrg.objects.values_list("code", flat=True))
    known_volunteer = dict(VolunteerOrg.objects.values_list("code", "registration"))
    file_registered = {r.code for r in rows if r.kind == "volunteer" and not r.parent_code}
    # Endorsers of orgs outside the file: they must stay registered.
    endorsers_outside = {
        endorser
        for code, endorser in VolunteerOrg.objects.filter(endorsed_by__isnull=False).values_list(
            "code", "endorsed_by__code"
        )
        if code not in volunteer_codes
    }
    seen: dict[tuple[str, str], int] = {}
    seen_users: dict[str, int] = {}
    username_ok = UnicodeUsernameValidator()
    existing_users = {
        u.username: u
        for u in User.objects.filter(username__in=[r.username for r in rows]).prefetch_related(
            "memberships__league_org", "memberships__volunteer_org"
        )
    }

    for r in rows:

        def bad(message, r=r):
            errors.append((r.line, message))

        if r.kind not in ("league", "volunteer"):
            bad(_("kind 须为 league 或 volunteer，而不是“%(v)s”") % {"v": r.kind})
            continue
        if not r.code or len(r.code) > 64:
            bad(_("code 不能为空，且不超过64个字符"))
        if not r.name or len(r.name) > 100:
            bad(_("name 不能为空，且不超过100个字符"))
        if (r.kind, r.code) in seen:
            bad(
                _("code %(code)s 与第%(line)d行重复")
                % {"code": r.code, "line": seen[(r.kind, r.code)]}
            )
        seen[(r.kind, r.code)] = r.line
        if r.city and r.city not in cities:
            bad(_("city “%(c)s” 不是广东省的地级市") % {"c": r.city})
        if r.parent_code == r.code and r.code:
            bad(_("parent_code 不能是自身"))
        elif r.kind == "league" and r.parent_code and r.parent_code not in known_league:
            bad(_("上级团组织 %(p)s 不存在") % {"p": r.parent_code})
        elif r.kind == "volunteer" and r.parent_code:
            registered = r.parent_code in file_registered or (
                r.parent_code not in volunteer_codes
                and known_volunteer.get(r.parent_code) == Registration.REGISTERED
            )
            if not registered:
                bad(_("背书组织 %(p)s 须为已备案的志愿服务组织") % {"p": r.parent_code})
            if r.code in endorsers_outside:
                bad(_("%(c)s 仍为其他组织背书，须保持已备案") % {"c": r.code})
        if not r.username:
            bad(_("username 不能为空"))
        elif len(r.username) > USERNAME_MAX_LENGTH:
            bad(_("username 不超过%(n)d个字符") % {"n": USERNAME_MAX_LENGTH})
        else:
            try:
                username_ok(r.username)
            except ValidationError:
                bad(_("username “%(u)s” 含有不允许的字符") % {"u": r.username})
            if r.username in seen_users:
                bad(
                    _("username %(u)s 与第%(line)d行重复")
                    % {"u": r.username, "line": seen_users[r.username]}
                )
            seen_users[r.username] = r.line
            user = existing_users.get(r.username)
            if user is not None and not any(
                (m.league_org and m.league_org.code == r.code and r.kind == "league")
                or (m.volunteer_org and m.volunteer_org.code == r.code and r.kind == "volunteer")
                for m in user.memberships.all()
            ):
                bad(_("username %(u)s 已被其他账号或组织使用") % {"u": r.username})

    errors += _league_cycles(rows)
    if errors:
        raise ImportRejected(sorted(errors))


def _league_cycles(rows: list[_Row]) -> list[tuple[int, str]]:
    parents = {r.code: r.parent_code for r in rows if r.kind == "league"}
    db_parents = dict(LeagueOrg.objects.values_list("code", "parent__code"))
    errors = []
    for r in rows:
        if r.kind != "league":
            continue
        seen, code = set(), r.code
        while code:
            if code in seen:
                errors.append((r.line, _("上级组织形成了循环")))
                break
            seen.add(code)
            code = parents[code] if code in parents else db_parents.get(code)
    return errors


def _league_order(rows: list[_Row]) -> list[_Row]:
    """League rows with every parent before its children."""
    by_code = {r.code: r for r in rows if r.kind == "league"}
    ordered, done = [], set()

    def visit(row):
        if row.code in done:
            return
        if row.parent_code in by_code:
            visit(by_code[row.parent_code])
        done.add(row.code)
        ordered.append(row)

    for row in by_code.values():
        visit(row)
    return ordered


def _upsert(model, code: str, values: dict, report: ImportReport, kind: str):
    obj = model.objects.filter(code=code).first()
    if obj is None:
        obj = model(code=code, **values)
        errors = model_field_errors(obj)
        if errors:
            raise InvalidInput(str(errors))
        obj.save()
        report.created[kind] += 1
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed + ["updated_at"])
        report.updated[kind] += 1
    else:
        report.unchanged += 1
    return obj


def _ensure_account(username: str, role: str, org, report: ImportReport) -> None:
    org_field = "league_org" if role == Role.LEAGUE_REVIEWER else "volunteer_org"
    user = User.objects.filter(username=username).first()
    if user is None:
        # An org name may be longer than a display name (100 vs 50 characters).
        display_name = org.name[: User._meta.get_field("display_name").max_length]
        user = User(username=username, display_name=display_name, must_change_password=True)
        user.set_password(settings.PLATFORM["INITIAL_PASSWORD"])
        user.save()
        report.created["user"] += 1
    Membership.objects.get_or_create(user=user, role=role, **{org_field: org})


def orgs_import_csv(text: str) -> ImportReport:
    """Create or update orgs and their accounts from CSV text; all rows or none.

    A new account gets the initial password and must change it before anything else;
    an existing account's password is never touched, so a re-run changes nothing.
    """
    rows = _parse(text.lstrip("\ufeff"))
    report = ImportReport()
    with transaction.atomic():
        _validate(rows)
        cities = {c.name: c for c in City.objects.all()}
        league = {}
        for r in _league_order(rows):
            parent = league.get(r.parent_code) or (
                LeagueOrg.objects.get(code=r.parent_code) if r.parent_code else None
            )
            level = (
                LeagueLevel.PROVINCE
                if parent is None
                else LEVEL_ORDER[min(LEVEL_ORDER.index(parent.level) + 1, len(LEVEL_ORDER) - 1)]
            )
            values = {"name": r.name, "parent": parent, "level": level, "city": cities.get(r.city)}
            league[r.code] = _upsert(LeagueOrg, r.code, values, report, "league")
            _ensure_account(r.username, Role.LEAGUE_REVIEWER, league[r.code], report)
        volunteer = {}
        volunteer_rows = sorted(
            (r for r in rows if r.kind == "volunteer"), key=lambda r: bool(r.parent_code)
        )
        for r in volunteer_rows:
            endorser = None
            if r.parent_code:
                endorser = volunteer.get(r.parent_code) or VolunteerOrg.objects.get(
                    code=r.parent_code
                )
            values = {
                "name": r.name,
                "registration": Registration.ENDORSED if endorser else Registration.REGISTERED,
                "endorsed_by": endorser,
            }
            if r.city:
                values["city"] = cities[r.city]
            volunteer[r.code] = _upsert(VolunteerOrg, r.code, values, report, "volunteer")
            _ensure_account(r.username, Role.ORG_OPERATOR, volunteer[r.code], report)
    return report


LEAGUE_PROFILE_FIELDS = ("contact_name", "contact_landline", "contact_mobile", "intro")


@transaction.atomic
def league_org_update_profile(*, org: LeagueOrg, actor: User, data: dict) -> LeagueOrg:
    """组织信息管理 of a league org (all optional): contact details and an introduction."""
    if org.pk not in actor.reviewer_league_org_ids():
        raise NotAllowed(_("只有本组织的账号可以修改组织信息"))
    org = LeagueOrg.objects.select_for_update().get(pk=org.pk)
    errors = {k: _("未知字段") for k in sorted(set(data) - set(LEAGUE_PROFILE_FIELDS))}
    for key, value in data.items():
        if key in LEAGUE_PROFILE_FIELDS:
            setattr(org, key, value)
    errors |= model_field_errors(org, exclude=("code", "name", "parent", "level", "city"))
    if errors:
        raise InvalidInput(_("组织信息有误"), fields=errors)
    org.save()
    return org


# -- password reset by an administrator ----------------------------------------------------

# No look-alikes (0/O, 1/l/I): the owner may type it from an SMS.
ONE_TIME_PASSWORD_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
ONE_TIME_PASSWORD_LENGTH = 12
PASSWORD_RESET_SMS_PURPOSE = "password_reset"


@dataclass(frozen=True)
class PasswordReset:
    """The outcome an administrator may learn: the password only when nobody could be sent it."""

    sent_by_sms: bool
    one_time_password: str | None


def user_reset_password(*, user: User, actor: User) -> PasswordReset:
    """Reset an account to a random one-time password that must be changed at the next login.

    An administrator never chooses another person's password. The account's API tokens stop
    working and its sessions end (the password hash changed); the reset is audited. The owner
    gets the password by SMS when the account has a mobile, after commit; only an account
    without one has it handed back here, for the administrator to give to its owner once.
    Only a superuser resets an administrator's (staff or superuser) account; nobody their own.
    """
    from django.utils import translation
    from django.utils.crypto import get_random_string
    from rest_framework.authtoken.models import Token

    if not actor.is_active or not actor.has_perm("orgs.change_user"):
        raise NotAllowed(_("无权重置账号密码"))
    if user.pk == actor.pk:
        raise NotAllowed(_("不能重置自己的密码，请使用“修改密码”"))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if (user.is_superuser or user.is_staff) and not actor.is_superuser:
            raise NotAllowed(_("只有超级管理员可以重置管理员账号的密码"))
        password = get_random_string(ONE_TIME_PASSWORD_LENGTH, ONE_TIME_PASSWORD_CHARS)
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        Token.objects.filter(user=user).delete()
        sent = bool(user.mobile)
        audit(
            user,
            action="password_reset",
            actor=actor,
            from_state="",
            to_state="must_change_password",
            reason=_("一次性密码已短信发送给本人") if sent else _("一次性密码由管理员转交本人"),
        )
        if sent:
            # Accounts have no language: the platform's, like every other notice.
            with translation.override(settings.LANGUAGE_CODE):
                text = _(
                    "【i志愿】管理员已重置您的账号 %(username)s 的密码，一次性密码：%(password)s。"
                    "请登录后立即修改；如非本人申请，请联系团省委。"
                ) % {"username": user.username, "password": password}
            sms_queue(phone=user.mobile, purpose=PASSWORD_RESET_SMS_PURPOSE, text=text)
    return PasswordReset(sent_by_sms=sent, one_time_password=None if sent else password)
