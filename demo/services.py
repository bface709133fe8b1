"""Writing the demo to the database: idempotently, keyed on slugs, in one transaction.

By default ``demo_load`` only adds what is missing: rows are looked up by slug, existing ones (perhaps edited
by someone trying the admin) are left alone, and photos are drawn only for events without attachments. So
running it twice changes nothing. With ``refresh=True`` the demo rows go back to their written state and
their dates move along with "today"; a row is saved only when something differs, so a refresh on the same
day changes nothing either.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from events.models import (
    Attachment,
    Event,
    EventParticipant,
    EventPressContact,
    Organization,
    Person,
    PhoneNumber,
    Section,
    SiteIdentity,
)
from events.phones import normalize_phone, split_label
from events.sanitize import clean_html

from . import plan as planning
from .content import ORGANIZATIONS, PEOPLE, PHOTOGRAPHERS, SECTIONS, SITE_IDENTITY
from .pictures import draw_document, draw_photo

DEMO_PASSWORD = "press-demo-2026"
ADMIN_URL = "http://127.0.0.1:8000/admin/"

# username, superuser, groups to join when they exist (another part of the project creates them). The editor
# is an editor, not a superuser: the demo shows the admin an editor has (no sign-in plumbing in its menu);
# "admin" is the account for everything else (backups, users, two-factor devices, login records).
DEMO_ACCOUNTS = (
    ("editor", False, ("Editor",)),
    ("author", False, ("Author",)),
    ("photo", False, ("Photo and contacts staff",)),
    ("admin", True, ("Administrator",)),
)
MAIN_ACCOUNT = "editor"  # printed first, and the author of the demo's releases

SCENE_TEXT = {
    # scene: (what the caption says happens, what the picture shows, the same in Russian)
    "table": (
        "talks in extended format",
        "Delegates in dark suits seated along a wooden conference table with microphones and name plates; "
        "national flags stand behind them.",
        "Делегаты в тёмных костюмах за длинным столом переговоров с микрофонами и табличками; за ними — "
        "государственные флаги.",
    ),
    "podium": (
        "the address",
        "A speaker in a dark suit at a wooden podium with a gold emblem, in front of a backdrop with the letters "
        "CSO; flags stand on either side and the audience is seen from behind.",
        "Выступающий в тёмном костюме за деревянной трибуной с золотой эмблемой на фоне задника с буквами CSO; "
        "по сторонам — флаги.",
    ),
    "handshake": (
        "the official greeting before the talks",
        "Two men in dark suits shake hands on a carpet in front of two flags.",
        "Двое мужчин в тёмных костюмах пожимают руки на ковровой дорожке перед двумя флагами.",
    ),
    "facade": (
        "the venue",
        "A pale stone building with a columned portico, flags on the roof and trees on either side, under a sky "
        "with clouds.",
        "Светлое каменное здание с колоннадой, флагами на крыше и деревьями по сторонам.",
    ),
    "group": (
        "the official group photo",
        "Three rows of delegates in suits stand for a group photo in front of a banner with the CSO emblem.",
        "Три ряда делегатов в костюмах на общем фото перед баннером с эмблемой ОБС.",
    ),
    "signing": (
        "the signing ceremony",
        "Two officials sign documents in red folders at a table with small flags while colleagues stand behind them.",
        "Двое официальных лиц подписывают документы в красных папках за столом с флажками; за ними стоят коллеги.",
    ),
    "field": (
        "on location",
        "Military trucks, tents and people in olive uniforms on a dry plain below hills; a CSO flag flies on a pole.",
        "Армейские грузовики, палатки и люди в оливковой форме на равнине у подножия холмов; на флагштоке — флаг ОБС.",
    ),
}


@dataclass
class DemoAccount:
    username: str
    password: str
    groups: list[str]
    is_superuser: bool


@dataclass
class DemoReport:
    counts: dict[str, int] = field(default_factory=dict)
    events_created: int = 0
    events_updated: int = 0
    events_unchanged: int = 0
    files_created: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------
# Small idempotent writers


def _upsert(model: type[models.Model], lookup: dict, values: dict, *, refresh: bool) -> tuple[models.Model, str]:
    """Create the row; with ``refresh``, update it where ``values`` differ. Returns (row, created|updated|unchanged).

    ``update_or_create`` would save every time, and each save of an event adds a history row.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        state = "created"
    elif not refresh:
        return obj, "unchanged"
    else:
        changed = [name for name, value in values.items() if _stored(obj, name) != _comparable(value)]
        if not changed:
            return obj, "unchanged"
        for name in changed:
            setattr(obj, name, values[name])
        state = "updated"
    # Constraints are checked by the database; unique slugs are the lookup itself.
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()
    return obj, state


