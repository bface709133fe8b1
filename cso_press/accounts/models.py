"""Backup codes for two-factor login, kept only as keyed hashes.

A person's backup codes form one django-otp device (``BackupCodeDevice``): it gives them the same
throttling after a wrong code and the same "this session proved the second factor" record as the
authenticator app. The codes themselves are shown once, when they are made, and stored only as
HMAC-SHA256 digests keyed with the site's secret key. A slow password hash (PBKDF2) would make every
sign-in with a backup code check up to ten slow hashes; a plain, unkeyed digest of an eight-character code
(40 random bits) could be reversed by trying every code. Keyed, a copy of the database or of a backup is not
enough: the secret key, which is never in either, is needed too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

# Changing this string invalidates every stored backup code; events' data migration 0011 uses the same one. It
# still names "events", where the codes were made before they moved to this app, and must keep doing so.
BACKUP_CODE_KEY_SALT = "events.BackupCode"


def backup_code_digest(code: str, *, secret: str | bytes | None = None) -> str:
    """The stored form of a (normalised) backup code."""
    return salted_hmac(BACKUP_CODE_KEY_SALT, code, secret=secret, algorithm="sha256").hexdigest()


def backup_code_digests(code: str) -> list[str]:
    """The digests ``code`` may be stored under: with the secret key, then with each retired one."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [backup_code_digest(code, secret=secret) for secret in secrets]


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """One person's set of single-use backup codes."""

    class Meta:
        # The tables made by events' migration 0011, kept when the model moved here (no data was copied).
        db_table = "events_backupcodedevice"
        verbose_name = _("backup codes")
        verbose_name_plural = _("backup codes")

    def get_throttle_factor(self) -> int:
        return 1

    def unused_codes(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()

    def verify_token(self, token) -> bool:
        """Use up the backup code ``token`` if it is one of this device's unused codes."""
        allowed, _extra = self.verify_is_allowed()
        if not allowed:
            return False
        # One conditional UPDATE: of two requests racing with the same code, only one sees a row change.
        used = self.codes.filter(code_hash__in=backup_code_digests(str(token)), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return bool(used)


class BackupCode(models.Model):
    """One backup code, as its digest; ``used_at`` is set when it signs someone in, and then it never works again."""

    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(_("digest"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        db_table = "events_backupcode"
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")
        constraints = [models.UniqueConstraint(fields=["device", "code_hash"], name="backup_code_unique_per_device")]

    def __str__(self) -> str:
        return str(_("used backup code") if self.used_at else _("unused backup code"))
