"""Expire open demands whose period ended unclaimed; safe to run from a scheduler (cron)."""

from django.core.management.base import BaseCommand

from demands.services import demand_expire_due


class Command(BaseCommand):
    help = "Expire open demands whose period ended before today (Asia/Shanghai)."

    def handle(self, *args, **options):
        expired = demand_expire_due()
        self.stdout.write(f"expired {len(expired)} demand(s)")
