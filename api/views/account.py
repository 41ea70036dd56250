"""Account endpoints: token login and logout, password change, SMS codes, me, my org, points."""

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import authentication, generics, permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from demands import selectors as demand_selectors
from notifications.selectors import unread_count
from orgs import security as login_security
from orgs import services as org_services
from orgs.sms import CODE_TTL, sms_code_issue
from scoring.models import PointsEntry
from scoring.selectors import points_balance
from workflows.todo import todo_counts

from ..authentication import token_for
from ..idempotency import IdempotentMixin
from ..serializers.account import (
    LeagueOrgProfileSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    PasswordResetDoneSerializer,
    PasswordResetSerializer,
    PointsEntrySerializer,
    PointsSerializer,
    RegisterSerializer,
    SmsCodeRequestSerializer,
    SmsCodeSentSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    VolunteerOrgProfileSerializer,
)
from ..serializers.common import errors
from ..serializers.demands import DemandSerializer

RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    location=OpenApiParameter.HEADER,
    description="seconds until a request may pass again",
    response=[429],
)


def checked_login(request):
    """The account of a username and password, under the login throttle: counted before the
    password is checked (429 while locked), a wrong one left counted as a failure."""
    body = TokenRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    username = body.validated_data["username"]
    attempt = login_security.login_attempt_begin(username, login_security.client_ip(request))
    user = authenticate(request=request, **body.validated_data)
    if user is None:  # the attempt stays counted as a failure
        raise ValidationError({"password": _("用户名或密码不正确")})
    login_security.login_attempt_succeeded(attempt)
    return user


class TokenView(APIView):
    """Log in with username and password; the answer says whether the password must change."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    allow_initial_password = True

    @extend_schema(
        summary="Obtain an API token (an expired one is replaced)",
        description=(
            "Failed logins within an hour lock logins out before the password is checked, "
            "with 429 `login_locked` and `Retry-After`, until those failures are an hour old "
            "(a correct password does not lift a lock): 5 for one username from one address "
            "lock that address out of it; 20 from one address lock it out of every account; "
            "50 for one username from anywhere lock it for every address it has not logged "
            "in from within 30 days. A wrong old password of `/auth/password/` counts too."
        ),
        request=TokenRequestSerializer,
        parameters=[RETRY_AFTER],
        responses={200: TokenSerializer, **errors(400, 429)},
    )
    def post(self, request):
        user = checked_login(request)
        token = token_for(user)
        return Response({"token": token.key, "must_change_password": user.must_change_password})


class CsrfFailed(PermissionDenied):
    default_detail = _lazy("页面已过期，请刷新页面后重试")
    default_code = "csrf_failed"


def enforce_login_csrf(request) -> None:
    """Refuse a POST that logs in with a session unless it carries the CSRF token (login CSRF).

    DRF checks CSRF only for requests that a session already authenticates; a login form
    posted from another site would otherwise sign the victim's browser into the attacker's
    account. The client sends the `csrftoken` cookie back as the `X-CSRFToken` header.
    """
    try:
        authentication.SessionAuthentication().enforce_csrf(request)
    except PermissionDenied:
        raise CsrfFailed() from None


SESSION_DESCRIPTION = (
    "For the same-origin mobile site: the answer sets Django's session cookie (HttpOnly) and "
    "a new `csrftoken` cookie; send the latter back as the `X-CSRFToken` header on every "
    "unsafe request (this one included: without it, 403 `csrf_failed`). A token sent along is "
    "ignored. "
)


class SessionLoginView(APIView):
    """Log in with a session (the mobile site); the same throttle as the token login."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    allow_initial_password = True

    @extend_schema(
        summary="Log in with a session cookie (same-origin clients); answers /me/",
        description=SESSION_DESCRIPTION
        + (
            "An account that still has its initial password is signed in, with "
            "`must_change_password: true`, and gets 403 `password_change_required` everywhere "
            "but `POST /auth/password/` and `POST /auth/logout/`. Failed logins are throttled "
            "exactly as on `POST /auth/token/` and share its count (429 `login_locked`)."
        ),
        request=TokenRequestSerializer,
        parameters=[RETRY_AFTER],
        responses={200: MeSerializer, **errors(400, 403, 429)},
    )
    def post(self, request):
        enforce_login_csrf(request)
        user = checked_login(request)
        login(request, user)
        return Response(MeSerializer(_me(user)).data)


