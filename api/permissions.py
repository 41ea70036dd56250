"""API permissions: the initial-password gate and the role checks of the endpoints."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


class InitialPasswordChanged(permissions.BasePermission):
    """An account with the initial password may only change it (403 password_change_required)."""

    message = _("请先修改初始密码")
    code = "password_change_required"

    def has_permission(self, request, view):
        user = request.user
        if getattr(view, "allow_initial_password", False):
            return True
        return not (user and user.is_authenticated and user.must_change_password)


class IsLeagueReviewer(permissions.BasePermission):
    message = _("只有团组织账号可以进行此操作")

    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and request.user.reviewer_league_org_ids())


class IsOrgOperator(permissions.BasePermission):
    message = _("只有志愿服务组织账号可以进行此操作")

    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and request.user.operated_volunteer_org_ids())
