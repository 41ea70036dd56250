"""Admin for demands and reports; states are changed only by the services, never here.

The admin keeps the rules every other page keeps: contact mobiles masked and never edited here
(a mobile is verified by SMS where it is entered), no student's name anywhere.
"""

from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from orgs.admin import MaskedMobilesAdmin, masked_mobile_display

from .models import Demand, DemandStatus, InitialDemand, Report, StudentRecordAccess


@admin.register(Demand)
class DemandAdmin(MaskedMobilesAdmin):
    list_display = ("title", "zone", "status", "league_org", "city", "published_at")
    list_filter = ("status", "zone", "type", "city")
    search_fields = ("title", "content", "league_org__name")
    readonly_fields = ("status", "published_at", "created_by")
    raw_id_fields = ("league_org", "initial_demands")

    masked_contact_mobile = masked_mobile_display(Demand, "contact_mobile")

    def has_add_permission(self, request):
        # A demand is created by demand_create: its mobile verified, its creation audited.
        return False

    def get_readonly_fields(self, request, obj=None):
        # A published demand is what orgs claimed and its process runs on: like the API, the
        # admin edits drafts only, and never moves a demand to another league org (its review
        # tasks and points belong to that org).
        if obj is None:
            fields = self.readonly_fields
        elif obj.status != DemandStatus.DRAFT:
            fields = [f.name for f in obj._meta.fields] + ["initial_demands"]
        else:
            fields = (*self.readonly_fields, "league_org")
        return self.with_masked_mobiles(fields, obj)


@admin.register(InitialDemand)
class InitialDemandAdmin(MaskedMobilesAdmin):
    list_display = ("title", "kind", "status", "league_org", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "league_org__name")
    readonly_fields = ("status", "decided_at", "submitter")
    raw_id_fields = ("league_org",)

    masked_contact_mobile = masked_mobile_display(InitialDemand, "contact_mobile")

    def has_add_permission(self, request):
        # Submitted by the individual through initial_demand_submit (SMS-verified, audited).
        return False

    def get_readonly_fields(self, request, obj=None):
        # Addressed to one league org for good: its reviewers decide it and see the student.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else [*fields, "league_org"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("demand", "user", "reason", "created_at")
    search_fields = ("reason", "demand__title")
    raw_id_fields = ("demand", "user")


@admin.register(StudentRecordAccess)
class StudentRecordAccessAdmin(admin.ModelAdmin):
    """Who read which minor's record: for administrators to look at, never to edit.

    The record is named by its id and its initial demand's, never by the student's name, and
    the log cannot be searched by name: it must not become a second way to find a child. An
    access has no page of its own, as its title would name the student (the model's __str__).
    """

    list_display = ("at", "user", "student_record", "initial_demand", "via")
    list_display_links = None
    list_filter = ("via",)
    search_fields = ("user__username",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(initial_demand_pk=F("record__initial_demand_id"))
        )

    @admin.display(description=_("学生信息编号"), ordering="record_id")
    def student_record(self, obj):
        return obj.record_id

    @admin.display(description=_("初始需求编号"), ordering="initial_demand_pk")
    def initial_demand(self, obj):
        return obj.initial_demand_pk

    def has_view_permission(self, request, obj=None):
        return obj is None and super().has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