class RegisterView(APIView):
    """个人注册: an individual's account with a verified mobile, signed in with a session."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="个人注册: create an individual account (username = mobile) and sign in",
        description=SESSION_DESCRIPTION
        + (
            "Ask for the code with `POST /sms/codes/ {phone, purpose: register}` (its limits "
            "apply; a phone's checks are refused after 10 wrong codes an hour). The fields are "
            "checked first (the password by the site's password rules, never 000000), then the "
            "code, and only then whether the mobile already has an account (400 "
            "`mobile_registered` on `mobile`): only the phone's holder learns that."
        ),
        request=RegisterSerializer,
        responses={201: MeSerializer, **errors(400, 403)},
    )
    def post(self, request):
        enforce_login_csrf(request)
        body = RegisterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = org_services.user_register(**body.validated_data)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(MeSerializer(_me(user)).data, status=status.HTTP_201_CREATED)


class PasswordResetView(APIView):
    """找回密码 with an SMS code sent to the account's mobile."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    allow_initial_password = True

    @extend_schema(
        summary="找回密码: set a new password with a code sent to the account's mobile",
        description=(
            "Ask for the code with `POST /sms/codes/ {phone, purpose: password_reset}`, which "
            "answers 202 whether or not an account has that mobile and sends a code only when "
            "one has. The code is checked under the SMS wrong-code limit and under the login "
            "throttle of `/auth/token/`, as a login of `username` (else of the mobile) from the "
            "caller's address: a wrong code counts as a failed login, 429 `login_locked` with "
            "`Retry-After` while locked. When several accounts have the mobile, `username` "
            "names one (400 `username_required` after a right code). The new password must "
            "pass the password rules and is never 000000, so the account no longer has to "
            "change it; its API token is deleted and its sessions end. The answer names the "
            "account: log in with it."
        ),
        request=PasswordResetSerializer,
        parameters=[RETRY_AFTER],
        responses={200: PasswordResetDoneSerializer, **errors(400, 429)},
    )
    def post(self, request):
        body = PasswordResetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = org_services.user_recover_password(
            **body.validated_data, ip=login_security.client_ip(request)
        )
        return Response({"detail": _("密码已重置，请用新密码登录"), "username": user.username})


class LogoutView(APIView):
    """Log out: the caller's token stops working, or the caller's session ends."""

    permission_classes = [permissions.IsAuthenticated]
    allow_initial_password = True

    @extend_schema(
        summary="Log out: delete my API token, or end my session",
        description=(
            "With a token, the token is deleted. With a session (the mobile site, the "
            "browsable API), the session ends and the account's token is left alone: other "
            "clients stay signed in."
        ),
        request=None,
        responses={204: None, **errors(401)},
    )
    def post(self, request):
        if isinstance(request.auth, Token):
            Token.objects.filter(pk=request.auth.pk).delete()
        else:  # signed in with a session
            logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordView(APIView):
    """Change the password; the only thing an account with the initial password may do."""

    permission_classes = [permissions.IsAuthenticated]
    allow_initial_password = True

    @extend_schema(
        summary="Change my password: the account's API token is replaced",
        description=(
            "On success the account's API token is deleted, so every client that held it must "
            "log in again, and the answer carries a new token for the caller (use it from now "
            "on); a browsable-API session stays signed in, other sessions end. The old password "
            "is checked under the login throttle of `/auth/token/`: a wrong one counts as a "
            "failed login of this account from the caller's address, and while that is locked "
            "the answer is 429 `login_locked` with `Retry-After`, without checking it."
        ),
        request=PasswordChangeSerializer,
        parameters=[RETRY_AFTER],
        responses={200: TokenSerializer, **errors(400, 401, 429)},
    )
    def post(self, request):
        body = PasswordChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = org_services.user_change_password(
            user=request.user, ip=login_security.client_ip(request), **body.validated_data
        )
        if request.auth is None:  # signed in with a session (the browsable API): keep it
            update_session_auth_hash(request, user)
        token = token_for(user)
        return Response({"token": token.key, "must_change_password": user.must_change_password})


class SmsCodeView(IdempotentMixin, APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Send a 6-digit verification code to a phone",
        description=(
            "Limits, each answered with 429 and `Retry-After`: one code a minute per phone "
            "(`throttled`) and 10 a day (`sms_phone_limit`); 20 an hour and 50 a day per "
            "client address (`sms_client_limit`); a platform-wide ceiling "
            "(`sms_platform_limit`). Refused requests are not counted. A phone's checks are "
            "refused for the hour after 10 wrong codes."
        ),
        request=SmsCodeRequestSerializer,
        parameters=[RETRY_AFTER],
        responses={202: SmsCodeSentSerializer, **errors(400, 422, 429)},
    )
    def post(self, request):
        body = SmsCodeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sms_code_issue(**body.validated_data, ip=login_security.client_ip(request))
        return Response(
            {"detail": _("验证码已发送"), "expires_in": int(CODE_TTL.total_seconds())},
            status=status.HTTP_202_ACCEPTED,
        )


INDIVIDUAL = "individual"


