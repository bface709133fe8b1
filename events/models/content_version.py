"""The version of public content that the page cache checks every cached page and value against."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The one row of the table.
ROW_ID = 1


class ContentVersion(models.Model):
    """One row, given a new random value after every committed change to press-office records.

    It lives in the database, not in Redis with the pages it validates: a Redis restarted from an old snapshot,
    or one that evicted keys, then cannot make an old page look current again.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW_ID, editable=False)
    version = models.BigIntegerField(_("version"))
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")
        constraints = [models.CheckConstraint(condition=Q(id=ROW_ID), name="events_contentversion_one_row")]

    def __str__(self) -> str:
        return f"Content version {self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class CacheTagVersion(models.Model):
    """The version of one cache tag (``release:12``, ``section:3``, ``list:home`` …): cached pages record the
    versions of the tags they show, and are served only while every one is unchanged.

    A tag without a row has version 0. A change gives each of its tags a new random value (never the old one
    plus one: a database restored from a backup must not reach again a number that Redis may still hold).
    Like ``ContentVersion`` it lives in the database, beside what it describes, so several app servers agree
    on it and a Redis restart or eviction cannot make an old page look current.
    """

    tag = models.CharField(_("tag"), max_length=200, primary_key=True)
    version = models.BigIntegerField(_("version"))
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("cache tag version")
        verbose_name_plural = _("cache tag versions")

    def __str__(self) -> str:
        return f"{self.tag} {self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
