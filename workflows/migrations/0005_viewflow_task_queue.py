"""An index on Viewflow's task table for the reviewer's queue (workspace.queue).

The queue is the review tasks in state NEW that carry one of the reviewer's league orgs'
review permissions, newest first, with its count on every page. Without this index the
queue reads every NEW task of the province through the status index and drops those of
other league orgs; with it, only the reviewer's own (docs/performance.md). Viewflow's table,
so created by name with SQL that both databases take, as 0004 does, and checked by
tests/test_indexes.py.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workflows", "0004_viewflow_process_created")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS viewflow_task_queue ON viewflow_task "
            "(owner_permission, status, created)",
            "DROP INDEX IF EXISTS viewflow_task_queue",
            elidable=False,
        )
    ]
