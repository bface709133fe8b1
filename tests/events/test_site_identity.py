"""The office's identity: set in the admin, shown by every page, feed and error page, in English and Russian."""

from unittest import mock

import feedparser
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from cso_press.web.errors import server_error
from events.media.cleanup import referenced_names
from events.models import SiteIdentity
from events.selectors.identity import IDENTITY_KEY, site_identity
from tests.events.roles import user_in
from tests.factories import EventFactory, make_jpeg_bytes

pytestmark = pytest.mark.django_db

IDENTITY = {
    "name_en": "Northern Council Press Service",
    "name_ru": "Пресс-служба Северного совета",
    "short_name_en": "NC Press",
    "short_name_ru": "Пресс-служба СС",
    "footer_en": "Northern Council, Tallinn. Reproduction welcome.",
    "footer_ru": "Северный совет, Таллин. Перепечатка приветствуется.",
}


def set_in_admin(client, **changes) -> None:
    response = client.post(reverse("admin:events_siteidentity_add"), {**IDENTITY, **changes})
    assert response.status_code == 302, response.content.decode()[:2000]


def page(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_a_name_set_in_the_admin_shows_on_the_home_page_a_release_and_the_rss_feed_in_both_languages(
    admin_client_logged_in,
):
    english = EventFactory(title="Summit opens", language="en")
    russian = EventFactory(title="Открытие саммита", language="ru", translation_key=english.translation_key)
    set_in_admin(admin_client_logged_in)

    home = page("/en/")
    assert "<title>Northern Council Press Service — " in home
    assert '<span class="brand-full">Northern Council Press Service</span>' in home
    assert '<span class="brand-short">NC Press</span>' in home
    assert '<p class="footer-name">Northern Council Press Service</p>' in home
    assert "<p>Northern Council, Tallinn. Reproduction welcome.</p>" in home
    assert "Press Office" not in home
    release = page(english.get_absolute_url())
    assert "<title>Summit opens — Northern Council Press Service</title>" in release
    assert '"name": "Northern Council Press Service"' in release  # the NewsArticle's publisher
    rss = feedparser.parse(page(reverse("events:feed-rss")))
    assert rss.feed.title == "Northern Council Press Service: latest releases"

    home_ru = page("/ru/")
    assert "<title>Пресс-служба Северного совета — " in home_ru
    assert "<p>Северный совет, Таллин. Перепечатка приветствуется.</p>" in home_ru
    assert "Northern Council" not in home_ru
    assert "<title>Открытие саммита — Пресс-служба Северного совета</title>" in page(russian.get_absolute_url())
    with translation.override("ru"):
        rss_ru = feedparser.parse(page(reverse("events:feed-rss")))
    assert rss_ru.feed.title.startswith("Пресс-служба Северного совета: ")


def test_a_changed_name_replaces_the_old_one_on_the_next_request(admin_client_logged_in):
    set_in_admin(admin_client_logged_in)
    assert "Northern Council Press Service" in page("/en/")

    response = admin_client_logged_in.post(
        reverse("admin:events_siteidentity_change", args=[1]), {**IDENTITY, "name_en": "Southern Council"}
    )

    assert response.status_code == 302
    home = page("/en/")
    assert '<p class="footer-name">Southern Council</p>' in home
    assert "Northern Council Press Service" not in home


def test_an_empty_field_falls_back_to_english_then_to_the_defaults_from_settings(settings):
    settings.CSO_SITE_NAME, settings.CSO_SITE_NAME_RU = "Default Office", "Служба по умолчанию"
    assert site_identity("en").name == "Default Office"
    assert site_identity("ru").name == "Служба по умолчанию"
    assert site_identity("ru").footer == "Материалы сайта можно воспроизводить со ссылкой на пресс-службу."

    SiteIdentity.objects.create(name_en="Only English", short_name_en="OE")

    assert site_identity("ru").name == "Only English"
    assert site_identity("ru").short_name == "OE"
    assert site_identity("en").footer == (
        "Material on this site may be reproduced with a reference to the press office."
    )


def test_the_identity_is_read_once_then_served_from_the_cache(django_assert_num_queries):
    SiteIdentity.objects.create(name_en="Cached Office")
    cache.delete(IDENTITY_KEY)

    with django_assert_num_queries(1):
        assert site_identity("en").name == "Cached Office"
    with django_assert_num_queries(0):
        assert site_identity("en").name == "Cached Office"
        assert site_identity("ru").name == "Cached Office"


def test_an_uploaded_logo_replaces_the_emblem_in_the_header(admin_client_logged_in):
    logo = SimpleUploadedFile("logo.jpg", make_jpeg_bytes(96, 96), content_type="image/jpeg")
    set_in_admin(admin_client_logged_in, logo=logo)

    stored = SiteIdentity.objects.get().logo
    assert stored.name.startswith("logos/")
    assert f'<img class="brand-emblem" src="{stored.url}" alt="" width="48" height="48">' in page("/en/")


def test_there_is_one_identity_and_it_cannot_be_deleted(admin_client_logged_in):
    set_in_admin(admin_client_logged_in)

    assert admin_client_logged_in.get(reverse("admin:events_siteidentity_add")).status_code == 403
    assert admin_client_logged_in.post(reverse("admin:events_siteidentity_delete", args=[1])).status_code == 403
    changelist = admin_client_logged_in.get(reverse("admin:events_siteidentity_changelist"))
    assert changelist.status_code == 302
    assert changelist["Location"] == reverse("admin:events_siteidentity_change", args=[1])


@pytest.mark.parametrize("role", ["Author", "Editor", "Photo and contacts staff"])
def test_only_administrators_may_change_the_identity(client, role):
    SiteIdentity.objects.create(name_en="Kept")
    client.force_login(user_in(role))

    assert client.get(reverse("admin:events_siteidentity_changelist")).status_code == 403
    response = client.post(reverse("admin:events_siteidentity_change", args=[1]), {**IDENTITY})

    assert response.status_code == 403
    assert SiteIdentity.objects.get().name_en == "Kept"


def test_an_administrator_may_change_the_identity(client):
    client.force_login(user_in("Administrator"))

    set_in_admin(client)

    assert SiteIdentity.objects.get().name_en == IDENTITY["name_en"]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_not_found_page_wears_the_header_with_navigation_search_and_language_switch(client, language):
    SiteIdentity.objects.create(**IDENTITY)

    response = client.get(f"/{language}/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert 'class="error-code">404<' in html
    assert f'<p class="footer-name">{IDENTITY["name_" + language]}</p>' in html
    with translation.override(language):
        search, all_events = reverse("events:search"), reverse("events:list")
    assert f'<form class="header-search" action="{search}" method="get" role="search">' in html
    assert '<nav class="main-nav"' in html
    assert f'href="{all_events}"' in html  # "All events" in the main navigation
    assert '<nav class="language-switch"' in html
    other = "ru" if language == "en" else "en"
    assert f'hreflang="{other}"' in html
    assert '<meta name="robots" content="noindex">' in html


def database_down():
    return mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("connection refused"))


def render_server_error(path: str, language: str = "en"):
    request = RequestFactory().get(path)
    request.LANGUAGE_CODE = language  # as LocaleMiddleware leaves it
    try:
        raise RuntimeError("a bug in a view")
    except RuntimeError:
        return server_error(request)


@pytest.mark.parametrize(("language", "name"), [("en", "Press Office"), ("ru", "Пресс-служба")])
def test_the_server_error_page_renders_its_header_without_the_database(language, name):
    SiteIdentity.objects.create(**IDENTITY)
    cache.delete(IDENTITY_KEY)  # the identity must come from the database, which is down

    other = "ru" if language == "en" else "en"
    with translation.override(other):
        other_path = reverse("events:list")

    with database_down(), translation.override(language):
        response = render_server_error(reverse("events:list"), language)

    html = response.content.decode()
    assert response.status_code == 500
    assert 'class="error-code">500<' in html
    assert f'<span class="brand-name">{name}</span>' in html  # the defaults from settings
    assert f'<p class="footer-name">{name}</p>' in html
    assert 'role="search"' in html
    assert '<nav class="main-nav"' in html
    assert f'href="{other_path}" hreflang="{other}"' in html
    assert "a bug in a view" not in html


def test_the_server_error_page_shows_the_cached_identity_while_the_database_is_down():
    SiteIdentity.objects.create(**IDENTITY)
    assert site_identity("en").name == IDENTITY["name_en"]  # read once, now cached

    with database_down():
        response = render_server_error("/en/")

    assert response.status_code == 500
    assert f'<p class="footer-name">{IDENTITY["name_en"]}</p>' in response.content.decode()


def test_a_page_cached_for_anonymous_readers_shows_the_new_name_after_the_save(
    admin_client_logged_in, page_cache, django_capture_on_commit_callbacks
):
    reader = Client()
    assert "<title>Press Office — " in reader.get("/en/").content.decode()
    cached = reader.get("/en/")
    assert cached["X-Page-Cache"] == "hit"
    assert "<title>Press Office — " in cached.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        set_in_admin(admin_client_logged_in)

    html = reader.get("/en/").content.decode()
    assert "<title>Northern Council Press Service — " in html
    assert "Press Office" not in html


def test_the_orphan_sweep_keeps_the_sites_logo():
    identity = SiteIdentity.objects.create(logo=ContentFile(make_jpeg_bytes(), name="logo.jpg"))

    assert identity.logo.name.startswith("logos/")
    assert identity.logo.name in referenced_names()


def test_a_cached_name_from_before_a_rename_never_reaches_a_public_page(
    admin_client_logged_in, settings, django_capture_on_commit_callbacks
):
    """Redis was down during the rename, then came back from a snapshot holding the old name (or another app
    server cached the old row a moment before the rename was committed): public pages still show the new name."""
    settings.CSO_PAGE_CACHE_SECONDS = 300  # the page cache on, as in production
    with django_capture_on_commit_callbacks(execute=True):
        set_in_admin(admin_client_logged_in)
    assert "Northern Council Press Service" in page("/en/")
    from_before = cache.get(IDENTITY_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(
            reverse("admin:events_siteidentity_change", args=[SiteIdentity.objects.get().pk]),
            {**IDENTITY, "name_en": "Baltic Council Press Service"},
        )
    assert response.status_code == 302
    cache.set(IDENTITY_KEY, from_before, None)

    home = page("/en/")
    assert "Baltic Council Press Service" in home
    assert "Northern Council Press Service" not in home
