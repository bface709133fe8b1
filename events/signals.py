"""After-commit side effects of model changes: files no longer used are removed once the change is committed;
a release's press kit is built again when its photos or what the kit says about the release change.

The main flow never runs here: the trash, for one, is filled by ``services.releases.event_delete``."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .media.cleanup import delete_when_unreferenced
from .media.kits import kit_build_after_commit
from .media.stored import stored_names
from .models import Attachment, Event, SiteIdentity, TrashedEventContent
from .selectors.identity import forget_site_identity
from .selectors.trash import kept_attachments


@receiver(post_delete, sender=TrashedEventContent, dispatch_uid="events.trashed_event.files_after_delete")
def remove_files_of_expired_trash_entry(sender, instance, **kwargs):
    """A purged trash entry's files go after the commit; a restored one's stay, used by the attachments again."""
    for attachment in kept_attachments(instance):
        delete_when_unreferenced(stored_names(attachment), sha256=attachment.sha256, storage=attachment.file.storage)


@receiver(post_delete, sender=Attachment, dispatch_uid="events.attachment.files_after_delete")
def remove_files_of_deleted_attachment(sender, instance, **kwargs):
    """Deleting an attachment removes its files once the deletion is committed.

    Not when its event was deleted with it: the event's trash entry, written in the same transaction, still
    holds the names, and the clean-up after the commit leaves names in use alone (see media.cleanup).
    """
    delete_when_unreferenced(stored_names(instance), sha256=instance.sha256, storage=instance.file.storage)


@receiver(pre_save, sender=Attachment, dispatch_uid="events.attachment.files_after_replace")
def remove_files_replaced_by_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """A new file or new renditions on an existing attachment leave the old ones unused."""
    if raw or not instance.pk:
        return
    if update_fields is not None and not {"file", "renditions"} & set(update_fields):
        return
    previous = sender.objects.filter(pk=instance.pk).values_list("file", "renditions", "sha256").first()
    if previous is None:
        return
    old_file, old_renditions, old_sha = previous
    old = Attachment(file=old_file, renditions=old_renditions)
    replaced = stored_names(old) - stored_names(instance)
    delete_when_unreferenced(replaced, sha256=old_sha, storage=instance.file.storage)


# What a press kit shows of its release (media.kits: the captions file, the file names, the language).
KIT_FIELDS = frozenset({"title", "slug", "starts_at", "location", "language"})


@receiver(post_save, sender=Attachment, dispatch_uid="events.attachment.kit_after_save")
@receiver(post_delete, sender=Attachment, dispatch_uid="events.attachment.kit_after_delete")
def rebuild_kit_after_photo_change(sender, instance, raw=False, **kwargs):
    """A photo added, changed, reordered or removed: the release's press kit is built again after the commit
    (once per release and transaction; the build finds nothing to do when the kit's content did not change)."""
    if not raw and instance.kind == Attachment.Kind.PHOTO:
        kit_build_after_commit(instance.event_id)


@receiver(post_save, sender=Event, dispatch_uid="events.event.kit_after_save")
def rebuild_kit_after_release_change(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """The release's title, date, place, address or language are in its kit's captions file and names."""
    if raw or created or (update_fields is not None and not KIT_FIELDS & set(update_fields)):
        return
    kit_build_after_commit(instance.pk)


@receiver(post_save, sender=SiteIdentity, dispatch_uid="events.site_identity.forget_after_save")
@receiver(post_delete, sender=SiteIdentity, dispatch_uid="events.site_identity.forget_after_delete")
def forget_cached_site_identity(sender, **kwargs):
    """The name, logo or footer changed: forget the cached copy now (this request shows the change) and again
    after the commit (a reader in between may have cached the old row)."""
    forget_site_identity()
    transaction.on_commit(forget_site_identity)
