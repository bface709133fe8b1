"""Exactly once with real Celery workers: two workers running the send task at the same time, twice over, in
batches of one, still give each journalist one e-mail."""

import pytest

from presslist.models import PressSend
from presslist.services import press_sends_queue
from tests.events.roles import user_in
from tests.factories import EventFactory
from tests.tasks.conftest import redis_broker, sender, wait_until, workers  # noqa: F401 - fixtures

from .conftest import make_journalist


@pytest.fixture
def broker(redis_broker):  # noqa: F811 - Redis is enough here; tests/tasks runs both brokers
    return redis_broker


def test_two_workers_sending_one_release_twice_over_send_each_journalist_one_e_mail(
    workers,  # noqa: F811
    sender,  # noqa: F811
    smtp_server,
):
    release = EventFactory(title="Summit opens", slug="summit-opens")
    people = [make_journalist(name=f"Journalist {n}", email=f"j{n}@news.example") for n in range(6)]
    press_sends_queue(release=release, journalists=people, user=user_in("Editor"))
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.smtp_worker_settings",
        "CSO_TEST_SMTP_PORT": str(smtp_server.port),
        "DJANGO_PRESSLIST_BATCH_SIZE": "1",
    }
    workers.start("one", queues="mail", env=env)
    workers.start("two", queues="mail", env=env)

    for _ in range(2):
        for _worker in range(2):
            sender.send_task("mail.presslist_send", kwargs={"release_id": release.pk, "kind": "published"})

    sends = PressSend.objects.filter(release=release)
    wait_until(lambda: not sends.exclude(status="sent").exists(), what="every e-mail to be sent", logs=workers.logs)
    # A row is marked sent only after the server accepted its message: nothing more can be on its way.
    assert sorted(to[0] for _sender, to in smtp_server.envelopes) == sorted(p.email for p in people)
    assert set(sends.values_list("attempts", flat=True)) == {1}
