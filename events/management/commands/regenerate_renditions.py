from django.core.management.base import BaseCommand
from django.db import transaction

from events.media.cleanup import delete_when_unreferenced
from events.media.photos import regenerate, rendition_names
from events.models import Attachment


class Command(BaseCommand):
    help = "Rebuild the thumbnail, medium, large and social renditions of every photo (after sizes change)."

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="Only photos that have no renditions yet.")
        parser.add_argument("--event", type=int, help="Only the photos of the event with this id.")

    def handle(self, *args, missing=False, event=None, **options):
        # Photos still processing (or failed) are the task's: media.render_photo makes theirs.
        photos = Attachment.objects.filter(kind=Attachment.Kind.PHOTO, state=Attachment.State.READY)
        photos = photos.exclude(file="").order_by("pk")
        if event:
            photos = photos.filter(event_id=event)
        # Copies of a photo (translations) share one stored file: build its renditions once for all of them.
        by_file: dict[str, list[Attachment]] = {}
        for photo in photos:
            if missing and photo.renditions.get("thumb"):
                continue
            by_file.setdefault(photo.file.name, []).append(photo)
        done = failed = 0
        for file_name, sharing in by_file.items():
            first = sharing[0]
            try:
                renditions = regenerate(first)
            except Exception as error:  # One unreadable file must not stop the others; say which.
                failed += 1
                self.stderr.write(f"{file_name} (attachment {first.pk}): {error}")
                continue
            old = set().union(*(rendition_names(photo.renditions) for photo in sharing))
            with transaction.atomic():
                Attachment.objects.filter(pk__in=[photo.pk for photo in sharing]).update(renditions=renditions)
                delete_when_unreferenced(old - rendition_names(renditions), storage=first.file.storage)
            done += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{file_name}: {len(sharing)} attachment(s)")
        self.stdout.write(self.style.SUCCESS(f"Renditions rebuilt for {done} stored photo(s); {failed} failed."))
