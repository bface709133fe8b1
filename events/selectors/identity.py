"""The office's identity as every page, feed and calendar shows it: one cache read, the row only on a miss.

``site_identity()`` is the one place that decides what the site is called: the administrator's value for the
interface language, else the English one (for the name), else the default from settings. The row is kept in
the shared cache under ``IDENTITY_KEY`` and forgotten whenever it is saved (``events/signals.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext

from ..models import SiteIdentity
from ..models.identity import ROW_ID
from ..page_cache import SITE_TAG, forget_in_request, once_per_request, tag_version_if_read

IDENTITY_KEY = "cso:site-identity"
# Stored in the cache when there is no row, so that a site nobody has named yet does not ask every time.
NO_ROW = "none"
DEFAULT_LOGO = "img/emblem.svg"


@dataclass(frozen=True)
class Identity:
    name: str
    short_name: str
    footer: str
    logo_url: str
    # Changes whenever the row does: part of the key of anything rendered from the identity.
    stamp: str

    def __str__(self) -> str:
        return self.name


def _default_names() -> dict[str, str]:
    return {"en": settings.CSO_SITE_NAME, "ru": settings.CSO_SITE_NAME_RU}


def _stored_row() -> dict | str:
    row = SiteIdentity.objects.filter(pk=ROW_ID).first()
    if row is None:
        return NO_ROW
    return {
        "name": {"en": row.name_en, "ru": row.name_ru},
        "short_name": {"en": row.short_name_en, "ru": row.short_name_ru},
        "footer": {"en": row.footer_en, "ru": row.footer_ru},
        "logo_url": row.logo.url if row.logo else "",
        "stamp": row.changed_at.isoformat(),
    }


def _pick(values: dict[str, str], language: str) -> str:
    return values.get(language, "").strip()


def _identity_from(stored: dict | str, language: str) -> Identity:
    row = stored if isinstance(stored, dict) else None
    defaults = _default_names()
    with translation.override(language):
        name = (
            (row and (_pick(row["name"], language) or _pick(row["name"], "en")))
            or defaults.get(language)
            or settings.CSO_SITE_NAME
        )
        short_name = (row and (_pick(row["short_name"], language) or _pick(row["short_name"], "en"))) or name
        footer = (row and _pick(row["footer"], language)) or gettext(
            "Material on this site may be reproduced with a reference to the press office."
        )
    return Identity(
        name=name,
        short_name=short_name,
        footer=footer,
        logo_url=(row and row["logo_url"]) or static(DEFAULT_LOGO),
        stamp=f"{language}:{row['stamp'] if row else 'default'}",
    )


def _language(language: str | None) -> str:
    return (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]


def site_identity(language: str | None = None) -> Identity:
    """The identity in ``language`` (default: the active one).

    The cached row is filed with the version of the ``site`` cache tag it was read under, which a rename changes
    (events/cache_invalidation.py). Where the request knows that version already (every public page the page
    cache makes reads its tags first), the row is used only under it: a Redis that missed the rename (it was
    down, or came back from an older snapshot) or another app server that cached the old row a moment before
    cannot put the old name on a page. Elsewhere (staff screens) the cached row is used as it is, at no cost.
    """
    language = _language(language)
    # A page names the office in its title, head, header and footer: one cache read per request is enough.
    return once_per_request(f"{IDENTITY_KEY}:{language}", lambda: _identity_from(_kept_row(), language))


def _kept_row() -> dict | str:
    version = tag_version_if_read(SITE_TAG)
    cached = cache.get(IDENTITY_KEY)
    if isinstance(cached, tuple) and len(cached) == 2 and (version is None or cached[0] == version):
        return cached[1]
    stored = _stored_row()
    cache.set(IDENTITY_KEY, (version, stored), None)
    return stored


def default_identity(language: str | None = None) -> Identity:
    """The identity from settings alone, for pages that must render without the database (the 500 page)."""
    return _identity_from(NO_ROW, _language(language))


def site_name(language: str | None = None) -> str:
    return site_identity(language).name


def forget_site_identity() -> None:
    cache.delete(IDENTITY_KEY)
    forget_in_request(IDENTITY_KEY)
