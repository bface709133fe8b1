"""The page of one release. ``event_page_context`` also serves the editorial preview and embargo pages."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.generic import DetailView

from ..media.links import give_grant, grant_query
from ..models import Attachment, Event
from ..navigation import BACK_PARAMETER, back_url, safe_back_path
from ..page_cache import remembered_here
from ..selectors.releases import other_events, people_of
from ..selectors.structured_data import lead_photo
from ..selectors.visibility import current_language
from ..templatetags.press import event_url


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def language_links(request, event: Event, translations: list[Event]) -> list[dict]:
    """For each interface language: the linked translation, or the reader's list in that language."""
    by_language = {item.language: item for item in translations}
    by_language[event.language] = event
    back = safe_back_path(request.GET.get(BACK_PARAMETER))
    links = []
    for code, name in settings.LANGUAGES:
        if code in by_language:
            url = event_url(by_language[code])
        else:
            url = translation_of_path(back, code) if back else None
            if not url:
                with translation.override(code):
                    url = reverse("events:list")
        links.append({"code": code, "name": name, "url": url, "current": code == current_language()})
    return links


def translation_of_path(path: str, language: str) -> str | None:
    """``path`` (a list page of this site) in another language, or None when it is not one of our pages."""
    translated = translate_url(path, language)
    return translated if translated != path or path.startswith(f"/{language}/") else None


def release_parts(event: Event) -> tuple[list, list, list, list]:
    """The participants, press contacts, shown attachments and organisations of ``event``, in their orders."""
    participants, press_contacts = people_of(event)
    withdrawn = event.status == Event.Status.WITHDRAWN
    attachments = [] if withdrawn else list(Attachment.objects.shown().filter(event=event).order_by("position", "pk"))
    return participants, press_contacts, attachments, list(event.organizations.order_by("name"))


def kept_release_parts(event: Event) -> tuple[list, list, list, list]:
    """``release_parts`` of a release the public can reach, kept per content version: every change to what they
    show (a person, a phone, a photo, a link) gives the content version a new value (events.cache_invalidation).
    Never for a preview or an embargo page, whose unpublished releases change without that."""
    return remembered_here("release-parts", str(event.pk), lambda: release_parts(event))


def event_page_context(
    request, event: Event, translations: list[Event] | None = None, *, media_grant: str = "", parts=None
) -> dict:
    """Everything ``events/event_detail.html`` needs for ``event``, in a fixed number of queries.

    The editorial preview and embargo pages call this too, with unpublished events, and then add
    ``preview_banner``, ``embargoed_until`` and ``noindex``. ``translations`` (the other reachable language
    versions) may be passed by a caller that already has them. ``media_grant`` (embargo pages) goes into every
    file address, so that this reader's files answer while the link is valid (events.media.links).

    A withdrawn release keeps its page and notice, but no photos, documents or downloads: their files answer
    only while a release is public, so the page links none of them.

    ``parts``: what ``release_parts`` returns, when the caller has it (the public page keeps it).
    """
    withdrawn = event.status == Event.Status.WITHDRAWN
    participants, press_contacts, attachments, organizations = parts if parts is not None else release_parts(event)
    give_grant(attachments, media_grant)
    photos = [item for item in attachments if item.kind == Attachment.Kind.PHOTO]
    documents = [item for item in attachments if item.kind == Attachment.Kind.DOCUMENT]
    if translations is None:
        translations = list(
            Event.objects.reachable().filter(translation_key=event.translation_key).exclude(pk=event.pk)
        )
    canonical = _absolute(request, event_url(event))
    with translation.override(event.language):
        section_url = event.section.get_absolute_url()
        all_url = reverse("events:list")
    return {
        "event": event,
        "object": event,
        "participants": participants,
        "organizations": organizations,
        "press_contacts": press_contacts,
        "photos": photos,
        "lead_photo": lead_photo(event, photos),
        "documents": documents,
        "other_events": other_events(event, [person.pk for person in participants]),
        "back_url": back_url(request),
        "back_param": safe_back_path(request.GET.get(BACK_PARAMETER)),
        "section_url": section_url,
        "all_url": all_url,
        "canonical_url": canonical,
        "alternates": [
            {"code": item.language, "url": _absolute(request, event_url(item))} for item in [event, *translations]
        ],
        "language_links": language_links(request, event, translations),
        "is_withdrawn": withdrawn,
        "media_query": grant_query(media_grant),
        "preview_banner": "",
        "embargoed_until": None,
        "noindex": withdrawn,
        "page_title": event.title,
    }


class EventDetailView(DetailView):
    template_name = "events/event_detail.html"

    def get(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        language = current_language()
        # The release at this address and its other language versions, in one query, kept per content version
        # (an address that answers nothing is asked again: None is never kept).
        versions = remembered_here("release-versions", slug, lambda: release_versions(slug) or None) or []
        here = [version for version in versions if version.slug == slug]
        event = next((version for version in here if version.language == language), None)
        if event is None:
            # The same address in the other language: send the reader to the release's own language.
            elsewhere = next(iter(here), None)
            if elsewhere is None:
                raise Http404(_("No release at this address."))
            return redirect(event_url(elsewhere) + (f"?{request.GET.urlencode()}" if request.GET else ""))
        self.object = event
        translations = [
            version for version in versions if version.translation_key == event.translation_key and version != event
        ]
        context = event_page_context(request, event, translations, parts=kept_release_parts(event))
        # The written article is kept per content version (``{% release_article %}``): the release and the way
        # back are all it reads besides content.
        context["article_key"] = repr((event.pk, context["back_url"], context["back_param"]))
        return self.render_to_response(context)


def release_versions(slug: str) -> list[Event]:
    """The reachable release at ``slug`` and its other language versions."""
    same_release = Event.objects.filter(slug=slug).values("translation_key")
    return list(Event.objects.reachable().select_related("section__parent").filter(translation_key__in=same_release))
