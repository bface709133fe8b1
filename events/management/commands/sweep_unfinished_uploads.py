from django.core.management.base import BaseCommand

from events.media.services import sweep_unfinished_uploads


class Command(BaseCommand):
    help = (
        "Send photos stuck in processing to the workers again (after CSO_PHOTO_PROCESSING_STALE_MINUTES), mark "
        "them failed after CSO_PHOTO_PROCESSING_MAX_ATTEMPTS tries, and delete failed photos older than "
        "CSO_FAILED_PHOTO_DAYS with their files. Celery beat runs it every 10 minutes (maintenance tasks)."
    )

    def handle(self, *args, **options):
        result = sweep_unfinished_uploads()
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent again: {result['resent']}; marked failed: {result['failed']}; removed: {result['removed']}."
            )
        )
