"""Decoupled reactions to model changes (cache invalidation, file clean-up) are wired here."""

from django.db.models.signals import post_delete, pre_save
from django.dispatch import receiver

from .media.cleanup import delete_when_unreferenced, stored_names
from .models import Attachment


@receiver(post_delete, sender=Attachment, dispatch_uid="events.attachment.files_after_delete")
def remove_files_of_deleted_attachment(sender, instance, **kwargs):
    """Deleting an attachment (or its event) removes its files once the deletion is committed."""
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
