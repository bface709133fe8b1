"""``{% page_meta %}``: the head of every public page for machines — canonical address, Open Graph and Twitter
cards, JSON-LD — written by ``includes/meta.html`` from what ``selectors.structured_data`` builds.

The page is recognised by what its view put in the context (a release, a person, an organisation, a section)
or, for fixed pages, by the title its template passes. A paginated page is its own canonical page (page 2 is
not page 1: it lists other releases).
"""

from __future__ import annotations

from dataclasses import replace

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ..page_cache import remembered_here
from ..selectors.identity import site_identity, site_name
from ..selectors.structured_data import (
    breadcrumb_list,
    lead_photo,
    news_article,
    office_node,
    organization_node,
    person_node,
    share_image_of_photo,
    share_image_of_picture,
    website_node,
)
from ..selectors.visibility import current_language

register = template.Library()

OG_LOCALES = {"en": "en_GB", "ru": "ru_RU"}
DESCRIPTION_WORDS = 40


def canonical_address(request, context) -> str:
    """The view's own canonical address (a release names its language version), else this path, keeping the
    page number of a paginated list."""
    if context.get("canonical_url"):
        return context["canonical_url"]
    address = request.build_absolute_uri(request.path)
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        address += f"?page={page.number}"
    return address


def other_languages(context, language: str) -> list[str]:
    """The languages this page also exists in: a release's own translations, else every interface language."""
    alternates = context.get("alternates")
    codes = [item["code"] for item in alternates] if alternates else [code for code, _name in settings.LANGUAGES]
    return [code for code in codes if code != language]


def _short(text: str) -> str:
    return Truncator(" ".join((text or "").split())).words(DESCRIPTION_WORDS)


def _release(context, absolute, home) -> dict:
    event = context["event"]
    photos = context.get("photos") or []
    section = event.section
    crumbs = [
        (_("Home"), home),
        (section.display_name, section.get_absolute_url()),
        (event.title, event.get_absolute_url()),
    ]
    article = news_article(
        absolute,
        event,
        photos=photos,
        participants=context.get("participants") or [],
        organizations=context.get("organizations") or [],
        home_url=home,
    )
    image = share_image_of_photo(lead_photo(event, photos))
    if image is not None and not image.alt:
        # A photo not described yet: the release's title is what the card shows, better than nothing.
        image = replace(image, alt=event.title)
    article_times = []
    if event.publish_at:
        article_times.append(("article:published_time", event.publish_at.isoformat()))
    if event.public_updated_at:
        article_times.append(("article:modified_time", event.public_updated_at.isoformat()))
    article_times.append(("article:section", section.display_name))
    return {
        "type": "article",
        "title": event.title,
        "description": _short(event.lead),
        "image": image,
        "properties": article_times,
        "json_ld": [article, breadcrumb_list(absolute, crumbs)],
    }


def _person(context, absolute, home) -> dict:
    person = context["person"]
    image = share_image_of_picture(person.photo, person.display_name)
    crumbs = [
        (_("Home"), home),
        (_("People"), reverse("events:people")),
        (person.display_name, person.get_absolute_url()),
    ]
    described = ", ".join(part for part in (person.display_name, person.display_position) if part)
    return {
        "type": "profile",
        "title": person.display_name,
        "description": described,
        "image": image,
        "properties": [],
        "json_ld": [person_node(absolute, person, image), breadcrumb_list(absolute, crumbs)],
    }


def _organization(context, absolute, home) -> dict:
    organization = context["organization"]
    image = share_image_of_picture(organization.logo, _("Logo: %(name)s") % {"name": organization.display_name})
    crumbs = [
        (_("Home"), home),
        (_("Organisations"), reverse("events:organizations")),
        (organization.display_name, organization.get_absolute_url()),
    ]
    return {
        "type": "website",
        "title": organization.display_name,
        "description": _short(organization.description) or organization.display_name,
        "image": image,
        "properties": [],
        "json_ld": [organization_node(absolute, organization, image), breadcrumb_list(absolute, crumbs)],
    }


def _section(context, absolute, home) -> dict:
    section = context["section"]
    crumbs = [(_("Home"), home), (_("Section categories"), reverse("events:sections"))]
    if section.parent_id:
        crumbs.append((section.parent.display_name, section.parent.get_absolute_url()))
    crumbs.append((section.display_name, section.get_absolute_url()))
    return {
        "type": "website",
        "title": section.display_name,
        "description": _short(section.display_description) or section.display_name,
        "image": None,
        "properties": [],
        "json_ld": [breadcrumb_list(absolute, crumbs)],
    }


@register.inclusion_tag("includes/meta.html", takes_context=True)
def page_meta(context, title: str = "", description: str = "") -> dict:
    request = context.get("request")
    if request is None:
        # A page rendered without a request (Django's bare error pages): nothing to share, nothing to point to.
        return {"share": None}
    absolute = request.build_absolute_uri
    language = current_language()
    canonical = canonical_address(request, context)
    kept = _kept_as(context)
    if kept is None:
        page = _page(context, request, absolute, language, title)
    else:
        # Everything the head says about this page comes from content (kept per content version, which any
        # change to it moves on), the office's identity (its stamp changes with every save) and the key.
        key = repr((kept, language, absolute("/"), canonical, description, site_identity().stamp))
        page = remembered_here("page-meta", key, lambda: _page(context, request, absolute, language, title))
    page["description"] = description or page["description"]
    page["image_url"] = absolute(page["image"].url) if page["image"] else ""
    return {
        "share": page,
        "canonical": canonical,
        "site_name": site_name(),
        "locale": OG_LOCALES.get(language, language),
        "other_locales": [OG_LOCALES.get(code, code) for code in other_languages(context, language)],
        "noindex": context.get("noindex"),
    }


def _kept_as(context) -> tuple | None:
    """What names this page's head among those kept: the public page of a release (its ``article_key``; its
    JSON-LD and card are a tenth of the page's time). Other heads cost little and are written each time."""
    if context.get("event") is not None and context.get("article_key"):
        return ("release", context["article_key"])
    return None


def _page(context, request, absolute, language: str, title: str) -> dict:
    home = reverse("events:home")
    if context.get("event") is not None:
        page = _release(context, absolute, home)
    elif context.get("person") is not None:
        page = _person(context, absolute, home)
    elif context.get("organization") is not None:
        page = _organization(context, absolute, home)
    elif context.get("section") is not None:
        page = _section(context, absolute, home)
    else:
        is_home = request.path == home
        if is_home:
            nodes = [
                website_node(absolute, home_url=home, search_url=reverse("events:search"), language=language),
                {"@context": "https://schema.org", **office_node(absolute, home)},
            ]
        else:
            nodes = [breadcrumb_list(absolute, [(_("Home"), home), (title or site_name(), request.path)])]
        page = {
            "type": "website",
            "title": title or site_name(),
            "description": "",
            "image": None,
            "properties": [],
            "json_ld": nodes,
        }
    return page
