"""Send the webhook deliveries whose retry is due; safe to run from a scheduler (cron)."""

from django.core.management.base import BaseCommand

from webhooks.services import SWEEP_BATCH, webhook_redeliver_due


class Command(BaseCommand):
    help = "Attempt the webhook deliveries whose next attempt is due."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=SWEEP_BATCH)

    def handle(self, *args, limit, **options):
        attempted = webhook_redeliver_due(limit=limit)
        succeeded = sum(1 for d in attempted if d.status == "succeeded")
        self.stdout.write(f"attempted {len(attempted)} delivery(ies), {succeeded} succeeded")
