"""Hostile input: random and malformed values in every public URL and query parameter never cause a 500,
never echo markup unescaped, and never reach the database except through the filters' whitelists."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Event, Organization, Person, Section
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    OrganizationFactory,
    PhoneNumberFactory,
    PhotoFactory,
    SectionFactory,
)

ALLOWED_STATUSES = {200, 301, 302, 400, 404}

INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE events_event; --",
    '" OR ""="',
    "1 UNION SELECT username, password FROM auth_user --",
    "-starts_at",
    "title); DELETE FROM events_event; --",
    "%' AND 1=0 UNION ALL SELECT NULL --",
    "pk__in=1,2",
    "status=draft",
    "\x00",
]
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'><svg/onload=alert(1)>",
    "</title><script>alert(1)</script>",
    "{{ 7*7 }}{% debug %}",
]
MALFORMED = [
    "",
    " ",
    "-1",
    "0",
    "99999999999999999999999",
    "2024-02-30",
    "2024-13-01",
    "0000-00-00",
    "1e309",
    "NaN",
    "../../etc/passwd",
    "//evil.example/",
    "/\\evil.example",
    "http://evil.example/",
    "%00",
    "\u202eevil",
    "ü" * 300,
]

# Characters a URL can carry once percent-encoded (lone surrogates cannot be encoded at all).
url_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)
values = st.one_of(st.sampled_from(INJECTIONS + MARKUP + MALFORMED), url_text, st.integers().map(str))
languages = st.one_of(st.sampled_from(["en", "ru", "fr", "EN", "en-us", "xx", ""]), url_text)
list_parameters = ["q", "page", "section", "kind", "date_from", "date_to", "year", "person", "organization",
                   "language", "back", "ordering", "o", "sort"]  # fmt: skip
PAGE_PATHS = [
    "",
    "events/",
    "events/{slug}/",
    "calendar/",
    "calendar/upcoming/",
    "calendar/{int}/{int}/",
    "calendar/{int}/{int}/{int}/",
    "sections/",
    "sections/{slug}/",
    "people/",
    "people/{slug}/",
    "organisations/",
    "organisations/{slug}/",
    "contacts/",
    "search/",
    "feeds/rss/",
    "feeds/atom/",
    "sections/{slug}/feeds/rss/",
    "calendar.ics",
    "events/{slug}/event.ics",
    "contacts/{slug}.vcf",
    "events/{slug}/photos.zip",
    "events/{slug}/photos/{int}/download/",
    "events/{slug}/documents/{int}/download/",
]


@pytest.fixture(scope="module")
def public_content(django_db_setup, django_db_blocker):
    """Some public content, and a draft whose title must never show up anywhere."""
    with django_db_blocker.unblock():
        section = SectionFactory(slug="politics")
        event = EventFactory(slug="summit", section=section, title="Summit in Vienna")
        EventParticipantFactory(event=event)
        event.organizations.add(OrganizationFactory(slug="osce"))
        PhotoFactory(event=event)
        PhoneNumberFactory()
        EventFactory(draft=True, section=section, slug="secret-draft", title="Embargoed draft title")
        yield
        # Module-scoped rows live outside the per-test transactions: remove them for the modules after this one.
        for model in (Event, Person, Organization, Section):
            model.objects.all().delete()
        Event.history.all().delete()


def fill(template: str, data) -> str:
    path = template
    while "{slug}" in path:
        path = path.replace(
            "{slug}", quote(data.draw(st.one_of(st.sampled_from(["summit", "politics"]), values)), safe=""), 1
        )
    while "{int}" in path:
        path = path.replace("{int}", data.draw(st.integers(min_value=0, max_value=10**12).map(str)), 1)
    return path


def echoes_markup(value: str, body: str) -> bool:
    """True when a value that carries markup comes back verbatim (that is, unescaped) in the page."""
    return any(char in value for char in "<>\"'") and len(value) >= 3 and value in body


def check_response(response, sent_values) -> None:
    assert response.status_code in ALLOWED_STATUSES, (response.status_code, response.request)
    content_type = response.get("Content-Type", "")
    if response.status_code == 200 and not response.streaming and content_type.startswith(("text/", "application/")):
        body = response.content.decode("utf-8", "replace")
        assert "Embargoed draft title" not in body
        for value in sent_values:
            assert not echoes_markup(value, body), value


hypothesis_settings = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.mark.django_db
@hypothesis_settings
@given(data=st.data())
def test_random_paths_and_parameters_never_cause_a_server_error(public_content, data):
    client = Client(raise_request_exception=False)
    language = data.draw(languages)
    template = data.draw(st.sampled_from(PAGE_PATHS))
    path = "/" + (quote(language, safe="") + "/" if language else "") + fill(template, data)
    names = data.draw(st.lists(st.sampled_from(list_parameters), max_size=4, unique=True))
    params = {name: data.draw(values) for name in names}

    response = client.get(path, params)

    check_response(response, params.values())


@pytest.mark.django_db
@hypothesis_settings
@given(name=st.sampled_from(list_parameters), value=values)
def test_every_list_parameter_accepts_anything_on_list_and_search_pages(public_content, name, value):
    client = Client(raise_request_exception=False)
    for path in ["/en/events/", "/en/search/", "/ru/sections/politics/", "/en/events/summit/"]:
        check_response(client.get(path, {name: value}), [value])


@pytest.mark.django_db
@pytest.mark.parametrize("value", INJECTIONS + MARKUP)
def test_injection_strings_in_filters_find_nothing_extra_and_never_the_draft(public_content, client, value):
    for name in ["q", "section", "kind", "person", "organization", "language", "year", "ordering", "sort"]:
        response = client.get("/en/events/", {name: value})
        assert response.status_code in {200, 400}, (name, value)
        body = response.content.decode()
        assert "Embargoed draft title" not in body
        assert not echoes_markup(value, body)
    assert Event.objects.count() == 2


def listed_slugs(html: str) -> list[str]:
    return [slug for slug in re.findall(r'href="/en/events/([a-z0-9-]+)/', html) if slug in {"summit", "later"}]


@pytest.mark.django_db
def test_ordering_parameters_do_not_change_the_order_of_the_list(public_content, client):
    EventFactory(slug="later", title="A later meeting", starts_at=timezone.now() + timedelta(days=3))
    plain = listed_slugs(client.get("/en/events/").content.decode())
    assert plain[:2] == ["later", "summit"]

    for value in ["title", "-title", "pk", "-starts_at", "starts_at", "status", "?", "1"]:
        for name in ["ordering", "o", "sort", "order_by"]:
            response = client.get("/en/events/", {name: value})
            assert listed_slugs(response.content.decode()) == plain, (name, value)
