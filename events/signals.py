"""After-commit side effects of model changes: files no longer used are removed once the change is committed.

The main flow never runs here: the trash, for one, is filled by ``services.releases.event_delete``."""

from django.db.models.signals import post_delete, pre_save
from django.dispatch import receiver

from .media.cleanup import delete_when_unreferenced
from .media.stored import stored_names
from .models import Attachment, TrashedEventContent
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
