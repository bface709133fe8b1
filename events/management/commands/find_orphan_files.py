from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from events.media.cleanup import find_orphans


class Command(BaseCommand):
    help = (
        "List stored media files that no attachment refers to. Dry run by default; --delete removes them. "
        "Files younger than --min-age-minutes are skipped, so uploads in progress are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Delete the orphaned files.")
        parser.add_argument(
            "--min-age-minutes",
            type=int,
            default=None,
            help="Ignore files modified more recently (default: CSO_ORPHAN_FILE_GRACE_MINUTES, 60).",
        )

    def handle(self, *args, delete=False, min_age_minutes=None, **options):
        if min_age_minutes is None:
            min_age_minutes = settings.CSO_ORPHAN_FILE_GRACE_MINUTES
        age = timedelta(minutes=min_age_minutes) if min_age_minutes > 0 else None
        orphans = find_orphans(default_storage, older_than=age)
        for name in orphans:
            self.stdout.write(name)
            if delete:
                default_storage.delete(name)
        verb = "Deleted" if delete else "Found"
        hint = "" if delete or not orphans else " Run again with --delete to remove them."
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(orphans)} orphaned file(s).{hint}"))
