from django.core.management.base import BaseCommand

from events.cache_invalidation import renew_all


class Command(BaseCommand):
    help = (
        "Make every cached page and kept value obsolete, here and in the shared caches in front "
        "(DJANGO_CACHE_PURGE_URLS). Run it after an upgrade that changes how pages look; readers then get pages "
        "made by the new code on their next request."
    )

    def handle(self, *args, **options):
        renew_all()
        self.stdout.write(
            self.style.SUCCESS("Every cached page and kept value will be made again on its next request.")
        )
