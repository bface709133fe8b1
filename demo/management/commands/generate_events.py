"""Fill the database with a large synthetic archive for benchmarks: ``generate_events --count 100000``."""

from __future__ import annotations

import io
import random
import time
import uuid
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
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

BATCH = 5000
TOPICS = [
    "security consultations", "border cooperation", "counter-terrorism exercises", "humanitarian assistance",
    "cyber security", "disaster response", "peacekeeping training", "drug trafficking", "migration policy",
    "information security", "military medicine", "emergency planning",
]  # fmt: skip
CITIES = ["Moscow", "Minsk", "Yerevan", "Astana", "Bishkek", "Dushanbe", "Almaty", "Brest", "Sochi"]
BODY = (
    "<p>The meeting reviewed progress on {topic} and agreed on the next steps.</p>"
    "<blockquote><p>We will keep working together on {topic}.</p></blockquote>"
    "<p>The parties noted the contribution of the working groups and set the date of the next session.</p>"
)


class Command(BaseCommand):
    help = "Generate a large synthetic archive of published releases (for benchmarks, never for production)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100_000)
        parser.add_argument("--years", type=int, default=20)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, count: int, years: int, seed: int, **options):
        if count < 1:
            raise CommandError("--count must be positive.")
        if Event.objects.filter(slug__startswith="gen-").exists():
            raise CommandError("Generated events already exist; use a fresh database.")
        rng = random.Random(seed)
        started = time.monotonic()
        with transaction.atomic():
            sections, people, contacts, organizations = self._directory(rng)
            photo_path = self._shared_photo()
            self._events(rng, count, years, sections, people, contacts, organizations, photo_path)
        first_photo = Attachment.objects.filter(event=OuterRef("pk")).order_by("position", "pk").values("pk")[:1]
        Event.objects.filter(slug__startswith="gen-").update(cover=Subquery(first_photo))
        if connection.vendor == "postgresql":
            # The state autovacuum would bring a settled database to: fresh statistics (without them the planner
            # guesses badly), the dead rows of the cover update above cleared, and the visibility map set, so
            # that walks along the listing indexes need not visit the table (index-only scans). VACUUM cannot run
            # inside a transaction (a caller's, or a test's): statistics alone then.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        self.stdout.write(f"Generated {count} events in {time.monotonic() - started:.1f} s.")

    def _directory(self, rng: random.Random):
        sections = []
        for index, name in enumerate(["Summits", "Ministerial meetings", "Secretariat", "Exercises", "Statements"]):
            section, _ = Section.objects.get_or_create(
                slug=f"gen-{index}", defaults={"name": f"{name} (generated)", "position": 100 + index}
            )
            sections.append(section)
        organizations = Organization.objects.bulk_create(
            Organization(name=f"Generated organisation {i}", short_name=f"GO{i}", slug=f"gen-org-{i}")
            for i in range(40)
        )
        people = Person.objects.bulk_create(
            Person(name=f"Generated Person {i}", sort_name=f"Person {i}", slug=f"gen-person-{i}", position="Minister")
            for i in range(400)
        )
        contacts = Person.objects.bulk_create(
            Person(
                name=f"Press Officer {i}",
                sort_name=f"Officer {i}",
                slug=f"gen-contact-{i}",
                position="Press Secretary",
                is_press_contact=True,
                email=f"press{i}@example.org",
            )
            for i in range(12)
        )
        PhoneNumber.objects.bulk_create(
            PhoneNumber(person=contact, number=f"+7495123{4500 + i:04d}", label="tel")
            for i, contact in enumerate(contacts)
        )
        return sections, people, contacts, organizations

    def _shared_photo(self) -> str:
        """One stored image that every generated photo record points at: the records, not the bytes, matter."""
        image = Image.new("RGB", (800, 533), "#1f3a5f")
        draw = ImageDraw.Draw(image)
        draw.rectangle((80, 300, 720, 360), fill="#8a6d3b")
        for x in range(120, 700, 90):
            draw.ellipse((x, 230, x + 50, 280), fill="#d9d2c5")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        storage = Attachment._meta.get_field("file").storage
        return storage.save("attachments/generated/benchmark.jpg", ContentFile(buffer.getvalue()))

    def _events(self, rng, count, years, sections, people, contacts, organizations, photo_path):
        now = timezone.now()
        span = timedelta(days=365 * years)
        through_org = Event.organizations.through
        for offset in range(0, count, BATCH):
            size = min(BATCH, count - offset)
            batch = []
            for i in range(offset, offset + size):
                starts = now - span + timedelta(seconds=rng.randrange(int(span.total_seconds()) + 86400 * 90))
                topic = rng.choice(TOPICS)
                multi_day = rng.random() < 0.08
                # Announced up to a month ahead; anything announced "in the future" came out some time in the
                # last month instead, so publication times spread as they do in a real archive.
                announced = starts - timedelta(seconds=rng.randrange(86400 * 30))
                if announced > now:
                    announced = now - timedelta(seconds=rng.randrange(60, 86400 * 30))
                batch.append(
                    Event(
                        title=f"{rng.choice(CITIES)}: talks on {topic} #{i}",
                        slug=f"gen-{i}",
                        section=rng.choice(sections),
                        kind=rng.choice(Event.Kind.values),
                        starts_at=starts,
                        ends_at=starts + timedelta(days=rng.randint(1, 3)) if multi_day else None,
                        location=rng.choice(CITIES),
                        lead=f"Delegations discussed {topic}.",
                        body=BODY.format(topic=topic),
                        language="ru" if rng.random() < 0.15 else "en",
                        translation_key=uuid.uuid4(),
                        status=Event.Status.PUBLISHED,
                        publish_at=announced,
                        first_published_at=announced,
                    )
                )
            # bulk_create skips save(): the bodies above are already clean HTML.
            created = Event.objects.bulk_create(batch)
            EventParticipant.objects.bulk_create(
                EventParticipant(event=event, person=person, position=pos)
                for event in created
                for pos, person in enumerate(rng.sample(people, rng.randint(1, 4)))
            )
            EventPressContact.objects.bulk_create(
                EventPressContact(event=event, person=rng.choice(contacts)) for event in created
            )
            through_org.objects.bulk_create(
                through_org(event_id=event.pk, organization_id=org.pk)
                for event in created
                for org in rng.sample(organizations, rng.randint(0, 3))
            )
            Attachment.objects.bulk_create(
                Attachment(
                    event=event,
                    kind=Attachment.Kind.PHOTO,
                    file=photo_path,
                    original_name=f"ABC_{rng.randint(1000, 9999)}.JPG",
                    caption="Delegations before the talks.",
                    alt_text="Delegations seated at a long table.",
                    credit="Press Service",
                    position=pos,
                    width=800,
                    height=533,
                    size=1,
                    content_type="image/jpeg",
                )
                for event in created
                if rng.random() < 0.6
                for pos in range(rng.randint(1, 3))
            )
            self.stdout.write(f"  {offset + size} events")
