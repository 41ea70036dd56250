"""Reference data: Guangdong's 21 prefecture-level cities."""

from django.db import migrations

from orgs.choices import GUANGDONG_CITIES


def load(apps, schema_editor):
    City = apps.get_model("orgs", "City")
    for code, name in GUANGDONG_CITIES:
        City.objects.update_or_create(code=code, defaults={"name": name})


def unload(apps, schema_editor):
    apps.get_model("orgs", "City").objects.filter(
        code__in=[code for code, _ in GUANGDONG_CITIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
