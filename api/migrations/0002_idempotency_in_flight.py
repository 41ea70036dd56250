# Keys are recorded before their request runs (state in_flight), are only for logged-in users,
# hold 255 characters and expire after 24 h. The records kept so far are deleted: they may hold
# student records and unmasked mobiles, and anonymous keys that every caller shared.

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def delete_records(apps, schema_editor):
    apps.get_model("api", "IdempotencyRecord").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(delete_records, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="key",
            field=models.CharField(max_length=255),
        ),
        migrations.AddField(
            model_name="idempotencyrecord",
            name="state",
            field=models.CharField(
                choices=[("in_flight", "处理中"), ("done", "已完成")],
                default="in_flight",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="status",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="body",
            field=models.JSONField(
                encoder=django.core.serializers.json.DjangoJSONEncoder, null=True
            ),
        ),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="created_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="idempotencyrecord",
            index=models.Index(fields=["created_at"], name="idempotency_created_at"),
        ),
    ]
