from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from events.archive import ArchiveError, import_archive


class Command(BaseCommand):
    help = (
        "Restore a backup archive written by export_archive into a freshly migrated database (run migrate first; "
        "the role groups it makes are replaced by the archive's) and empty media storage."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="The .zip file written by export_archive.")

    def handle(self, source: Path, **options):
        if not source.is_file():
            raise CommandError(f"{source} is not a file.")
        try:
            summary = import_archive(source)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored {source}: {summary}."))
