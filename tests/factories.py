"""factory_boy factories for every model; tests build exactly the data they talk about."""

from __future__ import annotations

import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from events.models import (
    Attachment,
    Event,
    EventParticipant,
    EventPressContact,
    Organization,
    Person,
    PhoneNumber,
    Section,
)


def make_jpeg_bytes(width: int = 64, height: int = 48, color: str = "#2b5797", fmt: str = "JPEG") -> bytes:
    """A small drawn image (not blank) so that decoders and thumbnails have something real to work on."""
    image = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill="#f2c14e")
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery")
    is_staff = True


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    short_name = factory.Sequence(lambda n: f"ORG{n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organization.Kind.INTERNATIONAL


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Anna Petrova{n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    position = "Adviser"


class PressContactFactory(PersonFactory):
    position = "Press Secretary"
    is_press_contact = True
    email = factory.Sequence(lambda n: f"press{n}@example.org")


class PhoneNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhoneNumber

    person = factory.SubFactory(PressContactFactory)
    number = "+74951234567"
    label = PhoneNumber.Label.TEL


class EventFactory(factory.django.DjangoModelFactory):
    """A published, due release unless told otherwise."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Meeting number {n}")
    slug = factory.Sequence(lambda n: f"meeting-{n}")
    section = factory.SubFactory(SectionFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    lead = "The delegations met to discuss cooperation."
    body = "<p>The talks covered regional security.</p>"
    status = Event.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Event.Status.DRAFT, publish_at=None)
        in_review = factory.Trait(status=Event.Status.IN_REVIEW, publish_at=None)
        withdrawn = factory.Trait(status=Event.Status.WITHDRAWN)
        scheduled = factory.Trait(publish_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1)))


class EventParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventParticipant

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory)


class EventPressContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventPressContact

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PressContactFactory)


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    event = factory.SubFactory(EventFactory)
    kind = Attachment.Kind.PHOTO
    file = factory.LazyFunction(lambda: ContentFile(make_jpeg_bytes(), name="ABC_9246.JPG"))
    caption = "Delegations before the talks."
    alt_text = "Two delegations seated at a long table."
    credit = "Press Office / A. Photographer"
    position = factory.Sequence(lambda n: n)


def photo_shared_with_translation(photo: Attachment) -> Attachment:
    """A Russian translation of ``photo``'s release holding a copy of the photo that shares its stored files,
    as the Translate action makes it."""
    translation = EventFactory(translation_key=photo.event.translation_key, language="ru")
    return Attachment.objects.create(
        event=translation,
        kind=photo.kind,
        file=photo.file.name,
        renditions=photo.renditions,
        sha256=photo.sha256,
        alt_text="Перевод",
    )
