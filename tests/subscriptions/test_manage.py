"""The manage page (signed link, no password), leaving, one-click unsubscribe (RFC 8058), export and erasure."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from subscriptions import links
from subscriptions.models import Announcement, Delivery, Subscriber
from tests.factories import EventFactory, SectionFactory

from .alerts_helpers import confirmed_subscriber

pytestmark = pytest.mark.django_db


def _manage(subscriber, language="en"):
    return f"/{language}/alerts/manage/{links.make_token(links.MANAGE, subscriber)}/"


def _unsubscribe(subscriber, language="en"):
    return f"/{language}/alerts/unsubscribe/{links.make_token(links.UNSUBSCRIBE, subscriber)}/"


def _queued_delivery(subscriber, status=Delivery.Status.QUEUED):
    announcement, _created = Announcement.objects.get_or_create(event=EventFactory(title="Summit opens"))
    return Delivery.objects.create(announcement=announcement, subscriber=subscriber, status=status)


def test_manage_page_shows_everything_held(client):
    subscriber = confirmed_subscriber("reader@example.org")
    _queued_delivery(subscriber, status=Delivery.Status.SENT)
    body = client.get(_manage(subscriber)).content.decode()
    assert "reader<wbr>@example.org" in body
    assert "Every release" in body
    assert "Summit opens — Sent" in body
    assert "1 message." in body
    assert 'action="/en/alerts/manage/' in body


def test_manage_page_changes_topics_language_frequency_and_time_zone(client):
    subscriber = confirmed_subscriber("reader@example.org")
    section = SectionFactory(name="Economy")
    response = client.post(
        _manage(subscriber),
        {"topics": [f"section:{section.pk}"], "language": "ru", "frequency": "weekly", "time_zone": "Asia/Almaty"},
    )
    assert response.status_code == 200
    assert "Your changes are saved." in response.content.decode()
    subscriber.refresh_from_db()
    assert (subscriber.language, subscriber.frequency, subscriber.time_zone) == ("ru", "weekly", "Asia/Almaty")
    assert list(subscriber.topics.values_list("target", flat=True)) == [f"section:{section.pk}"]


def test_manage_page_refuses_no_topic_and_an_unknown_time_zone(client):
    subscriber = confirmed_subscriber("reader@example.org")
    response = client.post(_manage(subscriber), {"topics": [], "time_zone": "Mars/Olympus"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one topic." in body
    assert "Select a valid choice." in body
    assert list(subscriber.topics.values_list("target", flat=True)) == ["everything"]


def test_a_wrong_manage_link_gets_the_same_clear_page(client):
    subscriber = confirmed_subscriber("reader@example.org")
    confirm_token = links.make_token(links.CONFIRM, subscriber)
    for path in (f"/en/alerts/manage/{confirm_token}/", "/en/alerts/manage/1:x:y/", "/ru/alerts/manage/zzz/"):
        response = client.get(path)
        assert response.status_code == 404
        assert ("This link does not work" in response.content.decode()) or (
            "Ссылка не действует" in response.content.decode()
        )


def test_get_on_the_unsubscribe_link_never_unsubscribes(client):
    subscriber = confirmed_subscriber("reader@example.org")
    for _ in range(3):
        response = client.get(_unsubscribe(subscriber))
        assert response.status_code == 200
        assert "Stop all alerts" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.is_active


def test_one_click_post_unsubscribes_at_once_without_a_csrf_token():
    subscriber = confirmed_subscriber("reader@example.org")
    queued = _queued_delivery(subscriber)
    old_manage = _manage(subscriber)
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(_unsubscribe(subscriber), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.left_at is not None
    assert not subscriber.is_active
    assert subscriber.topics.count() == 0
    queued.refresh_from_db()
    assert queued.status == Delivery.Status.CANCELLED
    # Every link sent before stops working.
    assert mail_program.get(old_manage).status_code == 404


def test_the_pages_own_button_needs_its_csrf_token():
    subscriber = confirmed_subscriber("reader@example.org")
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(_unsubscribe(subscriber), {}).status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.is_active
    page = browser.get(_unsubscribe(subscriber))
    token = page.cookies["csrftoken"].value
    response = browser.post(_unsubscribe(subscriber), {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "You will receive no more alerts" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.left_at is not None


def test_leaving_from_the_manage_page(client):
    subscriber = confirmed_subscriber("reader@example.org")
    response = client.post(_manage(subscriber) + "leave/")
    assert response.status_code == 200
    assert "Your address is erased in 28 days." in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.left_at is not None


def test_the_data_download_holds_everything(client):
    subscriber = confirmed_subscriber("reader@example.org")
    _queued_delivery(subscriber, status=Delivery.Status.SENT)
    response = client.get(_manage(subscriber) + "data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="e-mail-alerts.json"'
    data = json.loads(response.content)
    assert data["email"] == "reader@example.org"
    assert [topic["topic"] for topic in data["topics"]] == ["Every release"]
    assert [(m["release"], m["status"]) for m in data["messages"]] == [("Summit opens", "sent")]


def test_delete_everything_now(client):
    subscriber = confirmed_subscriber("reader@example.org")
    _queued_delivery(subscriber, status=Delivery.Status.SENT)
    response = client.post(_manage(subscriber) + "erase/")
    assert response.status_code == 200
    assert "Everything is deleted" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not Delivery.objects.exists()
    assert client.get(_manage(subscriber)).status_code == 404


def test_manage_pages_are_never_cached(client, page_cache):
    subscriber = confirmed_subscriber("reader@example.org")
    response = client.get(_manage(subscriber))
    assert "no-store" in response["Cache-Control"]
    assert "X-Page-Cache" not in response


def test_the_manage_page_lists_the_50_newest_messages_and_counts_all(client):
    subscriber = confirmed_subscriber("reader@example.org")
    for n in range(55):
        announcement = Announcement.objects.create(event=EventFactory(title=f"Release {n}"))
        Delivery.objects.create(announcement=announcement, subscriber=subscriber, status=Delivery.Status.SENT)
    body = client.get(_manage(subscriber)).content.decode()
    assert "55 messages. The 50 latest:" in body
    assert body.count(" — Sent") == 50
    data = json.loads(client.get(_manage(subscriber) + "data.json").content)
    assert len(data["messages"]) == 55