def _stored(obj: models.Model, name: str):
    """The stored value, without fetching related rows: foreign keys compare by id."""
    field = obj._meta.get_field(name)
    return getattr(obj, field.attname) if field.many_to_one else getattr(obj, name)


def _comparable(value):
    return value.pk if isinstance(value, models.Model) else value


def _sync_ordered(through: type[models.Model], event: Event, people: list[Person]) -> None:
    """Make the ordered links of ``event`` exactly ``people``, touching only what differs."""
    wanted = {person.pk: position for position, person in enumerate(people)}
    for link in through.objects.filter(event=event):
        position = wanted.pop(link.person_id, None)
        if position is None:
            link.delete()
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position"])
    for person_pk, position in wanted.items():
        through.objects.create(event=event, person_id=person_pk, position=position)


def _sync_m2m(manager, objects: list[models.Model]) -> None:
    if {obj.pk for obj in manager.all()} != {obj.pk for obj in objects}:
        manager.set(objects)


# ---------------------------------------------------------------------------------------------------------
# The directory


def demo_accounts_ensure() -> list[DemoAccount]:
    """The editor and administrator accounts always; the other role accounts only where their groups exist."""
    user_model = get_user_model()
    groups = {group.name: group for group in Group.objects.all()}
    accounts = []
    for username, superuser, group_names in DEMO_ACCOUNTS:
        present = [groups[name] for name in group_names if name in groups]
        if not superuser and not present and username != MAIN_ACCOUNT:
            continue
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@cso.example.org"}
        )
        wanted = {"is_staff": True, "is_active": True, "is_superuser": superuser}
        changed = [name for name, value in wanted.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, wanted[name])
        # The printed credentials must always work, so the documented password is restored on every run.
        if created or not user.has_usable_password() or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            changed.append("password")
        if changed:
            user.save()
        # Exactly its role: an account from an older demo (the editor used to be an administrator too) is moved.
        if set(user.groups.all()) != set(present):
            user.groups.set(present)
        accounts.append(DemoAccount(username, DEMO_PASSWORD, [group.name for group in present], superuser))
    return accounts


def _load_organizations(*, refresh: bool) -> dict[str, Organization]:
    organizations: dict[str, Organization] = {}
    for data in ORGANIZATIONS:  # parents come before their units in ORGANIZATIONS
        organizations[data.slug], _state = _upsert(
            Organization,
            {"slug": data.slug},
            {
                "name": data.name,
                "name_ru": data.name_ru,
                "short_name": data.short_name,
                "kind": data.kind,
                "country": data.country,
                "website": data.website,
                "description": data.description,
                "parent": organizations[data.parent] if data.parent else None,
            },
            refresh=refresh,
        )
    return organizations


def _load_people(organizations: dict[str, Organization], *, refresh: bool) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for data in PEOPLE:
        person, state = _upsert(
            Person,
            {"slug": data.slug},
            {
                "name": data.name,
                "name_ru": data.name_ru,
                "position": data.position,
                "position_ru": data.position_ru,
                "organization": organizations[data.organization],
                "bio": data.bio,
                "is_press_contact": bool(data.email),
                "email": data.email,
            },
            refresh=refresh,
        )
        if state == "created" or refresh:
            for position, raw in enumerate(data.phones):
                _number, label = split_label(raw)
                _upsert(
                    PhoneNumber,
                    {"person": person, "position": position},
                    {"number": normalize_phone(raw), "label": label or PhoneNumber.Label.TEL},
                    refresh=True,
                )
            PhoneNumber.objects.filter(person=person, position__gte=len(data.phones)).delete()
        people[data.slug] = person
    return people


