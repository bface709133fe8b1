"""Template helpers for the public pages: dates in each language's own style, event links that remember
where the reader came from, URLs that may not exist yet, and JSON-LD."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models.event import release_url
from ..navigation import with_back
from ..selectors.times import TIME_FORMAT, date_formats, local_times

register = template.Library()


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def press_date(value) -> str:
    """A date (or datetime, in local time) written out the way the current language does it."""
    if not value:
        return ""
    return formats.date_format(_local(value), date_formats()[0])


@register.filter
def press_time(value) -> str:
    if not value:
        return ""
    return formats.date_format(_local(value), TIME_FORMAT)


@register.filter
def event_dates(event) -> str:
    """The day or days of an event where it takes place: "12 November 2010", "12–14 November 2010"."""
    return local_times(event).dates_text


@register.filter
def event_times(event) -> str:
    """The hours of a single-day event that is not all-day, in its venue's zone and labelled ("11:00–13:00
    Moscow time (UTC+3)"); empty otherwise."""
    return local_times(event).times_text


@register.simple_tag
def event_link(event, back: str | None = None) -> str:
    """The event's page, in the event's own language, carrying ``back`` as its "Go back" address."""
    return with_back(event_url(event), back)


def event_url(event) -> str:
    """The event's page in its own language: ``release_url``, the one rule, for model rows and the light named
    rows of ``for_calendar()`` alike."""
    return release_url(slug=event.slug, language=event.language)


@register.simple_tag
def maybe_url(name: str, *args, **kwargs) -> str:
    """``{% url %}`` for routes another part of the project provides; empty while they do not exist.

    Remembered in each process: a page asks for five to seven of these, and routes change only with a
    deployment (a new process)."""
    language, urlconf, prefix = translation.get_language(), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()
    return _maybe_url(name, args, tuple(sorted(kwargs.items())), language, urlconf, prefix)


@lru_cache(maxsize=2048)
def _maybe_url(name: str, args: tuple, kwargs: tuple, language, urlconf, prefix) -> str:
    try:
        return reverse(name, args=args, kwargs=dict(kwargs))
    except NoReverseMatch:
        return ""


_LD_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def ld_json(data) -> str:
    """JSON for a ``<script type="application/ld+json">`` block, which the template writes with autoescape off
    (HTML escapes would corrupt the JSON); ``<``, ``>`` and ``&`` are JSON escapes, so text can never close the
    tag."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_LD_ESCAPES)


DOCUMENT_TYPES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "text/plain": gettext_lazy("Text"),
    "application/zip": "ZIP",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}


@register.filter
def document_type(attachment) -> str:
    """A short, readable file type: "PDF", "Word"…; falls back to the file's extension."""
    known = DOCUMENT_TYPES.get(attachment.content_type)
    if known:
        return str(known)
    name = attachment.original_name or attachment.file.name
    suffix = name.rsplit(".", 1)[-1].upper() if "." in name else ""
    return suffix[:8] or _("File")


@register.filter
def document_size(attachment) -> str:
    return filesizeformat(attachment.size) if attachment.size else ""


@register.simple_tag(takes_context=True)
def without_param(context, *names) -> str:
    """The current query string minus ``names`` (and the page number): the link behind a chip's ✕."""
    request = context["request"]
    query = request.GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path
