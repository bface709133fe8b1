from django.conf import settings
from django.core.management.base import BaseCommand

from events.services.trash import purge_trash


class Command(BaseCommand):
    help = (
        "Remove for good what deleted events keep in the trash once their deletion is older than CSO_TRASH_DAYS: "
        "the kept attachment records and their stored files (unless another record still uses them). "
        "Run it daily, e.g. from cron."
    )

    def handle(self, *args, **options):
        entries, attachments = purge_trash()
        self.stdout.write(
            self.style.SUCCESS(
                f"Purged {entries} trash entr{'y' if entries == 1 else 'ies'} older than {settings.CSO_TRASH_DAYS} "
                f"days ({attachments} attachment(s) and their files)."
            )
        )
