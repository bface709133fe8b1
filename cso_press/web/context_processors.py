from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_urlconf, reverse, translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from events.selectors.identity import site_identity


def _translated(path: str, code: str) -> str:
    """``translate_url(path, code)``, remembered: every page asks it for each language, twice."""
    return _translated_in(path, code, get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=2048)
def _translated_in(path: str, code: str, urlconf: str) -> str:
    return translate_url(path, code)


def site(request):
    """The office's identity (``site``: name, short name, footer line, logo) and the page's navigation.

    Lazy: a template that never names the site (an admin page) costs nothing; one that does costs one cache
    read (events.selectors.identity)."""
    identity = SimpleLazyObject(site_identity)
    return {"site": identity, "site_name": SimpleLazyObject(lambda: identity.name), **public_navigation(request)}


def language_links(request) -> list[dict]:
    """The current page in each interface language (event pages replace this with their translations)."""
    current = (getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE)[:2]
    path = request.get_full_path()
    return [
        {"code": code, "name": name, "url": _in_language(path, code, current), "current": code == current}
        for code, name in settings.LANGUAGES
    ]


def _in_language(path: str, code: str, current: str) -> str:
    """The page in language ``code``; for an address that is no page (a 404), that language's home page."""
    url = _translated(path, code)
    if url != path or code == current:
        return url
    try:
        with translation.override(code):
            return reverse("events:home")
    except NoReverseMatch:
        return url


def _alternates(request) -> list[dict]:
    return [
        {"code": code, "url": request.build_absolute_uri(_translated(request.path, code))}
        for code, _name in settings.LANGUAGES
    ]


def public_navigation(request):
    """Defaults for the page head and the language switch; a view may supply its own instead."""
    return {
        "default_language_links": SimpleLazyObject(lambda: language_links(request)),
        "default_alternates": SimpleLazyObject(lambda: _alternates(request)),
        "default_canonical_url": SimpleLazyObject(lambda: request.build_absolute_uri(request.path)),
    }
