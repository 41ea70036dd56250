from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhook")

    def ready(self):
        # The services emit events without knowing who listens (orgs/events.py).
        from orgs import events

        from .services import webhook_event_received

        events.subscribe(webhook_event_received)
