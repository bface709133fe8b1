"""One word in the admin (issue 16, point 4): what editors write is a "release" ("сообщение" in Russian) in every
heading, title, breadcrumb, menu and message, never an "event"."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from demo.services import demo_accounts_ensure
from events.models import Attachment, AuditLogEntry, EmbargoLink, Event
from tests.events.roles import user_in
from tests.events.test_workflow import edit_form_data
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

EVENT_WORD = re.compile(r"\b(events?|событи[еяй]\w*)\b", re.IGNORECASE)


def visible_wording(html: str) -> list[str]:
    """The page's title, headings, breadcrumbs, editorial menu, side bar and messages as a reader sees them."""
    parts = re.findall(r"<title>(.*?)</title>", html, re.S)
    parts += re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, re.S)
    parts += re.findall(r'<(?:div|nav) class="breadcrumbs">(.*?)</(?:div|nav)>', html, re.S)
    parts += re.findall(r'<nav class="cso-nav"[^>]*>(.*?)</nav>', html, re.S)
    parts += re.findall(r"<caption>(.*?)</caption>", html, re.S)
    parts += re.findall(r'<ul class="messagelist">(.*?)</ul>', html, re.S)
    parts += re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)  # list columns
    parts += re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)  # form fields
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", part)).split()) for part in parts]


def event_words(html: str) -> list[str]:
    return [text for text in visible_wording(html) if EVENT_WORD.search(text)]


@pytest.fixture
def editor(client):
    user = user_in("Editor")
    client.force_login(user)
    return user


@pytest.fixture
def release():
    return EventFactory(title="Summit in Minsk", draft=True)


def pages(release) -> dict[str, str]:
    return {
        "index": reverse("admin:index"),
        "app": reverse("admin:app_list", args=["events"]),
        "list": reverse("admin:events_event_changelist"),
        "add": reverse("admin:events_event_add"),
        "change": reverse("admin:events_event_change", args=[release.pk]),
        "history": reverse("admin:events_event_history", args=[release.pk]),
        "dashboard": reverse("admin:events_event_dashboard"),
        "audit": reverse("admin:events_auditlogentry_changelist"),
        "people": reverse("admin:events_person_changelist"),
        "photos": reverse("admin:events_attachment_changelist"),
    }


@pytest.mark.parametrize(
    "name", ["index", "app", "list", "add", "change", "history", "dashboard", "audit", "people", "photos"]
)
def test_no_admin_page_an_editor_sees_calls_a_release_an_event(client, editor, release, name):
    response = client.get(pages(release)[name])

    assert response.status_code == 200
    wording = visible_wording(response.content.decode())
    assert wording  # the page has a title and headings to read
    assert event_words(response.content.decode()) == []


def test_the_page_titles_and_the_breadcrumbs_say_release(client, editor, release):
    add = client.get(pages(release)["add"]).content.decode()
    change = client.get(pages(release)["change"]).content.decode()
    changes = client.get(pages(release)["list"]).content.decode()

    assert "<h1>Add release</h1>" in add
    assert "<title>Summit in Minsk | Change release |" in change
    assert "<h1>Select release to change</h1>" in changes
    assert re.search(r'<a href="/admin/events/event/">\s*Releases\s*</a>', change)
    assert ">Releases and directory</a>" in change


def test_the_admin_messages_speak_of_releases(client, editor, release):
    missing = client.get(reverse("admin:events_event_change", args=["nothing"]), follow=True).content.decode()
    added = client.post(
        pages(release)["add"],
        edit_form_data(EventFactory.build(section=release.section, slug="new-one"), expected_version=""),
        follow=True,
    ).content.decode()

    assert "Release with ID “nothing” doesn’t exist." in missing
    assert re.search(r"The release “.*” was added successfully", added)
    assert event_words(missing) == event_words(added) == []


def test_the_fields_that_point_at_a_release_are_labelled_release():
    assert Event._meta.verbose_name == "release"
    assert Event._meta.verbose_name_plural == "releases"
    for model in (Attachment, AuditLogEntry, EmbargoLink):
        assert model._meta.get_field("event").verbose_name == "release"


@pytest.mark.parametrize("name", ["index", "list", "add", "change", "history"])
def test_the_russian_admin_says_soobshchenie_throughout(client, editor, release, name):
    with translation.override("ru"):
        response = client.get(pages(release)[name], headers={"accept-language": "ru"})
    html = response.content.decode()

    assert response.status_code == 200
    assert event_words(html) == []
    assert "ru" in response.headers.get("Content-Language", "ru")
    wording = " ".join(visible_wording(html))
    assert re.search(r"сообщени", wording, re.IGNORECASE), wording


def test_the_russian_page_titles_use_the_same_word_as_the_rest_of_the_russian_admin(client, editor, release):
    with translation.override("ru"):
        add = client.get(pages(release)["add"], headers={"accept-language": "ru"}).content.decode()
        change = client.get(pages(release)["change"], headers={"accept-language": "ru"}).content.decode()

    assert "<h1>Добавить сообщение</h1>" in add
    assert "<title>Summit in Minsk | Изменить сообщение |" in change
    assert re.search(r'<a href="/admin/events/event/">\s*Сообщения\s*</a>', change)


# Which sections of the admin a role sees -------------------------------------------------------------------------

PLUMBING = {"axes", "otp_totp", "otp_static", "accounts", "auth"}


def sidebar(client, user, language: str = "en") -> dict[str, str]:
    client.force_login(user)
    response = client.get(reverse("admin:index"), headers={"accept-language": language})
    assert response.status_code == 200
    return {app["app_label"]: str(app["name"]) for app in response.context["app_list"]}


@pytest.mark.parametrize("role", ["Author", "Editor", "Photo and contacts staff"])
def test_editorial_roles_see_only_the_newsroom_in_the_admin(client, role):
    apps = sidebar(client, user_in(role))

    # Editors also keep the press list (presslist/migrations/0002_roles.py) and the e-mail alerts' subscribers,
    # suppressions and sending switch (subscriptions/migrations/0002_alerts_roles.py).
    mail = {"presslist": "Press list", "subscriptions": "E-mail alerts"} if role == "Editor" else {}
    assert apps == {"events": "Releases and directory", **mail}
    html = client.get(reverse("admin:events_event_changelist")).content.decode()
    for label in ("AXES", "OTP_TOTP", "OTP_STATIC", "Axes", "Otp_Totp", "Otp_Static"):
        assert label not in html


def test_the_demo_editor_sees_only_the_newsroom_and_the_demo_admin_sees_everything(client):
    accounts = {account.username for account in demo_accounts_ensure()}
    users = get_user_model().objects

    assert {"editor", "admin"} <= accounts
    assert set(sidebar(client, users.get(username="editor"))) == {"events", "presslist", "subscriptions"}
    assert set(sidebar(client, users.get(username="admin"))) >= PLUMBING | {"events"}


def test_superusers_still_see_the_sign_in_sections_under_readable_names(client, superuser):
    apps = sidebar(client, superuser)

    assert set(apps) >= PLUMBING | {"events"}
    assert apps["axes"] == "Sign-in attempts"
    assert apps["otp_totp"] == "Authenticator apps"
    assert apps["otp_static"] == "Static one-time codes"
    for name in apps.values():
        assert "_" not in name and name != name.upper()


def test_the_russian_admin_names_the_sign_in_sections_in_russian(client, superuser):
    apps = sidebar(client, superuser, language="ru")

    assert apps["axes"] == "Попытки входа"
    assert apps["otp_totp"] == "Приложения-аутентификаторы"
    assert apps["events"] == "Сообщения и справочник"
