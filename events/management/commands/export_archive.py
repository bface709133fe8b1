from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from events.archive import ArchiveError, Progress, export_archive
from events.archive.export import missing_message


def progress_printer(stream):
    """The progress callback of both commands: one line per report ('rows 1200/56000, files 0/300')."""

    def show(progress: Progress) -> None:
        stream.write(
            f"{progress.phase}: rows {progress.rows_done}/{progress.rows_total}, "
            f"files {progress.files_done}/{progress.files_total}"
        )

    return show


class Command(BaseCommand):
    help = (
        "Write a backup archive (zip): every table of the site as JSON lines, every stored file its rows refer to, "
        "and SHA-256 checksums, in constant memory. Fails, naming them and their releases, when referenced files "
        "are missing (unless --allow-missing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="The .zip file to write, e.g. backup-2025-05-01.zip")
        parser.add_argument("--force", action="store_true", help="Replace the file if it already exists.")
        parser.add_argument(
            "--allow-missing",
            action="store_true",
            help="Write the archive even when stored files are missing; they are listed at the end (and in the "
            "manifest), and the restore accepts their absence.",
        )

    def handle(self, destination: Path, force: bool, allow_missing: bool, **options):
        if destination.exists() and not force:
            raise CommandError(f"{destination} already exists; pass --force to replace it.")
        if not destination.parent.is_dir():
            raise CommandError(f"The folder {destination.parent} does not exist.")
        progress = progress_printer(self.stderr) if options["verbosity"] >= 2 else None
        try:
            summary = export_archive(destination, progress=progress, allow_missing=allow_missing)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {destination}: {summary}."))
        if summary.missing:
            self.stderr.write(
                self.style.WARNING(
                    "Warning: " + missing_message([(name, "") for name in summary.missing]) + " (left out)."
                )
            )
