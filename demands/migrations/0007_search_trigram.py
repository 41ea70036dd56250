"""Trigram indexes for the demand list's `search` (title or content contains), PostgreSQL only.

DRF's SearchFilter asks `UPPER(title::text) LIKE UPPER('%term%')` (icontains); a GIN index of
pg_trgm trigrams on that same expression answers it for terms of three characters or more
(Chinese included: pg_trgm takes CJK characters as word characters under a UTF-8 ctype). SQLite
has no such index and keeps scanning. `CREATE EXTENSION` needs a superuser (or a trusted
extension); without the right the indexes are left out, the search still works, and
docs/performance.md says how to add them.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

INDEXES = {
    "demand_title_trgm": "UPPER(title)",
    "demand_content_trgm": "UPPER(content)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        logger.warning("pg_trgm is not available (%s): demand search stays unindexed", exc)
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON demands_demand "
            f"USING gin ({expression} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("demands", "0006_list_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