def _me(user) -> dict:
    org = user.volunteer_org
    if org is not None:
        org.profile_missing_list = org.profile_missing()
    roles = sorted({m.role for m in user.cached_memberships})
    if not roles and not user.is_provincial_admin:
        roles = [INDIVIDUAL]  # 个人用户: an account without an org
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "roles": roles,
        "is_provincial_admin": user.is_provincial_admin,
        "must_change_password": user.must_change_password,
        "league_org": user.league_org,
        "volunteer_org": org,
        "todo": todo_counts(user=user),
        "unread_notifications": unread_count(user=user),
    }


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Who I am, my org, roles and to-do counts",
        responses={200: MeSerializer, **errors(401, 403)},
    )
    def get(self, request):
        return Response(MeSerializer(_me(request.user)).data)


# A volunteer org's account edits its 完善信息, a league org's its contact details; `kind` in
# the answer says which.
ORG_PROFILE = PolymorphicProxySerializer(
    component_name="OrgProfile",
    serializers={"volunteer": VolunteerOrgProfileSerializer, "league": LeagueOrgProfileSerializer},
    resource_type_field_name="kind",
)
ORG_PROFILE_INPUT = PolymorphicProxySerializer(
    component_name="OrgProfileInput",
    serializers=[VolunteerOrgProfileSerializer, LeagueOrgProfileSerializer],
    resource_type_field_name=None,
)


class MyOrgView(APIView):
    """The profile of my organization: 完善信息 (volunteer org) or 组织信息管理 (league org)."""

    permission_classes = [permissions.IsAuthenticated]

    def _org(self, request):
        user = request.user
        if user.volunteer_org is not None:
            return user.volunteer_org, VolunteerOrgProfileSerializer
        if user.league_org is not None:
            return user.league_org, LeagueOrgProfileSerializer
        raise PermissionDenied(_("只有组织账号有组织信息"))

    @extend_schema(
        summary="My organization's profile (a volunteer org's 完善信息, or a league org's)",
        responses={200: ORG_PROFILE, **errors(401, 403)},
    )
    def get(self, request):
        org, serializer = self._org(request)
        return Response(serializer(org).data)

    def _update(self, request, partial):
        org, serializer = self._org(request)
        body = serializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        if serializer is VolunteerOrgProfileSerializer:
            org = org_services.volunteer_org_update_profile(
                org=org, actor=request.user, data=body.validated_data
            )
        else:
            org = org_services.league_org_update_profile(
                org=org, actor=request.user, data=body.validated_data
            )
        return Response(serializer(org).data)

    @extend_schema(
        summary="完善信息: replace my organization's profile",
        request=ORG_PROFILE_INPUT,
        responses={200: ORG_PROFILE, **errors(400, 401, 403)},
    )
    def put(self, request):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some fields of my organization's profile",
        request=ORG_PROFILE_INPUT,
        responses={200: ORG_PROFILE, **errors(400, 401, 403)},
    )
    def patch(self, request):
        return self._update(request, partial=True)


class MyPointsView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PointsEntrySerializer

    @extend_schema(
        summary="我的积分: balance and ledger entries (newest first, paginated)",
        parameters=[
            OpenApiParameter("page", int, description="页码 (≥ 1)"),
            OpenApiParameter("page_size", int, description="每页条数 (1–100)"),
        ],
        responses={200: PointsSerializer, **errors(401, 403, 404)},
    )
    def get(self, request):
        org = request.user.volunteer_org or request.user.league_org
        if org is None:
            raise PermissionDenied(_("只有组织账号有积分"))
        field = "volunteer_org" if org == request.user.volunteer_org else "league_org"
        page = self.paginate_queryset(
            PointsEntry.objects.filter(**{field: org})
            .select_related("claim__demand", "rating")  # each line's text is rendered from them
            .order_by("-created_at", "-id")
        )
        return Response(
            {
                "balance": points_balance(org=org),
                "count": self.paginator.page.paginator.count,
                "next": self.paginator.get_next_link(),
                "previous": self.paginator.get_previous_link(),
                "entries": PointsEntrySerializer(page, many=True).data,
            }
        )


class MyFavoritesView(generics.ListAPIView):
    """我的收藏."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DemandSerializer
    filter_backends: list = []

    def get_queryset(self):
        return (
            demand_selectors.demand_list(viewer=self.request.user)
            .filter(favorites__user=self.request.user)
            .order_by("-favorites__created_at")
        )

    @extend_schema(
        summary="我的收藏: my favorite demands",
        responses={200: DemandSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def register(router):
    """Plain paths only."""


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/session/", SessionLoginView.as_view(), name="auth-session"),
    path("auth/register/", RegisterView.as_view(), name="auth-register"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/password/", PasswordView.as_view(), name="auth-password"),
    path("auth/password/reset/", PasswordResetView.as_view(), name="auth-password-reset"),
    path("sms/codes/", SmsCodeView.as_view(), name="sms-codes"),
    path("me/", MeView.as_view(), name="me"),
    path("me/org/", MyOrgView.as_view(), name="me-org"),
    path("me/points/", MyPointsView.as_view(), name="me-points"),
    path("me/favorites/", MyFavoritesView.as_view(), name="me-favorites"),
]
