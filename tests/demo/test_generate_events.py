"""The benchmark's data generator makes a realistic public archive (make bench builds 100,000 releases with it)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import Attachment, Event, EventParticipant

pytestmark = pytest.mark.django_db


def test_generated_releases_are_public_spread_out_and_have_people_and_photos():
    # One year, so that some releases are announcements of events still ahead.
    call_command("generate_events", "--count", "60", "--years", "1", stdout=None)
    assert Event.objects.filter(starts_at__gt=timezone.now()).count() >= 5

    events = Event.objects.filter(slug__startswith="gen-")
    assert events.count() == 60
    assert Event.objects.public().filter(slug__startswith="gen-").count() == 60
    assert not events.filter(publish_at__gt=timezone.now()).exists()
    # Publication times spread like a real archive's, rather than many releases sharing one moment.
    assert events.values("publish_at").distinct().count() == 60
    assert EventParticipant.objects.filter(event__in=events).count() >= 60
    assert Attachment.objects.filter(event__in=events).exists()
