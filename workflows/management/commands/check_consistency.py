"""Check the invariants between claims, processes, demands, ratings, points and the audit trail."""

from django.core.management.base import BaseCommand, CommandError

from workflows.consistency import consistency_report


class Command(BaseCommand):
    help = (
        "Check that claims, their Viewflow processes, demands, ratings, points and the audit "
        "trail agree (workflows/consistency.py lists the invariants). Prints each violation "
        "and exits 1; exits 0 when all is well. Read-only; safe to run from cron."
    )

    def handle(self, *args, **options):
        report = consistency_report()
        for violation in report.violations:
            self.stdout.write(violation)
        if report.violations:
            raise CommandError(
                f"{len(report.violations)} inconsistencies in {report.claims} claims, "
                f"{report.demands} demands"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"consistent: {report.claims} claims, {report.demands} demands checked"
            )
        )
