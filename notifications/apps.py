from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("通知")

    def ready(self):
        # The services emit domain events; this app listens (orgs.events): a notification is
        # written in the transaction of the change it reports.
        from orgs import events

        from .services import notifications_for_event

        events.subscribe(notifications_for_event)
