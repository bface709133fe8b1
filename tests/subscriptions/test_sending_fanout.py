"""Who is owed a message about a release: topics, languages, active readers only, one row each."""

from __future__ import annotations

import pytest
from django.utils import timezone

from events.models import Event
from subscriptions import fanout
from subscriptions.models import Delivery, Subscriber
from tests.factories import EventFactory, OrganizationFactory, PersonFactory, SectionFactory

from .sending_helpers import follow, reader

pytestmark = pytest.mark.django_db


def owed(event) -> set[str]:
    fanout.fan_out(fanout.announcement_for(event.pk))
    return set(Delivery.objects.filter(announcement__event=event).values_list("subscriber__email", flat=True))


def test_a_section_topic_covers_its_subsections_but_not_its_parent():
    parent = SectionFactory(name="Foreign policy")
    child = SectionFactory(name="Europe", parent=parent)
    reader("parent@example.net", ("section", parent))
    reader("child@example.net", ("section", child))

    assert owed(EventFactory(section=child)) == {"parent@example.net", "child@example.net"}
    assert owed(EventFactory(section=parent)) == {"parent@example.net"}


def test_person_organisation_and_filter_topics_match_only_their_releases():
    person = PersonFactory(name="Maria Lopez")
    organisation = OrganizationFactory(name="Council of Europe")
    reader("person@example.net", ("person", person))
    reader("organisation@example.net", ("organisation", organisation))
    reader("speeches@example.net", ("filter", "kind=speech"))
    reader("broken-filter@example.net", ("filter", "year=notayear"))

    speech = EventFactory(kind=Event.Kind.SPEECH)
    speech.participant_links.create(person=person)
    news = EventFactory(kind=Event.Kind.NEWS)
    news.organizations.add(organisation)

    assert owed(speech) == {"person@example.net", "speeches@example.net"}
    assert owed(news) == {"organisation@example.net"}


def test_unconfirmed_and_departed_readers_and_other_languages_are_owed_nothing():
    reader("active@example.net")
    reader("left@example.net", left_at=timezone.now())
    reader("russian@example.net", language="ru")
    unconfirmed = Subscriber.objects.create(email="unconfirmed@example.net")
    follow(unconfirmed, "everything")

    assert owed(EventFactory()) == {"active@example.net"}


def test_digest_readers_rows_wait_for_their_digest_and_fan_out_walks_readers_in_chunks(monkeypatch):
    monkeypatch.setattr(fanout, "CHUNK", 3)
    for n in range(7):
        reader(f"now{n}@example.net")
    reader("daily@example.net", frequency="daily")
    reader("weekly@example.net", frequency="weekly")
    event = EventFactory()

    assert fanout.fan_out(fanout.announcement_for(event.pk)) == 9
    assert fanout.fan_out(fanout.announcement_for(event.pk)) == 9

    rows = Delivery.objects.filter(announcement__event=event)
    assert rows.count() == 9
    assert set(rows.filter(in_digest=True).values_list("subscriber__email", flat=True)) == {
        "daily@example.net",
        "weekly@example.net",
    }
