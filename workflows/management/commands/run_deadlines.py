"""Run the deadline sweep (escalate reviews, warn and lapse claims) once, or every N seconds."""

import time

from django.core.management.base import BaseCommand, CommandError

from workflows.sweeps import deadlines_run


class Command(BaseCommand):
    help = (
        "Escalate open reviews up the league tree, warn approved claimers before their "
        "activity is due and lapse the claims past it (docs/deadlines.md). Idempotent and safe "
        "to run concurrently. Celery beat runs it every 10 minutes; without a broker, run it "
        "from cron or with --loop."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="run again every SECONDS until interrupted (a machine without Celery)",
        )

    def handle(self, *args, loop=None, **options):
        if loop is not None and loop < 1:
            raise CommandError("--loop takes a number of seconds, at least 1")
        while True:
            result = deadlines_run()
            counts = {name: len(ids) for name, ids in result.as_dict().items()}
            self.stdout.write(
                "escalated {escalated}, warned {warned}, lapsed {lapsed}".format(**counts)
            )
            if loop is None:
                return
            time.sleep(loop)
