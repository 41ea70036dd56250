"""An index on Viewflow's process table for the process monitor's order, newest first.

Viewflow indexes its process table by artifact only (viewflow 0011), and the monitor
(workflows.monitor) lists processes by `-created`: without this index every page sorts every
process (100 ms at 55,000 processes; 1 ms with it, docs/performance.md). The table is
Viewflow's, so the index is created here by name with SQL that both databases take, and
dropped on the way back. tests/test_indexes.py checks that it is there: a later Viewflow
migration that rebuilds the table on SQLite would drop it without a word.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0003_list_indexes"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS viewflow_process_created ON viewflow_process (created)",
            "DROP INDEX IF EXISTS viewflow_process_created",
            elidable=False,
        )
    ]
