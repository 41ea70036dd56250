"""API permissions: the role gates of the endpoints (object rights are the services')."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


class IsLeagueReviewer(permissions.BasePermission):
    message = _("只有团组织账号可以进行此操作")

    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and request.user.reviewer_league_org_ids())


class IsOrgOperator(permissions.BasePermission):
    message = _("只有志愿服务组织账号可以进行此操作")

    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and request.user.operated_volunteer_org_ids())


class IsOrgUser(permissions.BasePermission):
    """A user of a league org or a volunteer org, or a provincial administrator."""

    message = _("只有组织账号可以查看认领")

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user.is_authenticated
            and (
                user.is_provincial_admin
                or user.reviewer_league_org_ids()
                or user.operated_volunteer_org_ids()
            )
        )
