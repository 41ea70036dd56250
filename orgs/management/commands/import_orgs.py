"""Import league and volunteer orgs with their accounts from a 智慧团建 CSV export."""

from django.core.management.base import BaseCommand, CommandError

from orgs.services import ImportRejected, orgs_import_csv


class Command(BaseCommand):
    help = (
        "Create or update orgs and accounts from a CSV with columns "
        "kind,code,name,parent_code,city,username (kind: league or volunteer). "
        "New accounts get the initial password 000000 and must change it. "
        "A file with any bad row is refused whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (UTF-8, with or without BOM)")

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8-sig", newline="") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            report = orgs_import_csv(text)
        except ImportRejected as exc:
            for line, message in exc.errors:
                self.stderr.write(f"{path}:{line}: {message}")
            raise CommandError(f"{len(exc.errors)} bad row(s); nothing was imported") from exc
        c, u = report.created, report.updated
        self.stdout.write(
            f"league orgs: {c['league']} created, {u['league']} updated; "
            f"volunteer orgs: {c['volunteer']} created, {u['volunteer']} updated; "
            f"accounts: {c['user']} created; {report.unchanged} unchanged"
        )
