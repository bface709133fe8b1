"""sitemap.xml with every public page in both languages, and the robots.txt that points to it.

Directory pages (sections, people, organisations) exist in every interface language. A release exists
only in the languages it was written in, each version under its own slug, so its alternates are its
linked translations rather than the same path under another prefix. The fixed pages (home, calendar, All
events, the indexes, press contacts) are listed too.

robots.txt never names the admin: its path may be a secret of the deployment (``CSO_ADMIN_PATH``), and the
admin's pages answer only signed-in staff and carry ``noindex`` anyway.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from .models import Event, Section
from .selectors.visibility import visible_organizations, visible_people


class EventSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> list[Event]:
        """One entry per release, carrying its public versions keyed by language."""
        if not hasattr(self, "_releases"):
            versions: dict = {}
            public = Event.objects.public().only(
                "slug", "language", "translation_key", "publish_at", "public_updated_at", "starts_at"
            )
            for event in public.order_by("-starts_at", "-pk"):
                versions.setdefault(event.translation_key, {})[event.language] = event
            languages = [code for code, _name in settings.LANGUAGES]
            releases = []
            for by_language in versions.values():
                ordered = {code: by_language[code] for code in languages if code in by_language}
                first = next(iter(ordered.values()))
                first.sitemap_versions = ordered
                releases.append(first)
            self._releases = releases
        return self._releases

    def get_languages_for_item(self, item: Event) -> list[str]:
        return list(item.sitemap_versions)

    def location(self, item: Event) -> str:
        # Called with the entry's language active (the sitemap framework overrides it per URL).
        return item.sitemap_versions[translation.get_language()].get_absolute_url()

    def lastmod(self, item: Event):
        return max(version.public_updated_at or version.publish_at for version in item.sitemap_versions.values())

    def _urls(self, page, protocol, domain):
        # Django's x-default drops the language prefix, which would send readers of other languages to a
        # slug that only exists in the default language; point it at the default-language version instead.
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            by_code = {alternate["lang_code"]: alternate["location"] for alternate in url["alternates"]}
            for alternate in url["alternates"]:
                if alternate["lang_code"] == "x-default":
                    alternate["location"] = by_code[settings.LANGUAGE_CODE]
        return urls


class FixedPagesSitemap(Sitemap):
    """The pages every site has once per language: their addresses are their route names."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "daily"
    PAGES = {
        "events:home": 1.0,
        "events:calendar": 0.7,
        "events:upcoming": 0.7,
        "events:list": 0.7,
        "events:sections": 0.5,
        "events:people": 0.5,
        "events:organizations": 0.5,
        "events:contacts": 0.6,
        "events:accessibility": 0.2,
    }

    def items(self) -> list[str]:
        return list(self.PAGES)

    def location(self, item: str) -> str:
        return reverse(item)

    def priority(self, item: str) -> float:
        return self.PAGES[item]


class DirectorySitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "monthly"
    priority = 0.5


class SectionSitemap(DirectorySitemap):
    priority = 0.6

    def items(self):
        return Section.objects.active().order_by("position", "name", "pk")


class PersonSitemap(DirectorySitemap):
    # Someone named only on a draft has no public page yet (the visit may be unannounced).
    def items(self):
        return visible_people().order_by("sort_name", "pk").only("slug")


class OrganizationSitemap(DirectorySitemap):
    def items(self):
        return visible_organizations().order_by("name", "pk").only("slug")


SITEMAPS = {
    "pages": FixedPagesSitemap,
    "events": EventSitemap,
    "sections": SectionSitemap,
    "people": PersonSitemap,
    "organisations": OrganizationSitemap,
}


def robots_txt(request: HttpRequest) -> HttpResponse:
    context = {"sitemap_url": request.build_absolute_uri(reverse("sitemap"))}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")
