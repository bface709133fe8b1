"""One row of an events list, written out in Python.

Lists show twenty rows, and the home page, search, sections, people and organisations all use them; through
the template engine (with a nested ``<picture>`` template) a row cost about 0.2 ms, a fifth of a list page.
Lists call ``{% event_row %}`` directly; the markup is the one the former ``includes/event_item.html`` had.
"""

from __future__ import annotations

from django import template
from django.utils import dateformat, timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from .media_tags import picture_data
from .press import event_dates, event_link, event_times

register = template.Library()

LEAD_WORDS = 40
THUMB_SIZES = "(min-width: 40em) 9rem, 6rem"


def picture_html(photo, size: str, *, sizes: str = "100vw", lazy: bool = False, css_class: str = "") -> str:
    """``includes/picture.html`` in Python: a responsive ``<picture>``, or nothing without renditions."""
    pic = picture_data(photo, size)
    if pic is None:
        return ""
    sizes = escape(sizes)
    source = f'<source type="image/webp" srcset="{escape(pic.webp_srcset)}" sizes="{sizes}">' if pic.webp_srcset else ""
    extra = (f' class="{escape(css_class)}"' if css_class else "") + (' loading="lazy"' if lazy else "")
    return (
        f'<picture>{source}<img src="{escape(pic.image.jpeg_url)}" srcset="{escape(pic.jpeg_srcset)}" '
        f'sizes="{sizes}" width="{pic.image.width}" height="{pic.image.height}" alt="{escape(photo.alt_text)}"'
        f'{extra} decoding="async"></picture>'
    )


def short_lead(lead: str) -> str:
    """The first ``LEAD_WORDS`` words of ``lead`` (what ``Truncator.words`` gives), without its per-call set-up."""
    words = lead.split()
    if len(words) <= LEAD_WORDS:
        return " ".join(words)
    return Truncator(lead).words(LEAD_WORDS, truncate=" …")


@register.simple_tag
def picture(photo, size: str = "medium", sizes: str = "100vw", lazy: bool = False, css_class: str = "") -> str:
    """``{% picture photo "thumb" lazy=True %}``: what ``{% include "includes/picture.html" %}`` writes."""
    return mark_safe(picture_html(photo, size, sizes=sizes, lazy=lazy, css_class=css_class))  # noqa: S308


@register.simple_tag(takes_context=True)
def event_row(context, event, back: str | None = None, level: str = "") -> str:
    """``{% event_row event back "h2" %}``: the row of ``event``; ``level`` is the title's heading element."""
    url = escape(event_link(event, back))
    tag = level if level in ("h2", "h3", "h4") else "h3"
    cover = event.cover
    parts = [f'<article class="event-item{" has-thumb" if cover else ""}">']
    if cover:
        thumb = picture_html(cover, "thumb", sizes=THUMB_SIZES, lazy=True)
        parts.append(f'<a class="event-thumb" href="{url}" tabindex="-1" aria-hidden="true">{thumb}</a>')
    starts = dateformat.format(timezone.localtime(event.starts_at), "c")
    times = event_times(event)
    meta = [f'<time datetime="{starts}">{escape(event_dates(event))}</time>']
    if times:
        meta.append(f'<span class="event-time">{escape(times)}</span>')
    meta.append(f'<span class="event-section">{escape(event.section.display_name)}</span>')
    if event.language != context.get("LANGUAGE_CODE"):
        language = escape(event.language)
        meta.append(f'<span class="event-language" lang="{language}">{escape(event.get_language_display())}</span>')
    parts.append(f'<div class="event-item-text"><p class="event-meta">{"".join(meta)}</p>')
    link = f'<a href="{url}" hreflang="{escape(event.language)}">{escape(event.title)}</a>'
    parts.append(f'<{tag} class="event-title">{link}</{tag}>')
    if event.lead:
        parts.append(f'<p class="event-lead">{escape(short_lead(event.lead))}</p>')
    parts.append("</div></article>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above goes through escape()
