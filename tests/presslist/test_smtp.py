"""One embargo e-mail through a real SMTP server: its headers, its two parts, its language."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from presslist.models import PressSend
from tests.factories import EventFactory

from .conftest import make_journalist
from .helpers import send_from_admin

pytestmark = pytest.mark.django_db


def test_a_russian_journalist_gets_an_embargo_e_mail_in_russian_with_text_and_html_parts(
    client, editor, section, smtp_server, django_capture_on_commit_callbacks, settings
):
    release = EventFactory(
        title="Министры согласовали договор",
        slug="dogovor",
        language="ru",
        section=section,
        time_zone="Europe/Moscow",
        starts_at=datetime(2030, 6, 12, 8, 0, tzinfo=UTC),
        publish_at=datetime(2030, 6, 12, 7, 0, tzinfo=UTC),
    )
    # English first, then Russian: the release is in Russian, so her e-mail is too.
    vera = make_journalist(name="Вера Волкова", email="vera@gazeta.example", outlet="Газета", languages="en,ru")
    client.force_login(editor)
    send_from_admin(client, release, [vera], django_capture_on_commit_callbacks)
    [message] = smtp_server.wait_for(1)
    assert smtp_server.envelopes == [("press@example.org", ["vera@gazeta.example"])]
    assert message["To"] == "vera@gazeta.example"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Content-Language"] == "ru"
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@example.org>")
    # Django folds a long non-ASCII subject after "Subject:", which the parser reads as a leading space.
    assert message["Subject"].strip() == (
        "[Эмбарго до 12 июня 2030 г., 10:00 по московскому времени (UTC+3)] Министры согласовали договор"
    )
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Здравствуйте, Вера Волкова!" in text
    assert "/ru/press/" in text
    assert '<html lang="ru">' in html
    assert "<h1" in html and "<img" not in html
    assert "по московскому времени" in text


def test_a_message_the_server_refuses_for_a_while_arrives_once_in_the_end(
    client, editor, published, journalists, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse_next = 1
    client.force_login(editor)
    send_from_admin(client, published, [journalists["anna"]], django_capture_on_commit_callbacks)
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "anna@wire.example"
    send = PressSend.objects.get()
    assert (send.status, send.attempts) == ("sent", 2)
    assert len(smtp_server.messages) == 1


def test_an_address_the_server_rejects_for_good_is_marked_failed_and_not_retried(
    client, editor, published, journalists, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.unknown = {"anna@wire.example"}
    client.force_login(editor)
    send_from_admin(client, published, [journalists["anna"], journalists["boris"]], django_capture_on_commit_callbacks)
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "boris@tv.example"
    anna = PressSend.objects.get(journalist=journalists["anna"])
    assert (anna.status, anna.attempts) == ("failed", 1)
    assert "No such user" in anna.error
    page = client.get(reverse("admin:presslist_release_sends", args=[published.pk])).content.decode()
    assert "Failed" in page
