"""``manage.py load_demo``: the demo content of the fictional CSO press service, and the demo accounts."""

from django.core.management.base import BaseCommand

from demo.services import ADMIN_URL, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo content (sections, organisations, people, about a hundred releases with photos) and "
        "create the demo accounts. Safe to run again: it only adds what is missing, and leaves demo rows you "
        "edited alone unless you pass --refresh."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print only the accounts, not the counts.")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Also put the demo rows back as written and move their dates to today (photos are kept).",
        )

    def handle(self, *args, quiet=False, refresh=False, **options):
        report = demo_load(refresh=refresh)
        if not quiet:
            self.stdout.write(self.style.MIGRATE_HEADING("Demo content"))
            width = max(len(name) for name in report.counts)
            for name, count in report.counts.items():
                self.stdout.write(f"  {name:<{width}}  {count:>4}")
            self.stdout.write(
                f"  This run: {report.events_created} events created, {report.events_updated} updated, "
                f"{report.events_unchanged} unchanged; {report.files_created} files written."
            )
        self.stdout.write(self.style.MIGRATE_HEADING(f"Admin: {ADMIN_URL}"))
        for account in report.accounts:
            role = "superuser" if account.is_superuser else ", ".join(account.groups)
            self.stdout.write(f"  username: {account.username:<8} password: {account.password}   ({role})")
