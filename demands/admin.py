"""Admin for demands and reports; states are changed only by the services, never here."""

from django.contrib import admin

from .models import Demand, DemandStatus, InitialDemand, Report, StudentRecordAccess


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = ("title", "zone", "status", "league_org", "city", "published_at")
    list_filter = ("status", "zone", "type", "city")
    search_fields = ("title", "content", "league_org__name")
    readonly_fields = ("status", "published_at", "created_by")
    raw_id_fields = ("league_org", "initial_demands")

    def get_readonly_fields(self, request, obj=None):
        # A published demand is what orgs claimed and its process runs on: like the API, the
        # admin edits drafts only, and never moves a demand to another league org (its review
        # tasks and points belong to that org).
        if obj is None:
            return self.readonly_fields
        if obj.status != DemandStatus.DRAFT:
            return [f.name for f in obj._meta.fields] + ["initial_demands"]
        return (*self.readonly_fields, "league_org")


@admin.register(InitialDemand)
class InitialDemandAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "league_org", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "league_org__name")
    readonly_fields = ("status", "decided_at", "submitter")
    raw_id_fields = ("league_org",)

    def get_readonly_fields(self, request, obj=None):
        # Addressed to one league org for good: its reviewers decide it and see the student.
        return self.readonly_fields if obj is None else (*self.readonly_fields, "league_org")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("demand", "user", "reason", "created_at")
    search_fields = ("reason", "demand__title")
    raw_id_fields = ("demand", "user")


@admin.register(StudentRecordAccess)
class StudentRecordAccessAdmin(admin.ModelAdmin):
    """Who read which minor's record: for administrators to look at, never to edit."""

    list_display = ("at", "user", "record", "via")
    list_filter = ("via",)
    search_fields = ("user__username", "record__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
