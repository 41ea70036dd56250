"""Admin for master data: users, orgs, cities, memberships; the audit trail is read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditRecord, City, LeagueOrg, Membership, User, VolunteerOrg


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["league_org", "volunteer_org"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("平台"), {"fields": ("display_name", "mobile", "must_change_password")}),
    )
    list_display = ("username", "display_name", "is_staff", "must_change_password", "is_active")
    list_filter = ("must_change_password", "is_staff", "is_active", "memberships__role")
    search_fields = ("username", "display_name", "mobile")
    inlines = [MembershipInline]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("name", "code")


@admin.register(LeagueOrg)
class LeagueOrgAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "city", "parent")
    list_filter = ("level", "city")
    search_fields = ("code", "name")
    autocomplete_fields = ["parent"]


@admin.register(VolunteerOrg)
class VolunteerOrgAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "registration", "city", "volunteer_count")
    list_filter = ("registration", "city")
    search_fields = ("code", "name", "contact_name")
    autocomplete_fields = ["endorsed_by"]


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "content_type", "object_id", "action", "from_state", "to_state")
    list_filter = ("content_type", "action")
    search_fields = ("reason", "actor__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
