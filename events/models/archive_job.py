"""A backup archive made (or restored) as a background job, with the progress the admin's Archive page shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

# Every string here has the context "archive": short words such as "Done" mean other things elsewhere.


class ArchiveJob(models.Model):
    """One export (or import) of the whole site. Its rows belong to this server: a backup never carries them.

    ``file_name`` is the archive's name in the default storage (under ``private/archives/``), a plain string on
    purpose: a ``FileField`` would make the archive a file "the content refers to", and the next archive would
    carry the previous one.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", pgettext_lazy("archive", "Export")
        IMPORT = "import", pgettext_lazy("archive", "Import")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("archive", "Waiting for a worker")
        RUNNING = "running", pgettext_lazy("archive", "Running")
        DONE = "done", pgettext_lazy("archive", "Done")
        FAILED = "failed", pgettext_lazy("archive", "Failed")

    kind = models.CharField(pgettext_lazy("archive", "kind"), max_length=10, choices=Kind.choices, default=Kind.EXPORT)
    state = models.CharField(
        pgettext_lazy("archive", "state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    rows_done = models.BigIntegerField(pgettext_lazy("archive", "rows done"), default=0)
    rows_total = models.BigIntegerField(pgettext_lazy("archive", "rows in all"), default=0)
    files_done = models.BigIntegerField(pgettext_lazy("archive", "files done"), default=0)
    files_total = models.BigIntegerField(pgettext_lazy("archive", "files in all"), default=0)
    file_name = models.CharField(pgettext_lazy("archive", "archive file"), max_length=255, blank=True)
    file_size = models.BigIntegerField(pgettext_lazy("archive", "archive size"), default=0)
    message = models.TextField(pgettext_lazy("archive", "message"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("archive", "started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(pgettext_lazy("archive", "created at"), auto_now_add=True)
    started_at = models.DateTimeField(pgettext_lazy("archive", "started at"), null=True, blank=True)
    finished_at = models.DateTimeField(pgettext_lazy("archive", "finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("archive", "archive job")
        verbose_name_plural = pgettext_lazy("archive", "archive")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}