def _load_sections(people: dict[str, Person], *, refresh: bool) -> dict[str, Section]:
    sections: dict[str, Section] = {}
    for data in SECTIONS:  # parents first
        section, state = _upsert(
            Section,
            {"slug": data.slug},
            {
                "name": data.name,
                "name_ru": data.name_ru,
                "description": data.description,
                "description_ru": data.description_ru,
                "position": data.position,
                "is_active": True,
                "parent": sections[data.parent] if data.parent else None,
            },
            refresh=refresh,
        )
        if state == "created" or refresh:
            _sync_m2m(section.default_press_contacts, [people[slug] for slug in data.default_contacts])
        sections[data.slug] = section
    return sections


# ---------------------------------------------------------------------------------------------------------
# Events


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _event_values(item: planning.PlannedEvent, *, today: date, now: datetime, language: str) -> dict:
    story = item.story
    text = story.ru if language == "ru" and story.ru else story.en
    day = today + timedelta(days=item.day)
    if story.all_day or story.days > 1:
        starts_at = _at(day, 9)
        ends_at = _at(day + timedelta(days=story.days - 1), 18)
    else:
        starts_at = _at(day, *story.start)
        ends_at = starts_at + timedelta(hours=story.hours) if story.hours else None

    status, publish_at, first_published_at, withdrawn_at = item.status, None, None, None
    if item.status == planning.SCHEDULED:
        status = Event.Status.PUBLISHED
        publish_at = min(_at(today + timedelta(days=1 + len(item.slug) % 5), 9), starts_at)
        publish_at = max(publish_at, _at(today + timedelta(days=1), 9))
    elif item.status in (planning.PUBLISHED, planning.WITHDRAWN):
        if item.day > 0:  # an upcoming event, announced a few days ago
            publish_at = _at(today - timedelta(days=1 + len(item.slug) % 9), 10)
        else:
            publish_at = starts_at + timedelta(hours=item.publish_shift_hours)
        first_published_at = publish_at if publish_at <= now else None
        if item.status == planning.WITHDRAWN:
            withdrawn_at = publish_at + timedelta(days=1, hours=3)

    return {
        "title": text.title,
        "kind": story.kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "all_day": story.all_day,
        "location": story.place_ru if language == "ru" else story.place_en,
        "lead": text.lead.strip(),
        # The model cleans the body on save; comparing the cleaned form keeps a re-run from saving again.
        "body": clean_html(text.body),
        "translation_key": item.translation_key,
        "status": status,
        "publish_at": publish_at,
        "first_published_at": first_published_at,
        "withdrawn_at": withdrawn_at,
        "withdrawal_reason": item.withdrawal_reason,
    }


def _add_attachments(
    event: Event, item: planning.PlannedEvent, *, language: str, starts_at: datetime
) -> tuple[Attachment | None, int]:
    """Draw the planned photos and documents for an event that has none; returns (cover, files written)."""
    rng = random.Random(item.seed)  # the same pictures for both language versions and on every machine
    photographer, photographer_ru, prefix = rng.choice(PHOTOGRAPHERS)
    frame = rng.randint(1000, 9400)
    story = item.story
    cover = None
    written = 0
    # The Russian version repeats only the cover: the full strip lives on the original release.
    photos = item.photos[:1] if language == "ru" else item.photos
    for position, planned in enumerate(photos):
        frame += rng.randint(1, 40)
        what, alt_en, alt_ru = SCENE_TEXT[planned.scene]
        if language == "ru":
            caption = f"{story.ru.title}. {story.place_ru}."
            credit = f"Пресс-служба ОБС / {photographer_ru}"
            alt = alt_ru
        else:
            subject = story.caption_subject or story.en.title
            caption = f"{subject[0].upper()}{subject[1:]}: {what}. {story.place_en}."
            credit = f"CSO Press Service / {photographer}"
            alt = alt_en
        attachment = Attachment(
            event=event,
            kind=Attachment.Kind.PHOTO,
            file=ContentFile(draw_photo(planned.scene, rng, portrait=planned.portrait), name=f"{prefix}{frame}.JPG"),
            caption=caption,
            alt_text=alt,
            credit=credit,
            taken_at=starts_at + timedelta(minutes=12 * position + 5),
            position=position,
        )
        attachment.full_clean(exclude=["file"])
        attachment.save()
        written += 1
        cover = cover or attachment
    if photos and language == "en":  # documents only where there are pictures, to keep the media folder small
        for index, title in enumerate(story.documents):
            pdf = draw_document(title, story.place_en, rng)
            Attachment.objects.create(
                event=event,
                kind=Attachment.Kind.DOCUMENT,
                file=ContentFile(pdf, name=f"{title.replace(' ', '_')}.pdf"),
                title=title,
                credit="CSO Secretariat",
                position=len(photos) + index,
            )
            written += 1
    return cover, written


