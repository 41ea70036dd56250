"""Webhooks in the admin: to look at (and delete an abusive endpoint), never to edit.

An endpoint is created and changed through its org's API only, where its URL passes the SSRF
guard; its secret is the org's and is not shown here.
"""

from django.contrib import admin
from django.db import models

from .models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "volunteer_org", "is_active", "created_at"]
    list_filter = ["is_active"]
    exclude = ["secret"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["kind", "endpoint", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "kind"]
    exclude = ["locked_until"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
