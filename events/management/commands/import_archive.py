from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from events.archive import ArchiveError, import_archive
from events.cache_invalidation import renew_all

from .export_archive import progress_printer


class Command(BaseCommand):
    help = (
        "Restore a backup archive written by export_archive into a freshly migrated database (run migrate first; "
        "the role groups it makes are replaced by the archive's) and empty media storage, in constant memory and "
        "one transaction: all of it or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="The .zip file written by export_archive.")

    def handle(self, source: Path, **options):
        if not source.is_file():
            raise CommandError(f"{source} is not a file.")
        progress = progress_printer(self.stderr) if options["verbosity"] >= 2 else None
        try:
            summary = import_archive(source, progress=progress)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        renew_all()  # the restored rows were written without signals: nothing cached before may be served
        self.stdout.write(self.style.SUCCESS(f"Restored {source}: {summary}."))
        if summary.missing:
            self.stderr.write(
                self.style.WARNING(f"The archive was made without {len(summary.missing)} missing file(s).")
            )
