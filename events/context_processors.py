from django.conf import settings
from django.urls import translate_url
from django.utils.functional import SimpleLazyObject


def site(request):
    return {"site_name": settings.CSO_SITE_NAME, **public_navigation(request)}


def _language_links(request) -> list[dict]:
    """The current page in each interface language (event pages replace this with their translations)."""
    current = (getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE)[:2]
    path = request.get_full_path()
    return [
        {"code": code, "name": name, "url": translate_url(path, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]


def _alternates(request) -> list[dict]:
    return [
        {"code": code, "url": request.build_absolute_uri(translate_url(request.path, code))}
        for code, _name in settings.LANGUAGES
    ]


def public_navigation(request):
    """Defaults for the page head and the language switch; a view may supply its own instead."""
    return {
        "default_language_links": SimpleLazyObject(lambda: _language_links(request)),
        "default_alternates": SimpleLazyObject(lambda: _alternates(request)),
        "default_canonical_url": SimpleLazyObject(lambda: request.build_absolute_uri(request.path)),
    }
