"""Sending a release under embargo: a personal link per journalist, logged on every open, revocable one by one."""

import pytest
from django.core import mail
from django.urls import reverse

from events.models import EmbargoLink
from events.services import embargo_links
from presslist.models import PressLinkOpen, PressSend

from .helpers import personal_path, send_from_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(client, editor, embargoed, journalists, django_capture_on_commit_callbacks):
    client.force_login(editor)
    send_from_admin(client, embargoed, [journalists["anna"], journalists["boris"]], django_capture_on_commit_callbacks)
    client.logout()
    return {message.to[0]: message for message in mail.outbox}


def test_each_journalist_gets_one_e_mail_with_a_personal_link_and_the_embargo_time(sent, embargoed):
    assert sorted(sent) == ["anna@wire.example", "boris@tv.example"]
    anna = sent["anna@wire.example"]
    assert anna.subject == "[Embargoed until 12 June 2030, 10:00 Moscow time (UTC+3)] Ministers agree a new treaty"
    assert "EMBARGOED UNTIL 12 June 2030, 10:00 Moscow time (UTC+3)." in anna.body
    assert "Dear Anna Abbot," in anna.body
    assert "+7 495 123-45-67" in anna.body  # the press contact
    assert personal_path(anna) != personal_path(sent["boris@tv.example"])
    assert PressSend.objects.filter(release=embargoed, kind="embargo", status="sent").count() == 2
    # One events embargo link each, labelled with the journalist, so it also shows in the embargo links list.
    assert sorted(EmbargoLink.objects.filter(event=embargoed).values_list("label", flat=True)) == [
        "Press list: Anna Abbot, Wire",
        "Press list: Boris Brown, TV One",
    ]


def test_a_personal_link_opens_the_embargoed_page_and_every_open_is_logged(client, sent, journalists):
    path = personal_path(sent["anna@wire.example"])
    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Ministers agree a new treaty" in page
        assert "EMBARGOED UNTIL" in page
        assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    opens = PressLinkOpen.objects.filter(send__journalist=journalists["anna"])
    assert opens.count() == 2 and all(o.shown for o in opens)
    assert not PressLinkOpen.objects.filter(send__journalist=journalists["boris"]).exists()


def test_a_revoked_link_answers_exactly_like_an_unknown_one_and_the_others_still_work(
    client, editor, sent, embargoed, journalists
):
    anna_path = personal_path(sent["anna@wire.example"])
    boris_path = personal_path(sent["boris@tv.example"])
    send = PressSend.objects.get(journalist=journalists["anna"])
    client.force_login(editor)
    revoke = client.post(reverse("admin:presslist_send_revoke", args=[send.pk]))
    assert revoke.status_code == 302
    client.logout()

    unknown_path = reverse("presslist:open", kwargs={"token": "not-a-token"})
    forged_path = anna_path[:-3] + "xx/"
    answers = {path: client.get(path) for path in (anna_path, unknown_path, forged_path)}
    assert {response.status_code for response in answers.values()} == {404}
    # The page names its own address (the language switch); apart from that the three are the same bytes.
    bodies = {response.content.decode().replace(path.split("/")[-2], "TOKEN") for path, response in answers.items()}
    assert len(bodies) == 1
    assert "Page not found" in bodies.pop()
    assert client.get(boris_path).status_code == 200
    # The refused open is logged too, marked as not shown.
    assert list(PressLinkOpen.objects.filter(send=send).values_list("shown", flat=True)) == [False]


def test_the_sends_page_shows_who_got_what_and_who_opened_when(client, editor, sent, embargoed, journalists):
    client.get(personal_path(sent["anna@wire.example"]))
    client.force_login(editor)
    response = client.get(reverse("admin:presslist_release_sends", args=[embargoed.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Press list sends for “Ministers agree a new treaty”" in page
    rows = {send.journalist.name: send for send in response.context["sends"]}
    assert sorted(rows) == ["Anna Abbot", "Boris Brown"]
    assert rows["Anna Abbot"].opens.all()[0].shown
    assert "Not opened" in page  # Boris
    assert page.count("Revoke the link of") == 2
    assert [send.get_status_display() for send in rows.values()] == ["Sent", "Sent"]
    assert page.count("<td>Sent\n") == 2


def test_the_release_change_page_links_to_its_press_list(client, editor, author, embargoed):
    link = reverse("admin:presslist_release_sends", args=[embargoed.pk])
    client.force_login(editor)
    assert link in client.get(reverse("admin:events_event_change", args=[embargoed.pk])).content.decode()
    client.force_login(author)
    page = client.get(reverse("admin:events_event_change", args=[embargoed.pk]))
    assert page.status_code == 200
    assert link not in page.content.decode()


def test_once_the_release_is_public_the_personal_link_leads_to_the_public_page(client, sent, embargoed):
    path = personal_path(sent["anna@wire.example"])
    embargoed.publish_at = embargoed.publish_at.replace(year=2020)
    embargoed.save()
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == embargoed.get_absolute_url()


def test_the_send_screen_says_when_the_embargo_lifts_in_the_venue_zone_in_russian_too(client, editor, embargoed):
    client.force_login(editor)
    url = reverse("admin:presslist_release_send", args=[embargoed.pk])
    english = client.get(url).content.decode()
    assert "embargoed until 12 June 2030, 10:00 Moscow time (UTC+3)." in english
    russian = client.get(url, headers={"accept-language": "ru"}).content.decode()
    assert "эмбарго действует до 12 июня 2030 г., 10:00 по московскому времени (UTC+3)." in russian
    assert "Отправить выбранным журналистам" in russian
    sends = client.get(reverse("admin:presslist_release_sends", args=[embargoed.pk]), headers={"accept-language": "ru"})
    assert "Рассылка по списку прессы: «Ministers agree a new treaty»" in sends.content.decode()


def test_revoking_or_deleting_the_events_embargo_link_also_ends_the_personal_link(client, editor, sent, journalists):
    anna = PressSend.objects.get(journalist=journalists["anna"])
    boris = PressSend.objects.get(journalist=journalists["boris"])
    embargo_links.embargo_link_revoke(link=anna.embargo_link, user=editor)
    boris.embargo_link.delete()
    assert client.get(personal_path(sent["anna@wire.example"])).status_code == 404
    assert client.get(personal_path(sent["boris@tv.example"])).status_code == 404


def test_a_personal_link_answers_only_reads_and_a_post_is_not_an_open(client, sent, journalists):
    path = personal_path(sent["anna@wire.example"])
    assert client.post(path).status_code == 405
    assert not PressLinkOpen.objects.exists()
