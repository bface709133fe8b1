"""Lists of releases: ``{% event_rows events back "h2" empty=_("…") %}`` writes the whole list with
``includes/event_rows.html``, one template with a ``{% for %}`` inside it rather than an include per row.

Lists show twenty rows, and writing them through the template engine is a third of a list page's time; the
written list is kept per content version (``page_cache.remembered_here``: in Redis and in each process), under
the rows it shows and everything else the template reads (language, way back, heading level), so it is written
once per content change. A list given as ``selectors.rows.KeptRows`` is keyed by its keys alone and its rows are
read only to write it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django import template
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.text import Truncator

from ..page_cache import LIST_FILTERS, remembered_here

register = template.Library()

LEAD_WORDS = 40
HEADINGS = ("h2", "h3", "h4")


@register.simple_tag(takes_context=True)
def event_rows(
    context, events, back: str | None = None, level: str = "h3", empty: str = "", dated: str = "event"
) -> str:
    """The rows of ``events``; ``level`` is the element of each title, ``empty`` the text of an empty list,
    ``dated`` what each row's date is: "event" (its days and hours) or "published" (for a list in publication
    order, so the dates a reader sees run in the list's order)."""
    # A list known by its keys (``selectors.rows.KeptRows``) is read only if it has to be written.
    rows = getattr(events, "row_keys", None)
    if rows is None:
        events = list(events)
        rows = [event.pk for event in events]
    values = {
        "events": events,
        "back": back,
        "level": level if level in HEADINGS else "h3",
        "empty": str(empty),
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
        "dated": "published" if dated == "published" else "event",
    }
    if not rows:  # nothing to keep: a cache round trip (and maybe the content version) would cost more
        return render_to_string("includes/event_rows.html", values)
    key = repr(
        (
            translation.get_language(),
            values["LANGUAGE_CODE"],
            back,
            values["level"],
            values["empty"],
            values["dated"],
            rows,
        )
    )
    return remembered_here("event-rows", key, lambda: render_to_string("includes/event_rows.html", values))


@register.filter
def short_lead(lead: str) -> str:
    """The first ``LEAD_WORDS`` words of ``lead`` (what ``truncatewords`` gives), without the truncator's set-up
    for the many leads that fit."""
    words = lead.split()
    if len(words) <= LEAD_WORDS:
        return " ".join(words)
    return Truncator(lead).words(LEAD_WORDS, truncate=" …")


@register.simple_tag(takes_context=True)
def filter_form(context) -> str:
    """``includes/filter_form.html`` for the list's ``filter``.

    With no filter in use (most requests: a list's first and later pages) the form is the same for every
    reader, and writing its nine fields through the form renderer was a quarter of a list page's time; so it
    is kept per content version (its menus change with content), under the language, the list's address and the
    raw values of any empty filter in the query. A form with filters in use or errors is written each time, and
    the list's ``filter`` (made only when read: ``FilteredEventListView``) is not even made when the form is kept."""
    written = get_template("includes/filter_form.html").template
    request = context.get("request")
    if request is None or context.get("chips") or context.get("filter_errors"):
        return written.render(context)
    given = tuple((name, tuple(request.GET.getlist(name))) for name in sorted(LIST_FILTERS) if name in request.GET)
    if any(value for _name, values in given for value in values):
        return written.render(context)
    # The address names the list (and a section page its section); a form with any query is bound, and an
    # empty field of a bound form is written with its empty value.
    key = repr((translation.get_language(), request.path, bool(request.GET), given))
    return remembered_here("filter-form", key, lambda: written.render(context))


# Page links written in this process, by everything includes/pagination.html reads (see ``pagination``).
KEPT_PAGINATIONS = 256
_kept_paginations: OrderedDict = OrderedDict()
_kept_lock = threading.Lock()


@register.simple_tag(takes_context=True)
def pagination(context) -> str:
    """``includes/pagination.html``: the page links of a list, kept in each process (the last
    ``KEPT_PAGINATIONS``) under all they read: the language, the address with its query, the page's number,
    the number of pages and whether others come before or after. They hold no content, only numbers and
    addresses."""
    written = get_template("includes/pagination.html").template
    page = context.get("page_obj")
    request = context.get("request")
    if page is None or request is None:
        return written.render(context)
    key = (
        translation.get_language(),
        request.path,
        tuple(sorted((name, tuple(values)) for name, values in request.GET.lists())),
        page.number,
        page.paginator.num_pages,
        page.has_previous(),
        page.has_next(),
    )
    with _kept_lock:
        found = _kept_paginations.get(key)
        if found is not None:
            _kept_paginations.move_to_end(key)
            return found
    found = written.render(context)
    with _kept_lock:
        _kept_paginations[key] = found
        while len(_kept_paginations) > KEPT_PAGINATIONS:
            _kept_paginations.popitem(last=False)
    return found
