from django.core.management.base import BaseCommand

from events.media.relocation import make_release_files_private


class Command(BaseCommand):
    help = (
        "Move release photos, renditions and documents stored before files became private (attachments/…, "
        "renditions/…) under private/, and update the records. Safe to run again; --dry-run only lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would move; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        report = make_release_files_private(dry_run=dry_run)
        for name in report.missing:
            self.stderr.write(f"Missing, left as it is: {name}")
        verb = "Would move" if dry_run else "Moved"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(report.moved)} file(s) under private/."))
