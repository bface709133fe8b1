"""The office's identity: its name, short name, logo and footer line in each interface language."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..media.fields import CleanPictureField, logos_upload_to

# The one row of the table.
ROW_ID = 1


class SiteIdentity(models.Model):
    """One row an administrator edits in the admin; an empty field falls back to the defaults in settings
    (``CSO_SITE_NAME``, ``CSO_SITE_NAME_RU``), so a fresh site is never nameless."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW_ID, editable=False)
    name_en = models.CharField(
        _("name in English"),
        max_length=200,
        blank=True,
        help_text=_("The organisation's full name: the header, page titles, feeds and calendars."),
    )
    name_ru = models.CharField(_("name in Russian"), max_length=200, blank=True)
    short_name_en = models.CharField(
        _("short name in English"),
        max_length=60,
        blank=True,
        help_text=_("An abbreviation for narrow screens and calendar names; empty: the full name."),
    )
    short_name_ru = models.CharField(_("short name in Russian"), max_length=60, blank=True)
    footer_en = models.CharField(
        _("footer line in English"),
        max_length=300,
        blank=True,
        help_text=_("One sentence under the name at the foot of every page; empty: the reproduction notice."),
    )
    footer_ru = models.CharField(_("footer line in Russian"), max_length=300, blank=True)
    logo = CleanPictureField(
        _("logo"),
        upload_to=logos_upload_to,
        blank=True,
        help_text=_("JPEG, PNG or WebP, shown 48 pixels high beside the name; empty: the emblem."),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("site identity")
        verbose_name_plural = _("site identity")
        constraints = [models.CheckConstraint(condition=Q(id=ROW_ID), name="events_siteidentity_one_row")]

    def __str__(self) -> str:
        return str(_("Site identity"))
