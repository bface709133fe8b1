from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from events.archive import ArchiveError, export_archive


class Command(BaseCommand):
    help = (
        "Write a backup archive (zip): every table of the site as JSON, every stored file its rows refer to, "
        "and SHA-256 checksums. Fails, naming them, when referenced files are missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="The .zip file to write, e.g. backup-2025-05-01.zip")
        parser.add_argument("--force", action="store_true", help="Replace the file if it already exists.")

    def handle(self, destination: Path, force: bool, **options):
        if destination.exists() and not force:
            raise CommandError(f"{destination} already exists; pass --force to replace it.")
        if not destination.parent.is_dir():
            raise CommandError(f"The folder {destination.parent} does not exist.")
        try:
            summary = export_archive(destination)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {destination}: {summary}."))
