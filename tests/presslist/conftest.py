from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from presslist.models import Journalist
from tests.events.roles import user_in
from tests.factories import EventFactory, EventPressContactFactory, PhoneNumberFactory, SectionFactory
from tests.smtp_server import smtp_server  # noqa: F401 - fixture


def make_journalist(**fields) -> Journalist:
    values = {
        "name": "Ivan Reporter",
        "outlet": "Daily Courier",
        "email": "ivan@courier.example",
        "languages": Journalist.Languages.EN,
        "accredited_until": timezone.localdate() + timedelta(days=180),
    }
    values.update(fields)
    sections = values.pop("sections", [])
    journalist = Journalist.objects.create(**values)
    journalist.sections.set(sections)
    return journalist


@pytest.fixture
def editor():
    return user_in("Editor")


@pytest.fixture
def author():
    return user_in("Author")


@pytest.fixture
def section():
    return SectionFactory(name="Security", slug="security")


@pytest.fixture
def embargoed(section):
    """A release scheduled for 12 June 2030, 10:00 in Moscow (07:00 UTC), with a press contact."""
    release = EventFactory(
        title="Ministers agree a new treaty",
        slug="new-treaty",
        section=section,
        location="Moscow",
        time_zone="Europe/Moscow",
        starts_at=datetime(2030, 6, 12, 8, 0, tzinfo=UTC),
        publish_at=datetime(2030, 6, 12, 7, 0, tzinfo=UTC),
        lead="The ministers agreed the text of a treaty.",
    )
    contact = EventPressContactFactory(event=release).person
    PhoneNumberFactory(person=contact, number="+74951234567")
    return release


@pytest.fixture
def published(section):
    return EventFactory(title="Summit opens", slug="summit-opens", section=section)


@pytest.fixture
def journalists(section):
    """Two who match (English), one Russian reader of the section, one of another section, one expired."""
    other = SectionFactory(name="Economy", slug="economy")
    return {
        "anna": make_journalist(name="Anna Abbot", email="anna@wire.example", outlet="Wire", sections=[section]),
        "boris": make_journalist(name="Boris Brown", email="boris@tv.example", outlet="TV One"),
        "vera": make_journalist(
            name="Vera Volkova", email="vera@gazeta.example", outlet="Gazeta", languages="ru", sections=[section]
        ),
        "gleb": make_journalist(name="Gleb Green", email="gleb@money.example", outlet="Money", sections=[other]),
        "old": make_journalist(
            name="Olga Old", email="olga@old.example", outlet="Old News", accredited_until=date(2020, 1, 1)
        ),
    }
