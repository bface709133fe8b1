"""The alerts admin: subscribers, counts per topic and language, the sending switch, who may see them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from subscriptions.models import SendingSwitch, Subscriber, Topic
from tests.factories import SectionFactory, UserFactory

from .alerts_helpers import confirmed_subscriber

pytestmark = pytest.mark.django_db

PER_TOPIC = "/admin/subscriptions/subscriber/per-topic/"


def _many(count, language, targets, prefix):
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"{prefix}{n}@example.org", language=language, confirmed_at=timezone.now())
        for n in range(count)
    )
    topics = []
    for subscriber in subscribers:
        for target in targets:
            kind, _colon, rest = target.partition(":")
            fields = {"section_id": int(rest)} if kind == "section" else {}
            topics.append(Topic(subscriber=subscriber, kind=kind, target=target, **fields))
    Topic.objects.bulk_create(topics)


def _row(body, label):
    start = body.index(f'<th scope="row">{label}</th>')
    return body[start : body.index("</tr>", start)]


def test_subscribers_per_topic_and_language(admin_client_logged_in, django_assert_max_num_queries):
    economy = SectionFactory(name="Economy")
    _many(5, "en", ["everything"], "a")
    _many(3, "ru", ["everything", f"section:{economy.pk}"], "b")
    _many(2, "en", [f"section:{economy.pk}"], "c")
    Subscriber.objects.create(email="waiting@example.org")  # unconfirmed: not counted
    gone = confirmed_subscriber("gone@example.org")
    gone.left_at = timezone.now()
    gone.save()
    with django_assert_max_num_queries(20) as small:
        body = admin_client_logged_in.get(PER_TOPIC).content.decode()
    assert '<td class="numeric">5</td><td class="numeric">3</td><td class="numeric">8</td>' in _row(
        body, "Every release"
    )
    assert '<td class="numeric">2</td><td class="numeric">3</td><td class="numeric">5</td>' in _row(body, "Economy")
    assert "10 confirmed subscribers; 1 waiting for confirmation; 1 left" in body
    # Ten times the subscribers: not one query more.
    _many(100, "en", ["everything", f"section:{economy.pk}"], "d")
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = admin_client_logged_in.get(PER_TOPIC).content.decode()
    assert '<td class="numeric">108</td>' in _row(body, "Every release")


def test_subscriber_list_filters_and_search(admin_client_logged_in):
    confirmed_subscriber("alice@example.org")
    Subscriber.objects.create(email="bob@example.org", language="ru")
    listing = admin_client_logged_in.get("/admin/subscriptions/subscriber/", {"confirmed": "no"}).content.decode()
    assert "bob@example.org" in listing
    assert "alice@example.org" not in listing
    found = admin_client_logged_in.get("/admin/subscriptions/subscriber/", {"q": " ALICE@example.org"})
    assert "alice@example.org" in found.content.decode()
    assert "bob@example.org" not in found.content.decode()
    by_language = admin_client_logged_in.get("/admin/subscriptions/subscriber/", {"language__exact": "ru"})
    assert "bob@example.org" in by_language.content.decode()


def test_pause_and_resume_sending_shows_state_and_who(client):
    editor = UserFactory(username="editor1")
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    page = client.get("/admin/subscriptions/sendingswitch/").content.decode()
    assert "Sending is on" in page
    assert "Pause sending" in page
    response = client.post("/admin/subscriptions/sendingswitch/", {"paused": "1"})
    assert response.status_code == 302
    switch = SendingSwitch.objects.get()
    assert switch.paused is True
    assert switch.changed_by == editor
    page = client.get("/admin/subscriptions/sendingswitch/").content.decode()
    assert "Sending is paused" in page
    assert "by editor1" in page
    assert "Resume sending" in page
    client.post("/admin/subscriptions/sendingswitch/", {"paused": "0"})
    assert SendingSwitch.objects.get().paused is False


@pytest.mark.parametrize(
    ("role", "status"), [("Administrator", 200), ("Editor", 200), ("Author", 403), ("Photo and contacts staff", 403)]
)
def test_only_administrators_and_editors_see_subscribers(client, role, status):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    assert client.get("/admin/subscriptions/subscriber/").status_code == status
    assert client.get(PER_TOPIC).status_code == status
    assert client.get("/admin/subscriptions/suppression/").status_code == status


def test_editors_cannot_delete_subscribers_but_administrators_can(client):
    subscriber = confirmed_subscriber("reader@example.org")
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    assert client.get(f"/admin/subscriptions/subscriber/{subscriber.pk}/delete/").status_code == 403
    admin_user = UserFactory()
    admin_user.groups.add(Group.objects.get(name="Administrator"))
    client.force_login(admin_user)
    assert client.get(f"/admin/subscriptions/subscriber/{subscriber.pk}/delete/").status_code == 200