def _load_event(
    item: planning.PlannedEvent,
    *,
    language: str,
    slug: str,
    today: date,
    now: datetime,
    sections: dict[str, Section],
    organizations: dict[str, Organization],
    people: dict[str, Person],
    editor,
    report: DemoReport,
    refresh: bool,
) -> None:
    values = _event_values(item, today=today, now=now, language=language)
    values.update(section=sections[item.story.section], created_by=editor, updated_by=editor)
    event, state = _upsert(Event, {"language": language, "slug": slug}, values, refresh=refresh)
    setattr(report, f"events_{state}", getattr(report, f"events_{state}") + 1)

    if state == "created" or refresh:
        _sync_ordered(EventParticipant, event, [people[slug] for slug in item.story.participants])
        _sync_ordered(EventPressContact, event, [people[slug] for slug in item.story.contacts])
        _sync_m2m(event.organizations, [organizations[slug] for slug in item.story.organizations])

    if item.photos and not event.attachments.exists():
        cover, written = _add_attachments(event, item, language=language, starts_at=event.starts_at)
        report.files_created += written
        if cover:
            # A queryset update: setting the cover is not an editorial change worth a history entry.
            Event.objects.filter(pk=event.pk).update(cover=cover)


def demo_load(*, today: date | None = None, seed: int = planning.DEMO_SEED, refresh: bool = False) -> DemoReport:
    """Add whatever part of the demo is missing (with ``refresh``, also restore the rest); report the totals."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    report = DemoReport()
    with transaction.atomic():
        report.accounts = demo_accounts_ensure()
        editor = get_user_model().objects.get(username=MAIN_ACCOUNT)
        organizations = _load_organizations(refresh=refresh)
        people = _load_people(organizations, refresh=refresh)
        sections = _load_sections(people, refresh=refresh)
        _upsert(SiteIdentity, {"pk": 1}, SITE_IDENTITY, refresh=refresh)
        common = {
            "today": today,
            "now": now,
            "sections": sections,
            "organizations": organizations,
            "people": people,
            "editor": editor,
            "report": report,
            "refresh": refresh,
        }
        for item in planning.build_plan(seed):
            _load_event(item, language="en", slug=item.slug, **common)
            if item.translate:
                _load_event(item, language="ru", slug=item.slug_ru, **common)
    report.counts = demo_counts()
    return report


def demo_counts() -> dict[str, int]:
    events = Event.objects.all()
    return {
        "sections": Section.objects.count(),
        "organisations": Organization.objects.count(),
        "people": Person.objects.count(),
        "press contacts": Person.objects.press_contacts().count(),
        "phone numbers": PhoneNumber.objects.count(),
        "events": events.count(),
        "events in English": events.filter(language="en").count(),
        "events in Russian": events.filter(language="ru").count(),
        "published and public": events.public().count(),
        "scheduled": events.filter(status=Event.Status.PUBLISHED, publish_at__gt=timezone.now()).count(),
        "drafts": events.filter(status=Event.Status.DRAFT).count(),
        "in review": events.filter(status=Event.Status.IN_REVIEW).count(),
        "withdrawn": events.filter(status=Event.Status.WITHDRAWN).count(),
        "photos": Attachment.objects.filter(kind=Attachment.Kind.PHOTO).count(),
        "documents": Attachment.objects.filter(kind=Attachment.Kind.DOCUMENT).count(),
    }
