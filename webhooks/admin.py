from django.contrib import admin

from .models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "volunteer_org", "is_active", "created_at"]
    list_filter = ["is_active"]
    # The secret is the org's: never shown here.
    exclude = ["secret"]
    readonly_fields = ["volunteer_org", "created_by"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["kind", "endpoint", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
