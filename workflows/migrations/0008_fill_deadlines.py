"""Claims made before the deadlines existed get their due times (docs/deadlines.md): a pending
claim's review from when it was made, an approved claim's activity from when it was approved
(never after its demand's period). Escalations and lapses then follow from the sweep."""

from django.db import migrations

from workflows import deadlines


def fill(apps, schema_editor):
    Claim = apps.get_model("workflows", "Claim")
    pending = Claim.objects.filter(status="pending", review_due_at__isnull=True)
    for claim in pending.only("pk", "created_at").iterator(chunk_size=500):
        Claim.objects.filter(pk=claim.pk).update(
            review_due_at=deadlines.review_due(claim.created_at)
        )
    approved = Claim.objects.filter(status="approved", activity_due_at__isnull=True)
    for claim in (
        approved.select_related("demand")
        .only("pk", "created_at", "decided_at", "demand__end_date")
        .iterator(chunk_size=500)
    ):
        Claim.objects.filter(pk=claim.pk).update(
            activity_due_at=deadlines.activity_due(
                claim.decided_at or claim.created_at, claim.demand.end_date
            )
        )


class Migration(migrations.Migration):
    dependencies = [("workflows", "0007_deadlines")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
