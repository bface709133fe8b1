"""Subscribing: the alerts page and the pages' box, double opt-in, the neutral answer, limits, bad links, sweeps."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from subscriptions import links, services
from subscriptions.models import Subscriber, Topic
from subscriptions.tasks import sweep_subscribers
from tests.factories import EventFactory, EventParticipantFactory, OrganizationFactory, SectionFactory

from .alerts_helpers import confirmed_subscriber, links_in, outbox_to, path_of, subscribe

pytestmark = pytest.mark.django_db


def test_alerts_page_offers_everything_and_each_active_section(client):
    SectionFactory(name="Economy")
    SectionFactory(name="Closed desk", is_active=False)
    response = client.get("/en/alerts/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Every release" in body
    assert "Economy" in body
    assert "Closed desk" not in body
    # The one alerts page search engines may list (the others answer a form or a personal link).
    assert '<meta name="robots" content="noindex">' not in body


@pytest.mark.parametrize(
    ("language", "subject", "confirm_word"),
    [("en", "Confirm your e-mail alerts", "Confirm"), ("ru", "Подтвердите подписку на новости", "Подтвердить")],
)
def test_new_address_confirms_by_e_mail_then_receives_alerts(
    client, django_capture_on_commit_callbacks, language, subject, confirm_word
):
    section = SectionFactory(name="Economy", name_ru="Экономика")
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, "New.Reader@Example.org ", topics=[f"section:{section.pk}"], language=language)
    assert response.status_code == 200
    subscriber = Subscriber.objects.get(email="new.reader@example.org")
    assert subscriber.confirmed_at is None
    assert subscriber.language == language
    assert list(subscriber.topics.values_list("target", flat=True)) == [f"section:{section.pk}"]

    [message] = mail.outbox
    assert message.subject == subject
    assert message.to == ["new.reader@example.org"]
    assert (section.name_ru if language == "ru" else section.name) in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<html lang="{language}">' in html
    assert "<img" not in html  # no tracking pixel
    [link] = links_in(message)
    assert f"/{language}/alerts/confirm/" in link

    # Opening the link (as a mail scanner would) does not confirm; the button does.
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert confirm_word in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
    done = client.post(path_of(link))
    assert done.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert f"/{language}/alerts/manage/" in done.content.decode()


def test_same_answer_whether_the_address_is_new_known_confirmed_or_suppressed(
    client, django_capture_on_commit_callbacks
):
    confirmed_subscriber("known@example.org")
    Subscriber.objects.create(email="waiting@example.org")
    services.suppression_add(address="gone@example.org", reason="bounce")
    answers = {}
    with django_capture_on_commit_callbacks(execute=True):
        for address in ("new@example.org", "known@example.org", "waiting@example.org", "gone@example.org"):
            response = subscribe(client, address)
            answers[address] = (response.status_code, response.content)
    assert len(set(answers.values())) == 1
    assert answers["new@example.org"][0] == 200
    assert "Check your inbox" in answers["new@example.org"][1].decode()
    # Behind the same answer: a confirmation for the new and the waiting address, a "manage" message for the
    # confirmed one (its topics are not changed by a stranger), nothing for the suppressed one.
    assert [m.subject for m in outbox_to("new@example.org")] == ["Confirm your e-mail alerts"]
    assert [m.subject for m in outbox_to("waiting@example.org")] == ["Confirm your e-mail alerts"]
    assert [m.subject for m in outbox_to("known@example.org")] == ["Your e-mail alerts"]
    assert outbox_to("gone@example.org") == []
    assert not Subscriber.objects.filter(email="gone@example.org").exists()


def test_a_confirmed_address_gets_a_new_topic_only_when_its_owner_saves_it(client, django_capture_on_commit_callbacks):
    subscriber = confirmed_subscriber("known@example.org")
    person = EventParticipantFactory(person__name="Irina Sokolova").person
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, "known@example.org", topics=[f"person:{person.pk}"])
    assert list(subscriber.topics.values_list("target", flat=True)) == ["everything"]
    [message] = mail.outbox
    [add_link] = links_in(message, "/add/")
    page = client.get(path_of(add_link))
    assert page.status_code == 200
    assert "Irina Sokolova" in page.content.decode()
    assert list(subscriber.topics.values_list("target", flat=True)) == ["everything"]
    saved = client.post(
        path_of(add_link).split("add/")[0],
        {
            "topics": ["everything", f"person:{person.pk}"],
            "language": "en",
            "frequency": "immediate",
            "time_zone": "UTC",
        },
    )
    assert saved.status_code == 200
    assert sorted(subscriber.topics.values_list("target", flat=True)) == ["everything", f"person:{person.pk}"]


def test_the_address_limit_answers_the_same_but_sends_nothing_more(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CSO_ALERTS_ADDRESS_LIMIT = 2
    with django_capture_on_commit_callbacks(execute=True):
        answers = {subscribe(client, "many@example.org").content for _ in range(4)}
    assert len(answers) == 1
    assert len(outbox_to("many@example.org")) == 2


def test_the_client_limit_answers_429(client, settings):
    settings.CSO_ALERTS_CLIENT_LIMIT = 3
    statuses = [subscribe(client, f"reader{n}@example.org").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert "Too many requests" in subscribe(client, "other@example.org").content.decode()


def test_the_client_limit_reads_the_address_the_trusted_proxy_wrote(client, settings):
    settings.CSO_ALERTS_CLIENT_LIMIT = 1
    settings.CSO_TRUSTED_PROXY_COUNT = 1
    settings.CSO_TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]
    first = subscribe(client, "a@example.org", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = client.post(
        "/en/alerts/", {"email": "b@example.org", "topics": ["everything"]}, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    third = client.post(
        "/en/alerts/", {"email": "c@example.org", "topics": ["everything"]}, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]


def test_a_form_posted_from_a_trusted_origin_is_accepted(client, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.press.example"]
    data = {"email": "x@example.org", "topics": ["everything"]}
    assert client.post("/en/alerts/", data, HTTP_ORIGIN="https://www.press.example").status_code == 200
    assert client.post("/en/alerts/", data, HTTP_ORIGIN="http://www.press.example").status_code == 403
    assert client.post("/en/alerts/", data, HTTP_ORIGIN="https://press.example.evil").status_code == 403


def test_a_form_posted_from_another_site_is_refused(client):
    response = client.post(
        "/en/alerts/", {"email": "x@example.org", "topics": ["everything"]}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert not Subscriber.objects.exists()
    ours = client.post(
        "/en/alerts/", {"email": "x@example.org", "topics": ["everything"]}, HTTP_ORIGIN="http://testserver"
    )
    assert ours.status_code == 200


def test_a_bad_address_or_unknown_topic_is_a_form_error(client):
    response = subscribe(client, "not-an-address", topics=["section:99999"])
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address." in body
    assert "no longer exists" in body
    assert 'role="alert"' in body
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_an_all_events_filter_is_kept_as_the_page_reads_it(client):
    section = SectionFactory(slug="economy")
    subscribe(client, "f@example.org", topics=["filter:utm_source=x&section=economy&page=3&kind=&q=summit"])
    topic = Topic.objects.get()
    assert topic.kind == "filter"
    assert topic.query == "q=summit&section=economy"
    assert topic.target == "filter:q=summit&section=economy"
    assert section.slug == "economy"
    # No filter at all is the same as everything.
    subscribe(client, "g@example.org", topics=["filter:page=2"])
    assert Topic.objects.get(subscriber__email="g@example.org").target == "everything"


@pytest.mark.parametrize("make_path", ["section", "person", "organisation", "list"])
def test_pages_carry_a_subscribe_box_for_what_they_show(client, make_path):
    if make_path == "section":
        thing = SectionFactory()
        url, topic = thing.get_absolute_url(), f"section:{thing.pk}"
    elif make_path == "person":
        thing = EventParticipantFactory().person
        url, topic = thing.get_absolute_url(), f"person:{thing.pk}"
    elif make_path == "organisation":
        thing = OrganizationFactory()
        EventFactory().organizations.add(thing)
        url, topic = thing.get_absolute_url(), f"organisation:{thing.pk}"
    else:
        SectionFactory(slug="economy")
        url, topic = "/en/events/?section=economy&utm_source=mail", "filter:section=economy"
    body = client.get(url).content.decode()
    assert 'action="/en/alerts/"' in body
    assert f'name="topics" value="{topic}"' in body
    assert '<label for="alerts-email">' in body


def test_the_box_keeps_a_section_page_in_the_page_cache(client, page_cache):
    section = SectionFactory()
    first = client.get(section.get_absolute_url())
    second = client.get(section.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert "csrftoken" not in first.cookies


def test_an_expired_or_forged_confirmation_link_gets_a_clear_page(client):
    subscriber = Subscriber.objects.create(email="late@example.org")
    token = links.make_token(links.CONFIRM, subscriber)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        expired = client.get(f"/en/alerts/confirm/{token}/")
        expired_post = client.post(f"/en/alerts/confirm/{token}/")
    forged = client.get(f"/en/alerts/confirm/{subscriber.pk}:abc:def/")
    nonsense = client.get("/en/alerts/confirm/not-a-token/")
    for response in (expired, expired_post, forged, nonsense):
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
        assert 'href="/en/alerts/"' in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


def test_the_daily_sweep_deletes_unconfirmed_and_erases_departed_addresses():
    now = timezone.now()
    Subscriber.objects.create(email="stale@example.org", created_at=now - timedelta(days=8))
    Subscriber.objects.create(email="fresh@example.org", created_at=now - timedelta(days=6))
    Subscriber.objects.create(
        email="gone@example.org", confirmed_at=now - timedelta(days=90), left_at=now - timedelta(days=29)
    )
    Subscriber.objects.create(
        email="leaving@example.org", confirmed_at=now - timedelta(days=90), left_at=now - timedelta(days=3)
    )
    confirmed_subscriber("staying@example.org")
    assert sweep_subscribers.delay().get() == {"unconfirmed": 1, "left": 1}
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "fresh@example.org",
        "leaving@example.org",
        "staying@example.org",
    ]
    assert sweep_subscribers.delay().get() == {"unconfirmed": 0, "left": 0}


def test_an_address_that_left_must_confirm_again_and_starts_afresh(client, django_capture_on_commit_callbacks):
    subscriber = confirmed_subscriber("back@example.org")
    services.subscriber_leave(subscriber=subscriber)
    section = SectionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, "back@example.org", topics=[f"section:{section.pk}"])
    subscriber.refresh_from_db()
    assert subscriber.left_at is None
    assert subscriber.confirmed_at is None
    assert list(subscriber.topics.values_list("target", flat=True)) == [f"section:{section.pk}"]
    assert [m.subject for m in outbox_to("back@example.org")] == ["Confirm your e-mail alerts"]


def test_a_known_address_asking_for_an_all_events_filter_gets_a_working_add_link(
    client, django_capture_on_commit_callbacks
):
    subscriber = confirmed_subscriber("known@example.org", language="ru")
    SectionFactory(slug="economy")
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, "known@example.org", topics=["filter:section=economy&q=summit talks"])
    [message] = mail.outbox
    assert message.subject == "Ваша подписка на новости"
    [add_link] = links_in(message, "/add/")
    assert "/ru/alerts/manage/" in add_link
    page = client.get(path_of(add_link))
    assert page.status_code == 200
    body = page.content.decode()
    assert re.search(r'value="filter:q=summit\+talks&amp;section=economy"[^>]* checked>', body)
    assert subscriber.topics.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"email": "a@example.org", "topics": ["filter:date_from=not-a-date"]},
        {"email": "a@example.org", "topics": ["filter:q=" + "x" * 600]},
        {"email": "a@example.org", "topics": ["section:" + "9" * 40]},
        {"email": "a@example.org", "topics": ["person:\x00"]},
        {"email": "a@example.org", "topics": ["everything"], "time_zone": "Nowhere/Else"},
        {"email": "a@example.org", "topics": ["everything"], "language": "xx"},
        {"email": "a" * 300 + "@example.org", "topics": ["everything"]},
        {"email": "a@example.org", "topics": ["everything"], "frequency": "hourly"},
        {},
    ],
)
def test_bad_subscribe_input_is_a_form_error_and_stores_nothing(client, data):
    response = client.post("/en/alerts/", data)
    assert response.status_code == 200
    assert 'class="form-errors" role="alert"' in response.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/en/alerts/manage/abc/add/filter:%00",
        "/en/alerts/manage/1:x:y/data.json",
        "/en/alerts/unsubscribe/%00/",
        "/ru/alerts/confirm/" + "9" * 30 + ":a:b/",
    ],
)
def test_bad_links_are_404_pages(client, path):
    assert client.get(path).status_code == 404


def test_a_malformed_provider_report_is_refused_without_an_error(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "anymail:secret"}
    response = client.post(
        "/anymail/postmark/tracking/",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic YW55bWFpbDpzZWNyZXQ=",
    )
    assert response.status_code < 500
