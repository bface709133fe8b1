"""Sending a published release, exactly once, never to suppressed addresses; who may send."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from presslist.models import PressSend
from presslist.services import press_sends_deliver
from presslist.tasks import presslist_send, presslist_sweep_stale_sends
from subscriptions.addresses import address_hash
from subscriptions.models import Suppression

from .helpers import LINK, send_from_admin

pytestmark = pytest.mark.django_db


def test_the_send_screen_ticks_the_matching_journalists_and_offers_the_others(client, editor, published, journalists):
    client.force_login(editor)
    response = client.get(reverse("admin:presslist_release_send", args=[published.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert sorted(form.initial["journalists"]) == sorted([journalists["anna"].pk, journalists["boris"].pk])
    offered = {j.name for j in form.fields["journalists"].queryset}
    assert offered == {"Anna Abbot", "Boris Brown", "Vera Volkova", "Gleb Green"}  # not the expired one
    assert "This release is public." in response.content.decode()


def test_a_published_release_is_mailed_with_its_public_link(
    client, editor, published, journalists, django_capture_on_commit_callbacks, settings
):
    client.force_login(editor)
    send_from_admin(client, published, [journalists["anna"], journalists["gleb"]], django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@wire.example", "gleb@money.example"]
    message = mail.outbox[0]
    assert message.subject == "Summit opens"
    public = settings.CSO_SITE_URL.rstrip("/") + published.get_absolute_url()
    assert public in message.body
    assert f'href="{public}"' in message.alternatives[0][0]
    assert not LINK.findall(message.body)  # no personal link for a public release
    assert not PressSend.objects.filter(embargo_link__isnull=False).exists()


def test_an_empty_choice_is_a_form_error(client, editor, published, journalists):
    client.force_login(editor)
    response = client.post(reverse("admin:presslist_release_send", args=[published.pk]), {})
    assert response.status_code == 200
    assert "Choose at least one journalist." in response.content.decode()


def test_running_the_task_twice_or_sending_again_sends_each_journalist_one_e_mail(
    client, editor, published, journalists, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    send_from_admin(client, published, [journalists["anna"], journalists["boris"]], django_capture_on_commit_callbacks)
    presslist_send.apply(kwargs={"release_id": published.pk, "kind": "published"})
    press_sends_deliver(release_id=published.pk, kind="published")
    # The same journalists ticked again (a second editor, a double click): nothing new is queued.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:presslist_release_send", args=[published.pk]), {"journalists": [journalists["anna"].pk]}
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@wire.example", "boris@tv.example"]
    assert PressSend.objects.filter(release=published).count() == 2


def test_sending_goes_in_batches_until_the_queue_is_empty(
    client, editor, published, journalists, django_capture_on_commit_callbacks, settings
):
    settings.CSO_PRESSLIST_BATCH_SIZE = 1
    client.force_login(editor)
    chosen = [journalists["anna"], journalists["boris"], journalists["vera"]]
    send_from_admin(client, published, chosen, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    assert set(PressSend.objects.values_list("status", flat=True)) == {"sent"}


def test_a_suppressed_address_is_skipped(client, editor, published, journalists, django_capture_on_commit_callbacks):
    Suppression.objects.create(address_hash=address_hash("ANNA@wire.example"), reason="bounce")
    client.force_login(editor)
    send_from_admin(client, published, [journalists["anna"], journalists["boris"]], django_capture_on_commit_callbacks)
    assert [m.to[0] for m in mail.outbox] == ["boris@tv.example"]
    assert PressSend.objects.get(journalist=journalists["anna"]).status == "suppressed"
    page = client.get(reverse("admin:presslist_release_sends", args=[published.pk])).content.decode()
    assert "Not sent: address suppressed" in page


def test_a_release_withdrawn_before_its_e_mails_go_out_stops_them(client, editor, published, journalists):
    client.force_login(editor)
    # Queued, but the task has not run (no on-commit callbacks executed).
    client.post(reverse("admin:presslist_release_send", args=[published.pk]), {"journalists": [journalists["anna"].pk]})
    published.status = published.Status.WITHDRAWN
    published.save()
    press_sends_deliver(release_id=published.pk, kind="published")
    assert mail.outbox == []
    assert PressSend.objects.get().status == "cancelled"


def test_a_withdrawn_release_cannot_be_sent(client, editor, published, journalists):
    published.status = published.Status.WITHDRAWN
    published.save()
    client.force_login(editor)
    response = client.post(
        reverse("admin:presslist_release_send", args=[published.pk]), {"journalists": [journalists["anna"].pk]}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "A withdrawn release cannot be sent to the press list." in page
    assert not PressSend.objects.exists()


def test_an_author_can_neither_send_nor_see_the_sends_nor_revoke(client, author, editor, embargoed, journalists):
    client.force_login(author)
    send_url = reverse("admin:presslist_release_send", args=[embargoed.pk])
    assert client.get(send_url).status_code == 403
    assert client.post(send_url, {"journalists": [journalists["anna"].pk]}).status_code == 403
    assert client.get(reverse("admin:presslist_release_sends", args=[embargoed.pk])).status_code == 403
    assert client.get(reverse("admin:presslist_journalist_changelist")).status_code == 403
    assert not PressSend.objects.exists()
    client.force_login(editor)
    client.post(send_url, {"journalists": [journalists["anna"].pk]})
    send = PressSend.objects.get()
    client.force_login(author)
    assert client.post(reverse("admin:presslist_send_revoke", args=[send.pk])).status_code == 403
    send.embargo_link.refresh_from_db()
    assert send.embargo_link.revoked_at is None


def test_an_unknown_release_is_a_404(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:presslist_release_send", args=[999999])).status_code == 404
    assert client.get(reverse("admin:presslist_release_sends", args=[999999])).status_code == 404
    assert client.post(reverse("admin:presslist_send_revoke", args=[999999])).status_code == 404


def test_a_row_a_dead_worker_left_sending_is_marked_failed_and_can_be_sent_again(
    client, editor, published, journalists, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    client.post(
        reverse("admin:presslist_release_send", args=[published.pk]),
        {"journalists": [journalists["anna"].pk, journalists["boris"].pk]},
    )  # queued; the task is not run
    now = timezone.now()
    PressSend.objects.filter(journalist=journalists["anna"]).update(
        status="sending", claimed_at=now - timedelta(minutes=20)
    )
    PressSend.objects.filter(journalist=journalists["boris"]).update(
        status="sending", claimed_at=now - timedelta(minutes=5)
    )
    assert presslist_sweep_stale_sends.apply().get() == 1
    anna = PressSend.objects.get(journalist=journalists["anna"])
    assert anna.status == "failed" and "may or may not have arrived" in anna.error
    assert PressSend.objects.get(journalist=journalists["boris"]).status == "sending"

    page = client.get(reverse("admin:presslist_release_sends", args=[published.pk])).content.decode()
    assert "Send again to Anna Abbot" in page and "Send again to Boris Brown" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:presslist_send_retry", args=[anna.pk]))
    assert response.status_code == 302
    assert [m.to[0] for m in mail.outbox] == ["anna@wire.example"]
    anna.refresh_from_db()
    assert (anna.status, anna.attempts, anna.error) == ("sent", 1, "")
    # Sent is final: asking again changes nothing.
    client.post(reverse("admin:presslist_send_retry", args=[anna.pk]))
    assert len(mail.outbox) == 1


def test_a_send_made_while_the_broker_is_down_stands_and_the_sweep_sends_it(
    client, editor, published, journalists, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    client.force_login(editor)
    with monkeypatch.context() as patched:
        patched.setattr(presslist_send, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:presslist_release_send", args=[published.pk]), {"journalists": [journalists["anna"].pk]}
            )
    assert response.status_code == 302
    assert PressSend.objects.get(release=published).status == PressSend.Status.QUEUED
    assert mail.outbox == []

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        presslist_sweep_stale_sends.apply()

    assert [m.to[0] for m in mail.outbox] == ["anna@wire.example"]
    assert PressSend.objects.get(release=published).status == PressSend.Status.SENT
