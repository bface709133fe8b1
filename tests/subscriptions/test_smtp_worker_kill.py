"""Exactly once when a real Celery worker is killed (SIGKILL) in the middle of a batch.

The SMTP server holds the third message unanswered until the test has killed the worker, so "mid-batch" is
the same point on every run: two messages accepted and marked sent, the third in the server's hands, the rest
claimed by the dead batch. Once the batch's lease is over the batch is retried on a second worker, and every
reader has exactly one message at the server.
"""

from __future__ import annotations

from django.utils import timezone

from subscriptions import fanout
from subscriptions.models import Delivery
from tests.factories import EventFactory
from tests.smtp_server import MailServer
from tests.tasks.conftest import wait_until

from .sending_helpers import reader

LEASE_SECONDS = 3


def test_a_worker_killed_mid_batch_and_the_batch_retried_sends_each_reader_exactly_one(mail_workers, mail_sender):
    addresses = [f"reader{n}@example.net" for n in range(8)]
    for address in addresses:
        reader(address)
    fanout.fan_out(fanout.announcement_for(EventFactory(title="Summit").pk))

    with MailServer(hold_at=3) as server:
        env = {
            "DJANGO_SETTINGS_MODULE": "tests.smtp_worker_settings",
            "CSO_TEST_SMTP_PORT": str(server.port),
            "DJANGO_ALERTS_LEASE_SECONDS": str(LEASE_SECONDS),
            "DJANGO_ALERTS_BATCH_SIZE": "20",
            "DJANGO_ALERTS_RATE_PER_SECOND": "0",
        }
        first = mail_workers.start("first", queues="mail", env=env)
        mail_sender.send_task("mail.send_batch")
        wait_until(server.holding.is_set, what="the third message to reach the server", logs=[first.log])

        first.kill()
        server.release()
        statuses = dict(Delivery.objects.values_list("subscriber__email", "status"))
        assert sorted(server.recipients()) == addresses[:2]
        assert [statuses[address] for address in addresses] == ["sent"] * 2 + ["sending"] * 6

        # The dead batch's lease runs out; the batch is sent again (as Celery redelivers it) to a new worker.
        lease_end = max(Delivery.objects.filter(status="sending").values_list("lease_until", flat=True))
        wait_until(lambda: timezone.now() > lease_end, what="the dead batch's lease to end", timeout=LEASE_SECONDS + 5)
        second = mail_workers.start("second", queues="mail", env=env)
        mail_sender.send_task("mail.send_batch")
        wait_until(
            lambda: not Delivery.objects.exclude(status="sent").exists(),
            what="every message to be sent",
            logs=[first.log, second.log],
        )

        assert sorted(server.recipients()) == addresses
        assert len(server.messages) == len(addresses)
        message_ids = {message["Message-ID"].strip() for message in server.messages}
        assert message_ids == set(Delivery.objects.values_list("message_id", flat=True))
