"""Object-scoped permissions derived from memberships, in the form Viewflow's queues read.

A review task stores `owner_permission = review_permission(league_org_id)`; Viewflow's task
queue keeps the tasks whose permission is in `user.get_all_permissions()`, so a reviewer sees
the tasks of their own league org and no other.
"""

from .choices import Role

REVIEW_PERMISSION_PREFIX = "workflows.review_league_"
# Provincial administrators monitor and manage every claim process, and keep the master data
# in the Django admin: they edit accounts, orgs and memberships and look at the rest. States
# are never edited there (read-only fields); the audit trail cannot be changed by anyone.
ADMIN_PERMISSIONS = frozenset(
    {"workflows.view_claimprocess", "workflows.manage_claimprocess"}
    | {
        f"orgs.{action}_{model}"
        for model in ("user", "leagueorg", "volunteerorg", "membership")
        for action in ("view", "add", "change")
    }
    | {"orgs.view_city", "orgs.view_auditrecord"}
    | {
        f"demands.{action}_{model}"
        for model in ("demand", "initialdemand")
        for action in ("view", "change")
    }
    | {"demands.view_report", "demands.delete_report", "demands.view_studentrecordaccess"}
)


def review_permission(league_org_id: int) -> str:
    return f"{REVIEW_PERMISSION_PREFIX}{league_org_id}"


class OrgRoleBackend:
    """Grants permissions from roles; authenticates nobody (ModelBackend does that)."""

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, "_org_role_perm_cache"):
            perms = set()
            for m in user_obj.cached_memberships:
                if m.role == Role.LEAGUE_REVIEWER:
                    perms.add(review_permission(m.league_org_id))
                elif m.role == Role.PROVINCIAL_ADMIN:
                    perms |= ADMIN_PERMISSIONS
            user_obj._org_role_perm_cache = perms
        return user_obj._org_role_perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
